"""Identity of an article: its canonical URL, its identity key and its content hash.

`canonical_url` is a clean link (safe to show and follow); `url_key` is stricter and only for
identity: it also folds the scheme, `www.`/`m.`/`amp.` hosts and AMP paths, so the same article
seen in a feed, re-fetched, and imported from an archive maps to one key.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

__all__ = ["canonical_url", "content_hash", "text_key", "url_key"]

# Query parameters that only track the reader. Prefixes end with "_".
_TRACKING_PREFIXES = ("utm_", "mc_", "ns_", "at_", "pk_", "mtm_", "hsa_", "oly_", "_hs")
_TRACKING = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "twclid",
        "ref", "ref_src", "ref_url", "referrer", "cmpid", "cmp", "ocid", "smid",
        "smtyp", "s_cid", "spm", "ito", "guccounter", "guce_referrer", "guce_referrer_sig",
        "_ga", "_gl", "amp", "outputtype", "share", "taid", "xtor", "wt_mc",
        "__twitter_impression", "mkt_tok", "vero_id", "intcmp",
    }
)  # fmt: skip
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_PATH = re.compile(r"(/amp)(?=/|$)|\.amp(?=$|\.html?$)", re.I)
_HOST_PREFIXES = ("www.", "amp.", "m.", "mobile.")
_WORD = re.compile(r"\w+", re.UNICODE)


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING or low.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The URL with tracking, fragment, default port, case and trailing-slash noise removed.

    Raises ValueError for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"bad port in URL: {url!r}") from None
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    # Re-quote the path so that %7E and ~ (and other equivalent spellings) compare equal.
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~%") or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if not _is_tracking(k))
    )  # fmt: skip
    return urlunsplit((scheme, netloc, path, query, ""))


def url_key(url: str) -> str:
    """The identity key of a URL: canonical, scheme-less, mobile/AMP/www variants folded."""
    parts = urlsplit(canonical_url(url))
    host = parts.netloc
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    path = _AMP_PATH.sub("", parts.path) or "/"
    key = f"{host}{path if path != '/' else ''}"
    return f"{key}?{parts.query}" if parts.query else key


def _normal_words(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(folded))


def text_key(text: str) -> str:
    """Case-, punctuation- and spacing-insensitive form of a short text (a title)."""
    return _normal_words(text)


def content_hash(text: str) -> str:
    """A hash of the words of a text: equal for the same article whatever its formatting."""
    return hashlib.sha256(_normal_words(text).encode("utf-8")).hexdigest()[:32]
