"""The one error tree of newsweave.

Every error newsweave raises on purpose is a `NewsweaveError`; callers catch the narrowest class
they can act on, and at the boundary (a source's status, an import report, a CLI message, an
HTTP error page) an error becomes data: its `str()` is a sentence meant for a person.

    NewsweaveError
    ├── ConfigError                a setting has a value that cannot be used
    ├── FetchError                 getting a URL failed (has .url)
    │   ├── HTTPStatusError        the server answered with an error status (has .status)
    │   │   └── GoneError          404/410: not there (a feed gone for good stops polling)
    │   ├── TooLargeError          the body grew past the size cap (also decompression bombs)
    │   ├── FetchTimeoutError      no answer, or no complete answer, in time
    │   ├── RobotsDisallowedError  robots.txt forbids the page for our user agent
    │   └── NetworkError           DNS, refused connection, TLS, broken transfer
    ├── ParseError                 a feed, OPML or dump that is not what it claims to be
    ├── ExtractionError            a page that holds no article text
    ├── ArchiveItemError           an archive item could not be imported (has .where)
    ├── StorageError               an article's results broke a database rule: it fails alone
    ├── SearchIndexError           the search index beside the database failed: it answers
    └── NotFoundError              a named thing (source, article) does not exist
"""

from __future__ import annotations


class NewsweaveError(Exception):
    """Base of every error newsweave raises on purpose."""


class ConfigError(NewsweaveError):
    """A setting has a value that cannot be used."""


class FetchError(NewsweaveError):
    """Getting a URL failed."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{message} ({url})")
        self.url = url
        self.reason = message


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(self, url: str, status: int, retry_after: float | None = None) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status
        self.retry_after = retry_after


class GoneError(HTTPStatusError):
    """404 or 410: the resource is not (or no longer) there."""


class TooLargeError(FetchError):
    """The (decoded) body grew past the configured cap."""


class FetchTimeoutError(FetchError):
    """No answer, or no complete answer, in time."""


class RobotsDisallowedError(FetchError):
    """robots.txt forbids this page for our user agent."""


class NetworkError(FetchError):
    """DNS failure, refused connection, TLS error or a broken transfer."""


class ParseError(NewsweaveError):
    """A document that cannot be read as what it claims to be."""


class ExtractionError(NewsweaveError):
    """A page that holds no article text."""


class ArchiveItemError(NewsweaveError):
    """An item of an archive could not be imported."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class StorageError(NewsweaveError):
    """One article's results broke a rule of the database (a bug, but this article's): it fails
    alone, rolled back, and the rest of its batch is stored."""


class SearchIndexError(NewsweaveError):
    """The search index beside the database (store/searchindex.py) failed; the database answers
    the search, and the index is caught up or built again on the keeper's next round."""


class NotFoundError(NewsweaveError):
    """A named thing (a source, an article) does not exist."""


class InvalidInputError(NewsweaveError):
    """A form or API field breaks a rule (too long, wrong shape, taken); the message says which,
    and `field` names it, so a form can show the message beside it."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class AuthError(NewsweaveError):
    """Wrong username or password, or no valid session."""


class ForbiddenError(NewsweaveError):
    """Signed in, but not allowed to do this (not the author, not a moderator, banned, late)."""


class RateLimitedError(NewsweaveError):
    """Too many attempts; `retry_after` seconds until the next one may succeed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
