"""Typed settings, read from the environment (prefix ZHENGSHU_) by the app factory and the CLI."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-insecure-secret-change-me"
DEFAULT_DATABASE_URL = "sqlite:///var/zhengshu.db"


class InsecureSettings(ValueError):
    pass


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHENGSHU_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEFAULT_SECRET
    dev: bool = False
    # Where the in-process job runner hands background work. Empty: run inline after commit.
    worker_url: str = ""
    # JSON file with statutory arrangements for years the bundled calendar does not know yet.
    calendar_file: Path | None = None
    # Working days to handle an appeal, by type (complaint, help, …), over the built-in defaults.
    deadline_days: dict[str, int] = Field(default_factory=dict)
    # The most working days an urgent or critical appeal may take, whatever its type.
    urgency_cap_days: dict[str, int] = Field(default_factory=dict)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    max_upload_bytes: int = Field(default=20_000_000, ge=1024)
    # Minutes between runs of the in-process overdue-supervision job when serving; 0 disables it.
    supervision_interval_minutes: int = Field(default=15, ge=0)
    # Threads serving requests per web process. Each may hold two database connections at once
    # (its transaction and the appeal-number counter), so the pool is sized from this.
    web_threads: int = Field(default=16, ge=1, le=200)
    session_max_age_seconds: int = 8 * 3600
    api_token_days: int = Field(default=30, ge=1)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if not self.dev and self.secret_key == DEFAULT_SECRET:
            raise InsecureSettings(
                "ZHENGSHU_SECRET_KEY is the built-in default; set a secret or run with ZHENGSHU_DEV=1"
            )
        return self
