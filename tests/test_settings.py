"""Settings come from QUOTETRAIL_* environment variables."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quotetrail.settings import Settings, get_settings


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QUOTETRAIL_DATABASE_URL", "QUOTETRAIL_API_KEYS", "QUOTETRAIL_MAX_BODY_BYTES"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///quotetrail.db"
    assert settings.api_keys == []
    assert settings.max_body_bytes == 10 * 1024 * 1024
    assert settings.url_fetch_allow_private is False


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTETRAIL_DATABASE_URL", "postgresql+psycopg://u@localhost/qt")
    monkeypatch.setenv("QUOTETRAIL_API_KEYS", " alpha, beta ,,gamma ")
    monkeypatch.setenv("QUOTETRAIL_RATE_LIMIT_PER_MINUTE", "0")
    monkeypatch.setenv("QUOTETRAIL_URL_FETCH_ALLOW_PRIVATE", "true")
    settings = get_settings()
    assert settings.database_url == "postgresql+psycopg://u@localhost/qt"
    assert settings.api_keys == ["alpha", "beta", "gamma"]
    assert settings.rate_limit_per_minute == 0
    assert settings.url_fetch_allow_private is True
    assert get_settings() is settings  # cached until cache_clear()


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUOTETRAIL_MAX_BODY_BYTES", "-1")
    with pytest.raises(ValueError):
        Settings()
