"""Every setting in one place, read from the environment and `.env`."""

from __future__ import annotations

import re
import zoneinfo
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from analysis.config import LLMConfig, PipelineConfig, SourceConfig
from analysis.errors import CommitDigestError
from analysis.identity import RepoSpecError, repo_specs, split_repos
from analysis.redact import redact, register_secrets, split_userinfo, url_secrets
from analysis.teamcode.config import TeamCode, parse_team_code


class SettingsError(CommitDigestError):
    """A setting is malformed; the message names the variable."""


class Settings(BaseSettings):
    """commit-digest settings; each field is the lower-case name of its environment variable."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # sources
    github_token: SecretStr | None = None
    github_api_url: str = "https://api.github.com"
    digest_repos: Annotated[list[str], NoDecode] = Field(default_factory=list)
    digest_branch: str | None = None
    digest_git_fetch: bool = True
    digest_git_fetch_timeout: float = Field(default=60.0, gt=0, le=3600)
    digest_max_new_commits: int = Field(default=300, ge=1, le=100_000)
    digest_interfaces: bool = True  # compute and show each commit's interface changes
    digest_timezone: str = "UTC"
    digest_language: Literal["en", "zh"] = "en"
    digest_db_path: str = "./data/commit-digest.db"
    digest_team_code: str = (
        ""  # the team's own code bases: name=/path/to/clone or name=owner/repo, comma-separated
    )

    # LLM
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    digest_llm_model: str = "gpt-4o-mini"
    digest_prompt_tokens: int = Field(default=12000, ge=1000, le=1_000_000)
    digest_max_calls_per_commit: int = Field(default=4, ge=1, le=50)
    digest_llm_concurrency: int = Field(default=32, ge=1, le=128)
    digest_llm_timeout: float = Field(default=120.0, gt=0)
    digest_llm_deadline: float = Field(default=900.0, gt=0)  # seconds of LLM work per run
    digest_max_attempts: int = Field(default=5, ge=1, le=100)
    digest_price_input_per_mtok: float | None = Field(default=None, ge=0)
    digest_price_output_per_mtok: float | None = Field(default=None, ge=0)
    digest_answer_tokens: int = Field(default=800, ge=100, le=16_000)  # completion limit of a thread answer
    digest_questions_per_10min: int = Field(default=5, ge=0, le=1000)  # per member; 0 turns questions off

    # Slack
    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_api_url: str | None = None
    digest_channel: str | None = None
    digest_alert_channel: str | None = None
    digest_schedule: str = "0 9 * * 1-5"
    digest_weekly_schedule: str | None = None  # crontab of the weekly post, e.g. "0 9 * * 1"; off when unset
    digest_thread_level: Literal["high", "medium"] = "high"
    digest_empty_day: Literal["quiet", "none"] = "quiet"

    # process
    digest_log_format: Literal["text", "json"] = "text"

    @field_validator("digest_repos", mode="before")
    @classmethod
    def _split_repos(cls, v: object) -> object:
        """Trim, drop empties, normalise each repository to its one identity, keep each once."""
        try:
            if isinstance(v, str):
                return split_repos(v)
            if isinstance(v, list | tuple):
                return repo_specs(str(r) for r in v)
        except RepoSpecError as e:
            raise ValueError(str(e)) from None
        return v

    @field_validator("digest_team_code")
    @classmethod
    def _check_team_code(cls, v: str) -> str:
        parse_team_code(v)
        return v

    @property
    def team_code(self) -> dict[str, TeamCode]:
        """The team's named code bases (DIGEST_TEAM_CODE), by name."""
        return parse_team_code(self.digest_team_code)

    @field_validator("digest_timezone")
    @classmethod
    def _check_tz(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not an IANA time zone name (e.g. UTC, Asia/Shanghai)") from None
        return v

    @field_validator("github_api_url", "openai_base_url", "slack_api_url")
    @classmethod
    def _check_url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/]+", v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v.rstrip("/") if v else v

    @model_validator(mode="after")
    def _check_schedule(self) -> Settings:
        from bot.schedule import ScheduleError, parse

        try:
            parse(self.digest_schedule, self.digest_timezone)
        except ScheduleError as e:
            raise ValueError(f"DIGEST_SCHEDULE: {e}") from None
        try:
            if self.digest_weekly_schedule:
                parse(self.digest_weekly_schedule, self.digest_timezone)
        except ScheduleError as e:
            raise ValueError(f"DIGEST_WEEKLY_SCHEDULE: {e}") from None
        return self

    @property
    def llm_enabled(self) -> bool:
        """True when an LLM API key is configured."""
        return bool(self.openai_api_key and self.openai_api_key.get_secret_value())

    def _llm_config(self) -> LLMConfig | None:
        if not self.llm_enabled:
            return None
        assert self.openai_api_key is not None
        return LLMConfig(
            api_key=self.openai_api_key.get_secret_value(),
            model=self.digest_llm_model,
            # the API key is the credential: one written into the URL would replace it (and leak into errors)
            base_url=split_userinfo(self.openai_base_url)[0] if self.openai_base_url else None,
            prompt_tokens=self.digest_prompt_tokens,
            max_calls_per_commit=self.digest_max_calls_per_commit,
            concurrency=self.digest_llm_concurrency,
            timeout=self.digest_llm_timeout,
            max_attempts=self.digest_max_attempts,
            deadline=self.digest_llm_deadline,
            price_input_per_mtok=self.digest_price_input_per_mtok,
            price_output_per_mtok=self.digest_price_output_per_mtok,
        )

    def secrets(self) -> list[str]:
        """Every configured secret: each SecretStr value and any credential written into a URL setting."""
        values = [v.get_secret_value() for v in self.__dict__.values() if isinstance(v, SecretStr)]
        for url in (self.github_api_url, self.openai_base_url, self.slack_api_url):
            values += url_secrets(url)
        return values

    def pipeline_config(self, repos: list[str] | None = None, *, reanalyze: bool = False) -> PipelineConfig:
        """The pipeline configuration for `repos` (default: DIGEST_REPOS): the one place it is built."""
        token = self.github_token.get_secret_value() if self.github_token else None
        return PipelineConfig(
            repos=list(repos or self.digest_repos),
            timezone=self.digest_timezone,
            language=self.digest_language,
            source=SourceConfig(
                self.github_api_url,
                token,
                self.digest_branch or None,
                self.digest_git_fetch,
                git_fetch_timeout=self.digest_git_fetch_timeout,
            ),
            llm=self._llm_config(),
            reanalyze=reanalyze,
            max_new_commits=self.digest_max_new_commits,
            interfaces=self.digest_interfaces,
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise SettingsError naming the first malformed variable."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        err = e.errors()[0]
        msg = err["msg"].removeprefix("Value error, ")
        raise SettingsError(redact(f"{str(err['loc'][0]).upper()}: {msg}" if err["loc"] else msg)) from None
    register_secrets(settings.secrets())
    return settings
