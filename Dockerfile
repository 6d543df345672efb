FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DIGEST_DB_PATH=/data/commit-digest.db

WORKDIR /app
COPY pyproject.toml README.md ./
COPY analysis ./analysis
COPY bot ./bot
COPY storage ./storage
RUN pip install --no-cache-dir . \
    && useradd --system --create-home --uid 10001 digest \
    && mkdir -p /data \
    && chown digest /data

USER 10001
VOLUME ["/data"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]

CMD ["commit-digest", "serve"]
