"""The daily digest: the top stories of what a reader follows over a day, as a page, an Atom
feed and an e-mail.

A digest gathers the articles the reader's follows reached in the window (muted things left
out), groups them by story, and ranks the stories by how many outlets covered them in the
window, then by freshness: the day's biggest events of their follows first, ten at most. The
e-mail goes through the SMTP server the operator configures (`NEWSWEAVE_SMTP_URL`); one
address that fails never stops the others.
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from html import escape
from urllib.parse import unquote, urlsplit

from sqlalchemy import Connection

from newsweave.errors import ConfigError
from newsweave.reading import Reader, reader
from newsweave.store import reading as store
from newsweave.store.accounts import UserRow, get_user
from newsweave.store.db import Database
from newsweave.store.views import ArticleCard

__all__ = [
    "Digest",
    "DigestStory",
    "Mailer",
    "build",
    "feed_token",
    "send_all",
    "text_of",
]

TOP = 10
ARTICLES_PER_STORY = 3
_CANDIDATES = 500  # articles of the window considered: a day of a big follow list fits


@dataclass(frozen=True, slots=True)
class DigestStory:
    title: str
    story_id: int | None
    outlets: list[str]
    articles: list[ArticleCard]


@dataclass(frozen=True, slots=True)
class Digest:
    since: datetime
    until: datetime
    stories: list[DigestStory] = field(default_factory=list)


def build(conn: Connection, r: Reader, since: datetime, until: datetime) -> Digest:
    """The reader's digest of [since, until)."""
    cards = store.stream(conn, r.follows, r.mutes, since=since, until=until, limit=_CANDIDATES)
    groups: dict[tuple[str, int], list[ArticleCard]] = {}
    for c in cards:  # newest first
        key = ("story", c.story_id) if c.story_id is not None else ("article", c.id)
        groups.setdefault(key, []).append(c)
    story_ids = [ident for kind, ident in groups if kind == "story"]
    titles = {i: name for i, name, _ in store.named(conn, "story", story_ids)}
    stories = []
    for (kind, ident), members in groups.items():
        outlets = sorted({m.source for m in members})
        title = titles.get(ident) if kind == "story" else None
        stories.append(
            DigestStory(
                title=title or members[0].title or "(untitled)",
                story_id=ident if kind == "story" else None,
                outlets=outlets,
                articles=members[:ARTICLES_PER_STORY],
            )
        )
    stories.sort(key=lambda s: (-len(s.outlets), -s.articles[0].at.timestamp()))
    return Digest(since, until, stories[:TOP])


def day_window(day: datetime) -> tuple[datetime, datetime]:
    start = day.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def feed_token(secret: bytes, user_id: int, generation: int = 0) -> str:
    """The secret part of a reader's digest feed address (a feed reader sends no cookie). A
    new `generation` (the reader's "new address") makes a new one and voids the old; the
    first generation's addresses are those made before there were generations."""
    message = f"digest-feed:{user_id}" + (f":{generation}" if generation else "")
    mac = hmac.new(secret, message.encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def check_feed_token(secret: bytes, user_id: int, generation: int, token: str) -> bool:
    return hmac.compare_digest(feed_token(secret, user_id, generation), token)


def text_of(d: Digest, base_url: str) -> str:
    """The plain-text digest (the e-mail's body, which every client shows)."""
    if not d.stories:
        return "Nothing new from what you follow in this digest's day.\n"
    lines = []
    for n, s in enumerate(d.stories, 1):
        lines.append(f"{n}. {s.title}")
        lines.append(f"   {len(s.outlets)} outlets: {', '.join(s.outlets)}")
        if s.story_id is not None:
            lines.append(f"   {base_url}/stories/{s.story_id}")
        for a in s.articles:
            lines.append(f"   - {a.source}: {a.title or '(untitled)'} {base_url}/articles/{a.id}")
        lines.append("")
    return "\n".join(lines)


def html_of(d: Digest, base_url: str) -> str:
    """The digest as an HTML fragment (the e-mail's HTML part, the Atom entries' content)."""
    if not d.stories:
        return "<p>Nothing new from what you follow in this digest's day.</p>"
    parts = ["<ol>"]
    for s in d.stories:
        head = escape(s.title)
        if s.story_id is not None:
            head = f'<a href="{base_url}/stories/{s.story_id}">{head}</a>'
        links = "".join(
            f'<li>{escape(a.source)}: <a href="{base_url}/articles/{a.id}">'
            f"{escape(a.title or '(untitled)')}</a></li>"
            for a in s.articles
        )
        parts.append(
            f"<li><strong>{head}</strong> <small>{len(s.outlets)} outlets: "
            f"{escape(', '.join(s.outlets))}</small><ul>{links}</ul></li>"
        )
    parts.append("</ol>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Mailer:
    """Where digests go out: `smtp://user:password@host:port` (STARTTLS when the server
    offers it), `smtps://...` (TLS from the start); `sender` is the From address."""

    url: str
    sender: str
    timeout: float = 30.0

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigError(
                f"the SMTP URL must be smtp://host:port or smtps://host:port, not {self.url!r}"
            )
        if "@" not in self.sender:
            raise ConfigError(f"the digest's From address {self.sender!r} is not an address")

    def connect(self) -> smtplib.SMTP:
        parts = urlsplit(self.url)
        host, port = parts.hostname or "", parts.port
        if parts.scheme == "smtps":
            server: smtplib.SMTP = smtplib.SMTP_SSL(
                host, port or 465, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port or 25, timeout=self.timeout)
            server.ehlo()
            if server.has_extn("starttls"):
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
        if parts.username:
            server.login(unquote(parts.username), unquote(parts.password or ""))
        return server


def message(mailer: Mailer, user: UserRow, d: Digest, base_url: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"Your newsweave digest: {d.until.date().isoformat()}"
    msg["From"] = mailer.sender
    msg["To"] = formataddr((user.username, user.email or ""))
    msg["Message-ID"] = make_msgid(domain="newsweave.invalid")
    msg["List-Unsubscribe"] = f"<{base_url}/following>"
    msg.set_content(text_of(d, base_url))
    msg.add_alternative(f"<html><body>{html_of(d, base_url)}</body></html>", subtype="html")
    return msg


@dataclass(slots=True)
class Report:
    sent: int = 0
    empty: int = 0
    failed: list[str] = field(default_factory=list)


def send_all(
    db: Database,
    mailer: Mailer,
    until: datetime,
    base_url: str,
    user_ids: Sequence[int] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> Report:
    """Mail each reader with an address and follows the digest of the day before `until`. A
    reader with nothing new gets no mail; a refused address is reported, the rest go out."""
    report = Report()
    with db.connect() as conn:
        ids = list(user_ids) if user_ids is not None else store.digest_readers(conn)
    if not ids:
        return report
    server = mailer.connect()
    try:
        for uid in ids:
            with db.connect() as conn:
                user = get_user(conn, uid)
                if user is None or not user.email:
                    continue
                d = build(conn, reader(conn, user), until - timedelta(days=1), until)
            if not d.stories:
                report.empty += 1
                continue
            try:
                server.send_message(message(mailer, user, d, base_url))
                report.sent += 1
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                problem = f"{user.username} <{user.email}>: the server refused it ({exc})"
                report.failed.append(problem)
                if on_error:
                    on_error(problem)
    finally:
        try:
            server.quit()
        except smtplib.SMTPException:
            server.close()
    return report
