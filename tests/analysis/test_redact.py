"""Credentials never survive `redact`: URL userinfo, authorization values, token shapes, configured secrets."""

from __future__ import annotations

import logging

import pytest

from analysis.redact import MASK, install_log_redaction, redact, register_secrets
from bot.settings import load_settings


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("GET http://bot:hunter2pass@127.0.0.1:9/repos failed", "hunter2pass"),
        ("cannot reach https://user:pw@proxy.example/v1: timeout", "user:pw"),
        ("headers: {'Authorization': 'Bearer abc123def456'}", "abc123def456"),
        ("Authorization: token ghx0123456789", "ghx0123456789"),
        ("proxy said api_key=k-9f8e7d6c5b4a&model=x", "k-9f8e7d6c5b4a"),
        ('{"x-api-key": "zzz-top-secret"}', "zzz-top-secret"),
        ("bad token ghp_ABCDEFGHIJKLMNOPQRSTUVWX0123", "ghp_ABCDEFGHIJKLMNOPQRSTUVWX0123"),
        ("key sk-proj-ABCDEFGHIJKLMNOP1234 rejected", "sk-proj-ABCDEFGHIJKLMNOP1234"),
        ("slack xoxb-1234567890-abcdefghij rejected", "xoxb-1234567890-abcdefghij"),
    ],
)
def test_credential_shapes_are_removed(text: str, gone: str) -> None:
    out = redact(text)
    assert gone not in out and MASK in out


def test_configured_secrets_are_removed_in_any_case_and_url_encoded() -> None:
    load_settings(
        openai_api_key="Plain-Key/With+Chars9", github_api_url="http://bot:pw-in-url-77@127.0.0.1:1"
    )
    for text in (
        "Plain-Key/With+Chars9",
        "PLAIN-KEY/WITH+CHARS9",
        "plain-key/with+chars9",
        "Plain-Key%2FWith%2BChars9",
    ):
        assert "hars9" not in redact(f"Incorrect API key provided: {text}.").lower()
    assert "pw-in-url-77" not in redact("login pw-in-url-77 refused")


def test_ordinary_text_is_kept() -> None:
    register_secrets(["abc"])  # too short to mask ordinary words
    text = "no commit abcdef1 in org/svc0 (HTTP 404 from https://api.github.com/repos/org/svc0)"
    assert redact(text) == text


def test_log_records_are_redacted_with_their_arguments_and_tracebacks(caplog) -> None:
    install_log_redaction()
    register_secrets(["s3cr3t-value-for-logs"])
    log = logging.getLogger("tests.redact")
    with caplog.at_level(logging.INFO):
        log.info("calling %s", "http://u:s3cr3t-value-for-logs@host/x")
        try:
            raise RuntimeError("echo: S3CR3T-VALUE-FOR-LOGS")
        except RuntimeError:
            log.exception("failed")
    assert "s3cr3t" not in caplog.text.lower()
    assert "calling http://[redacted]@host/x" in caplog.text and "RuntimeError" in caplog.text
