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


def test_cores_follow_the_containers_cpu_quota(tmp_path: Path) -> None:
    """serve's default processes: one per core it may use, fewer under a CPU quota."""
    machine = config.cores(tmp_path / "absent")
    assert machine >= 1
    quota = tmp_path / "cpu.max"
    for text, expected in [
        ("max 100000\n", machine),
        ("100000 100000\n", 1),
        ("150000 100000\n", min(2, machine)),  # a core and a half: two processes
        ("50000 100000\n", 1),
        (f"{1000 * 100000} 100000\n", machine),  # more than the machine has
        ("garbage\n", machine),
        ("100 0\n", machine),
    ]:
        quota.write_text(text)
        assert config.cores(quota) == expected, text
