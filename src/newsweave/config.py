"""Every setting of newsweave, in one table, read once at the edge (cli, web, jobs).

Each setting is read from the environment as NEWSWEAVE_<NAME upper-cased>. Layers below the edge
take plain arguments, never this module (import-linter checks it).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsweave.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    type: Callable[[str], Any]
    default: Any
    help: str
    secret: bool = False

    @property
    def env(self) -> str:
        return "NEWSWEAVE_" + self.name.upper()


def _bool(value: str) -> bool:
    v = value.strip().lower()
    if v in {"1", "true", "yes", "on"}:
        return True
    if v in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _cross_language(value: str) -> str:
    v = value.strip().lower()
    if v not in {"auto", "always"}:
        raise ValueError("must be auto or always")
    return v


def _count(value: str) -> int:
    n = int(value)
    if n < 0:
        raise ValueError("must be 0 or more")
    return n


def cores(quota: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """The cores this process may use: those it may run on (its affinity), or fewer where its
    container's CPU quota (cgroup v2's cpu.max, "200000 100000": two cores' time) allows less.
    A container sees every core of its host and may use only its quota's."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        n = os.cpu_count() or 1
    try:
        limit, period = quota.read_text().split()[:2]
        if limit != "max":
            n = min(n, max(1, -(-int(limit) // int(period))))
    except (OSError, ValueError, ZeroDivisionError):
        pass  # no quota file (not cgroup v2) or one unreadable: the affinity stands
    return n


# One web process per core by default, up to this many: each holds its own caches and
# connections, and past a few the database, not Python, is what a page waits on.
MAX_AUTO_PROCESSES = 8


def web_processes(settings: Settings) -> int:
    """The processes `serve` and `run` answer in: as set, else one per core they may use (at
    most 8)."""
    set_to: int = settings.web_processes
    return set_to or min(cores(), MAX_AUTO_PROCESSES)


OPTIONS: tuple[Option, ...] = (
    Option("data_dir", str, "./data", "Folder for the SQLite file and other local state."),
    Option(
        "database_url",
        str,
        "",
        "SQLAlchemy URL; empty means sqlite:///<data_dir>/newsweave.db. "
        "A postgresql:// URL selects PostgreSQL.",
        secret=True,
    ),
    Option("host", str, "127.0.0.1", "Address the web server listens on."),
    Option("port", int, 8080, "Port the web server listens on."),
    Option(
        "user_agent",
        str,
        "newsweave/0.1 (self-hosted news reader; +https://newsweave.invalid/bot)",
        "User-Agent sent with every request and matched against robots.txt.",
    ),
    Option("connect_timeout", float, 10.0, "Seconds to wait for a TCP/TLS connection."),
    Option("read_timeout", float, 20.0, "Seconds to wait for each chunk of a response."),
    Option("total_timeout", float, 60.0, "Seconds one request may take in all (slow drips)."),
    Option("max_response_bytes", int, 10_000_000, "Cap on a decoded response body."),
    Option("max_retries", int, 3, "Retries of a request on 5xx, 429 and network errors."),
    Option("retry_max_wait", float, 60.0, "Longest wait before a retry (also caps Retry-After)."),
    Option("per_host_concurrency", int, 2, "Requests in flight to one host at most."),
    Option("per_host_delay", float, 1.0, "Seconds between request starts to one host."),
    Option("concurrency", int, 16, "Requests in flight in all."),
    Option("respect_robots", _bool, True, "Obey robots.txt for page fetches."),
    Option("poll_interval", int, 1800, "Default seconds between polls of a source."),
    Option("max_article_attempts", int, 5, "Attempts to fetch an article page before giving up."),
    Option(
        "cross_language",
        _cross_language,
        "auto",
        "When an English article gets the vector that lets reports in other languages join "
        "its story: auto, once a source is labelled with another language or the site holds "
        "an article in one; always, from the first article.",
    ),
    Option(
        "page_cache_seconds",
        float,
        10.0,
        "Seconds an anonymous reader's page is kept in memory (0: never); a signed-in reader's "
        "page is built fresh around the article's part, which is kept as long.",
    ),
    Option(
        "secret_key",
        str,
        "",
        "Key that signs the site's form tokens; empty means a random one made once and kept "
        "in the database (shared by every web process).",
        secret=True,
    ),
    Option(
        "redis_url",
        str,
        "",
        "Redis URL (redis://host:6379/0) where web processes on several hosts share "
        "failed-login counts and session revocations; empty keeps them in a file in the data "
        "folder that the web processes of this host share.",
        secret=True,
    ),
    Option(
        "web_processes",
        _count,
        0,
        "Processes `serve` answers requests in, on one port; 0: one per core it may use (fewer "
        "under a container's CPU quota; at most 8). A Python process serves pages on one "
        "core: two on two cores served uncached pages up to "
        "twice as fast (100,000 articles on SQLite: For You at new addresses 316 -> 730 "
        "requests/s, p99 79 -> 57 ms; a new query every request 355 -> 639; bench/archive.py). "
        "They share logins and what each page cache knows in the data folder's web-state.bin "
        "(or in redis_url). `run` serves the same way, and collects and understands in the "
        "process that starts them.",
    ),
    Option(
        "redis_prefix",
        str,
        "newsweave:",
        "Prefix of newsweave's keys in Redis (two sites on one Redis need two prefixes).",
    ),
    Option(
        "llm_url",
        str,
        "",
        "Optional OpenAI-compatible endpoint (base URL ending in /v1) that writes summaries "
        "and key points; empty means the offline extractive summaries.",
    ),
    Option("llm_model", str, "", "Model name sent to the LLM endpoint."),
    Option("llm_api_key", str, "", "Bearer token for the LLM endpoint, if it needs one.", True),
    Option("llm_timeout", float, 60.0, "Seconds to wait for the LLM endpoint per article."),
    Option(
        "site_url",
        str,
        "",
        "The site's public address (https://news.example.org), for links in e-mails; empty "
        "means http://<host>:<port>.",
    ),
    Option(
        "smtp_url",
        str,
        "",
        "SMTP server for the daily digest e-mails: smtp://user:password@host:587 (STARTTLS "
        "when offered) or smtps://...:465; empty sends no e-mail.",
        secret=True,
    ),
    Option("smtp_from", str, "newsweave@localhost", "The From address of digest e-mails."),
    Option(
        "digest_hour",
        int,
        7,
        "Hour of the day (UTC) `run` and the workers mail each reader the digest of the day "
        "before, when smtp_url is set.",
    ),
    Option(
        "workers",
        int,
        0,
        "Processes for the CPU-heavy stages of a big batch: page extraction and the analyses "
        "(~450 MB each); 0: one per core, up to 4; 1: none, all in the collecting process.",
    ),
    Option(
        "search_index",
        _bool,
        True,
        "Keep a search engine (tantivy) beside the database in this machine's data folder, "
        "caught up by each web process, that ranks best-first searches: at 100,000 articles "
        "on PostgreSQL a new query's search 13-16 -> ~2.3 ms; false: the database ranks them.",
    ),
    Option(
        "load_default_sources",
        _bool,
        True,
        "On `run` with no source, load the default source list shipped with newsweave.",
    ),
)


@dataclass(frozen=True, slots=True)
class Settings:
    values: Mapping[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def database(self) -> str:
        """The effective database URL, with the driver newsweave uses for PostgreSQL."""
        url: str = self.values["database_url"]
        if not url:
            return f"sqlite:///{Path(self.values['data_dir']).resolve() / 'newsweave.db'}"
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    def redacted(self) -> dict[str, str]:
        """Effective values for `newsweave config`, secrets hidden."""
        out: dict[str, str] = {}
        for opt in OPTIONS:
            value = self.values[opt.name]
            out[opt.name] = "********" if opt.secret and value else str(value)
        return out


def load(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read every option from the environment; `overrides` (from CLI flags) win."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for opt in OPTIONS:
        raw = env.get(opt.env)
        if raw is None:
            values[opt.name] = opt.default
            continue
        try:
            values[opt.name] = opt.type(raw)
        except ValueError as exc:
            raise ConfigError(f"{opt.env}={raw!r} is not a valid {opt.name}: {exc}") from None
    for key, value in overrides.items():
        if key not in values:
            raise ConfigError(f"unknown setting {key!r}")
        if value is not None:
            values[key] = value
    return Settings(values)
