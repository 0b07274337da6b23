"""Runtime configuration, read from the environment (prefix QUOTETRAIL_)."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of the service; tests set them through the environment."""

    model_config = SettingsConfigDict(env_prefix="QUOTETRAIL_", extra="ignore")

    # A SQLite file in the working directory, or e.g. postgresql+psycopg://user@host/db.
    database_url: str = "sqlite:///quotetrail.db"

    # Keys accepted in `Authorization: Bearer <key>` for writes; comma-separated in the
    # environment. Empty means no key is valid, so writes are refused.
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Requests per minute per client; 0 disables the limit.
    rate_limit_per_minute: int = Field(default=600, ge=0)
    write_rate_limit_per_minute: int = Field(default=60, ge=0)

    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)

    # URL ingestion (POST /v1/articles with a url): off switch, and the guard against requests
    # to the service's own network, which stays closed unless explicitly opened (e.g. tests).
    url_fetch_enabled: bool = True
    url_fetch_allow_private: bool = False
    url_fetch_timeout_seconds: float = Field(default=10.0, gt=0)
    url_fetch_max_redirects: int = Field(default=5, ge=0)
    url_fetch_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; call `get_settings.cache_clear()` after changing the env."""
    return Settings()
