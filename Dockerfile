# syntax=docker/dockerfile:1
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DIGEST_DB_PATH=/data/commit-digest.db

# git reads local clones mounted into the container; they belong to another user, so git is told to trust them.
# Debian's security updates for git are wanted, so its version follows the pinned base image's release.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    && git config --system --add safe.directory '*' \
    && useradd --system --create-home --uid 10001 digest \
    && mkdir -p /data \
    && chown digest /data

WORKDIR /app
# Dependencies first, from the lock file with hashes: a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY analysis ./analysis
COPY bot ./bot
COPY storage ./storage
RUN pip install --no-cache-dir --no-deps .

USER 10001
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]

CMD ["commit-digest", "serve"]
