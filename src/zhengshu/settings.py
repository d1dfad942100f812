"""Typed settings, read from the environment (prefix ZHENGSHU_) by the app factory and the CLI."""

from __future__ import annotations

import re
from ipaddress import ip_network
from pathlib import Path
from typing import Annotated, Any, NamedTuple

from pydantic import BeforeValidator, Field, IPvAnyNetwork, PositiveInt, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from zhengshu.appeals.vocabulary import AppealType, Urgency

DEFAULT_SECRET = "dev-insecure-secret-change-me"
DEFAULT_DATABASE_URL = "sqlite:///var/zhengshu.db"


class InsecureSettings(ValueError):
    pass


class RateLimit(NamedTuple):
    """At most `attempts` in `seconds` (a burst, then refilled evenly); 0 attempts turns it off."""

    attempts: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.attempts}/{self.seconds}s" if self.attempts else "0"


_RATE = re.compile(r"^(\d+)(?:/(\d*)\s*([smhd]?))?$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate_limit(value: Any) -> Any:
    """From text: 600/1m, 10/15m, 10/1h, 30/900 (seconds) or 0 (off); tuples pass through to pydantic."""
    if not isinstance(value, str | int):
        return value
    match = _RATE.match(str(value).strip().lower().replace(" ", ""))
    if match is None:
        raise ValueError("rate limit must look like 600/1m, 10/15m, 10/1h or 0")
    count, number, unit = match.groups()
    if int(count) == 0:
        return RateLimit(0, 0)
    if number is None:
        raise ValueError("rate limit needs a period, e.g. 10/1h")
    seconds = int(number or 1) * _UNIT_SECONDS[unit]
    if seconds <= 0:
        raise ValueError("rate limit period must be positive")
    return RateLimit(int(count), seconds)


def split_list(value: Any) -> Any:
    """Comma-separated from the environment ("10.0.0.1, 10.1.0.0/16"), or a list."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


RateLimitSetting = Annotated[RateLimit, NoDecode, BeforeValidator(parse_rate_limit)]
Networks = Annotated[list[IPvAnyNetwork], NoDecode, BeforeValidator(split_list)]


def _positive_days(value: dict[str, int], known: set[str], what: str) -> dict[str, int]:
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValueError(f"未知{what}：{', '.join(unknown)}（可选：{', '.join(sorted(known))}）")
    if any(days < 1 for days in value.values()):
        raise ValueError("工作日数必须至少为 1")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZHENGSHU_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = DEFAULT_SECRET
    dev: bool = False
    # JSON file with statutory arrangements for years the bundled calendar does not know yet.
    calendar_file: Path | None = None
    # CSV `category,department_code` over the built-in category routes ("street": the street office).
    category_routes_file: Path | None = None
    # GeoJSON FeatureCollection of the real street boundaries; replaces the schematic street map.
    street_geojson_file: Path | None = None
    # Resident population by street (code or name), for the map's appeals per 10,000 residents,
    # e.g. ZHENGSHU_STREET_POPULATION='{"平湖街道": 470000, "坂田街道": 520000}'.
    street_population: dict[str, PositiveInt] = Field(default_factory=dict)
    # An OpenAI-compatible endpoint that may write the policy Q&A's answers (zhengshu.policy.llm);
    # without it the answers are extractive. Its sentences are checked against the cited articles.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_seconds: float = Field(default=20.0, gt=0, le=300)
    # A directory with word vectors (vectors.txt in word2vec text format, or vectors.npy + vocab.txt)
    # for the policy Q&A's optional dense retrieval, fused with BM25 (zhengshu.policy.embeddings).
    embedding_model_dir: Path | None = None
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
    # Per-process rate limits (docs/operations.md); ZHENGSHU_RATE_LIMITS=0 turns them all off.
    rate_limits: bool = True
    # Anonymous submissions (API and page) per client address, counting every attempt.
    rate_limit_submit_per_ip: RateLimitSetting = RateLimit(600, 60)
    # Questions to the policy Q&A (open to anyone) per client address, every question counted.
    rate_limit_ask_per_ip: RateLimitSetting = RateLimit(120, 60)
    # Client addresses the submission limit does not apply to: local tools and the intake benchmark.
    rate_limit_submit_exempt: Networks = Field(
        default_factory=lambda: [ip_network("127.0.0.0/8"), ip_network("::1")]
    )
    # Failed public tracking (wrong number or digits) per appeal number, and per client address.
    rate_limit_track_failures_per_number: RateLimitSetting = RateLimit(10, 3600)
    rate_limit_track_failures_per_ip: RateLimitSetting = RateLimit(60, 3600)
    # Failed staff logins (page and API) per username, and per client address.
    rate_limit_login_failures_per_user: RateLimitSetting = RateLimit(10, 900)
    rate_limit_login_failures_per_ip: RateLimitSetting = RateLimit(30, 900)
    # Keys remembered per limit; beyond it the least recently counted are forgotten.
    rate_limit_max_keys: int = Field(default=50_000, ge=100)
    # Peers whose X-Forwarded-For is believed (reverse proxies); empty: the peer is the client.
    trusted_proxies: Networks = Field(default_factory=list)

    @field_validator("deadline_days")
    @classmethod
    def _known_types(cls, value: dict[str, int]) -> dict[str, int]:
        return _positive_days(value, {t.value for t in AppealType}, "诉求类型")

    @field_validator("urgency_cap_days")
    @classmethod
    def _known_urgencies(cls, value: dict[str, int]) -> dict[str, int]:
        return _positive_days(value, {u.value for u in Urgency}, "紧急程度")

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if not self.dev and self.secret_key == DEFAULT_SECRET:
            raise InsecureSettings(
                "ZHENGSHU_SECRET_KEY is the built-in default; set a secret or run with ZHENGSHU_DEV=1"
            )
        return self
