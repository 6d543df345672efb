"""Settings: names, defaults, and one clear line for each malformed value."""

from __future__ import annotations

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults_need_nothing():
    s = load_settings()
    assert s.github_api_url == "https://api.github.com"
    assert s.digest_timezone == "UTC" and s.digest_language == "en"
    assert s.digest_repos == [] and not s.llm_enabled
    assert s.pipeline_config().llm is None


def test_environment_and_dotenv(monkeypatch, tmp_path):
    (tmp_path / ".env").write_text(
        "DIGEST_REPOS=sgl-project/sglang, vllm-project/vllm\nOPENAI_API_KEY=sk-dotenv\n"
    )
    monkeypatch.setenv("DIGEST_TIMEZONE", "Asia/Shanghai")
    monkeypatch.setenv("GITHUB_API_URL", "http://127.0.0.1:9/api/v3/")
    s = load_settings()
    assert s.digest_repos == ["sgl-project/sglang", "vllm-project/vllm"]
    assert s.github_api_url == "http://127.0.0.1:9/api/v3"
    cfg = s.pipeline_config()
    assert cfg.llm is not None and cfg.llm.api_key == "sk-dotenv" and cfg.timezone == "Asia/Shanghai"


def test_secrets_are_not_echoed(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_verysecret")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-verysecret")
    s = load_settings()
    assert "verysecret" not in repr(s) and "verysecret" not in str(s.model_dump())


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DIGEST_TIMEZONE", "Mars/Olympus", "DIGEST_TIMEZONE: 'Mars/Olympus' is not an IANA time zone"),
        ("DIGEST_LANGUAGE", "fr", "DIGEST_LANGUAGE:"),
        ("DIGEST_PROMPT_TOKENS", "lots", "DIGEST_PROMPT_TOKENS:"),
        ("GITHUB_API_URL", "api.github.com", "GITHUB_API_URL: 'api.github.com' is not an http(s) URL"),
        ("DIGEST_SCHEDULE", "every day", "DIGEST_SCHEDULE:"),
        ("DIGEST_SCHEDULE", "0 25 * * *", "DIGEST_SCHEDULE:"),
        ("DIGEST_REPOS", "justaname", "DIGEST_REPOS: 'justaname' is neither owner/repo nor a path"),
    ],
)
def test_malformed_values_fail_with_one_line(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert str(e.value).startswith(expected)
    assert "\n" not in str(e.value)


def test_the_llm_deadline_is_a_setting(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("DIGEST_LLM_DEADLINE", "300")
    assert load_settings().pipeline_config().llm.deadline == 300.0
    monkeypatch.delenv("DIGEST_LLM_DEADLINE")
    assert load_settings().pipeline_config().llm.deadline == 900.0
