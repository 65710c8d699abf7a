"""Settings: one table, every option documented in the README (Datasette's habit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsweave import config
from newsweave.errors import ConfigError

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = README.read_text()
    missing = [opt.env for opt in config.OPTIONS if opt.env not in readme]
    assert missing == []


def test_environment_overrides_and_secrets_are_redacted() -> None:
    s = config.load({"NEWSWEAVE_PORT": "9000", "NEWSWEAVE_DATABASE_URL": "postgresql://u:pw@h/db",
                     "NEWSWEAVE_RESPECT_ROBOTS": "no"})  # fmt: skip
    assert s.port == 9000
    assert s.respect_robots is False
    assert s.database == "postgresql+psycopg://u:pw@h/db"
    assert s.redacted()["database_url"] == "********"
    assert config.load({}, data_dir="/srv/nw").database == "sqlite:////srv/nw/newsweave.db"


def test_bad_values_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="NEWSWEAVE_PORT='eighty' is not a valid port"):
        config.load({"NEWSWEAVE_PORT": "eighty"})
    with pytest.raises(ConfigError, match=r"NEWSWEAVE_WEB_PROCESSES=.-1. .* must be 0 or more"):
        config.load({"NEWSWEAVE_WEB_PROCESSES": "-1"})
