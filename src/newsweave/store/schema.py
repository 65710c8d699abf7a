"""The tables of newsweave, for SQLite and PostgreSQL alike.

The data model carries the whole product: articles and their progress, the raw pages they came
from, the analyses of enrichment (tags, entities, attributions, embeddings, related articles,
stories) and the site's users, sessions and comments. Alembic migrations (migrations/) create
it; a test checks that upgrading an empty database gives exactly this schema on both engines.
Full-text search lives beside it, per engine (migrations create it): FTS5 on SQLite, a generated
`tsvector` column on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    text,
)

__all__ = ["ARTICLE_TIME", "metadata"]

# Names for constraints and indexes, so that migrations can refer to them on every engine.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (which has no time zones) too."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQL results on SQLite
            value = datetime.fromisoformat(value)
        aware: datetime = value
        return aware.replace(tzinfo=UTC) if aware.tzinfo is None else aware.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("feed_url", String(2000), unique=True),  # NULL for archive-only sources
    Column("homepage", String(2000)),
    Column("language", String(16)),
    Column("country", String(64)),
    Column("ownership", String(64)),
    Column("kind", String(64)),
    # Where the outlet stands (left, centre, right, or any scale the operator uses): the
    # perspective a story's coverage is split by, and what its blindspot is measured on.
    Column("lean", String(64)),
    Column("poll_interval", Integer, nullable=False, default=1800),
    Column("status", String(16), nullable=False, default="active"),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    Column("last_polled_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_error", Text),  # of the last failed poll; cleared by a good one
    Column("error_count", Integer, nullable=False, default=0),
    Column("last_warning", Text),  # of the last good poll that read a malformed feed
    Column("next_poll_at", UTCDateTime, index=True),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    # Identity: the URL key (ingest.identity.url_key), or for an article that has no URL a
    # key made of its source and title. Unique: a retry or re-import finds the same row.
    Column("ident", String(2200), nullable=False, unique=True),
    Column("url", String(2000)),
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("guid", String(2000)),
    Column("title", Text),
    Column("title_key", String(500)),
    Column("text", Text, nullable=False, default=""),
    Column("summary", Text),  # the feed's teaser until enrichment writes a real summary
    Column("byline", String(500)),
    # The publisher's section or schema.org type ("Opinion", "OpinionNewsArticle"): genre.
    Column("section", String(200)),
    Column("description", Text),
    Column("image", String(2000)),
    Column("language", String(16)),
    Column("published_at", UTCDateTime),
    Column("first_seen_at", UTCDateTime, nullable=False, default=_now),
    Column("fetched_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False, default=_now),
    Column("content_hash", String(64), index=True),
    Column("version", Integer, nullable=False, default=1),
    Column("state", String(16), nullable=False, default="discovered"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime),
    Column("last_error", Text),
    Column("duplicate_of", ForeignKey("articles.id", ondelete="SET NULL")),
    Column("story_id", ForeignKey("stories.id", ondelete="SET NULL"), index=True),
    # The order of the cross-article step (copies, related, story), which runs one article at
    # a time across every process: the latest time it ran on this article, and the first.
    # A process catches its memory up by the latest; a copy's original is the earlier first.
    Column("understood_seq", BigInteger, index=True),
    Column("first_understood_seq", BigInteger),
    Index("ix_articles_state_next_attempt", "state", "next_attempt_at"),
    Index("ix_articles_published", "published_at"),
    Index("ix_articles_source_published", "source_id", "published_at"),
    Index("ix_articles_source_title", "source_id", "title_key"),
)

# Lists are newest first by the article's time (published, else first seen) and id: the front
# page, a source's or a story's articles, the API's and the feeds' pages (keyset on both). An
# index on that very expression reads a page of any list straight off the index; without it
# every list sorted the whole archive (bench/archive.py: the API list ~9 ms at 5,000 articles,
# growing with the archive).
ARTICLE_TIME = func.coalesce(articles.c.published_at, articles.c.first_seen_at)
Index("ix_articles_time", ARTICLE_TIME, articles.c.id)
Index("ix_articles_source_time", articles.c.source_id, ARTICLE_TIME, articles.c.id)
# A story's copies are left out off the index, before their rows are read (see below).
Index(
    "ix_articles_story_time",
    articles.c.story_id,
    ARTICLE_TIME,
    articles.c.id,
    articles.c.duplicate_of,
)
# An article in brief: what is read of many articles at once, the cross-article step's ~60
# candidates for each article (vectors.neighbour_times) and a search's 1,000 newest matches
# (store/search.py). On SQLite these columns follow the text in the row, and reading them walks
# its overflow pages (~2.4 pages an article against ~1/70th of a page off this index: 0015).
Index(
    "ix_articles_brief",
    articles.c.id,
    articles.c.state,
    articles.c.duplicate_of,
    articles.c.source_id,
    articles.c.language,
    articles.c.published_at,
    articles.c.first_seen_at,
    articles.c.story_id,
    articles.c.first_understood_seq,
)

# The articles that are not readable originals (copies, pages not extracted: ~3 % of an
# archive): an unfiltered search checks its matches against these few instead of looking each
# up in the brief index (store/search.py, _SQLITE_READABLE; migration 0020).
_UNREADABLE = text("state NOT IN ('extracted', 'enriched') OR duplicate_of IS NOT NULL")
Index(
    "ix_articles_unreadable",
    articles.c.id,
    sqlite_where=_UNREADABLE,
    postgresql_where=_UNREADABLE,
)

# The articles in a language other than English: whether the site holds any in one of the
# cross-language model's languages decides whether English articles get that vector
# (articles.holds_language, pipeline.enrich_many), asked before every batch; on an
# English-only site this index holds a few misread pages, not the archive (0025).
_OTHER_LANGUAGE = text("language <> 'en'")
Index(
    "ix_articles_other_language",
    articles.c.language,
    sqlite_where=_OTHER_LANGUAGE,
    postgresql_where=_OTHER_LANGUAGE,
)

# Other URLs of an article: redirects, AMP and mobile variants, syndicated copies' URLs.
article_urls = Table(
    "article_urls",
    metadata,
    Column("ident", String(2200), primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
)

# The page an article was extracted from, zlib-compressed: re-extraction needs no re-fetch.
article_raw = Table(
    "article_raw",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("content_type", String(200)),
    Column("body", LargeBinary, nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
)

# One row per analysis per article: its result (JSON) or the error that stopped it.
analyses = Table(
    "analyses",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("version", String(32), nullable=False),
    Column("data", JSON),
    Column("error", Text),
    Column("computed_at", UTCDateTime, nullable=False, default=_now),
)

tags = Table(
    "tags",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slug", String(200), nullable=False, unique=True),
    Column("label", String(200), nullable=False),
    Column("display", String(200), nullable=False),  # "#AlaskaSummit"
    Column("kind", String(32)),  # person, org, place, event, topic
    # The operator named it (`newsweave tags rename`): its articles' forms no longer move the
    # label or the kind (tag_forms).
    Column("named", Boolean, nullable=False, server_default=false()),
)

# How the site's articles write each tag under its own slug ("Gun control" 8, "Gun controls"
# 1; Facebook an org 9 times, a topic once), counted as the tags are stored (migration 0029):
# a tag's label and kind are the ones most of its articles give, not the first article's.
tag_forms = Table(
    "tag_forms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), nullable=False),
    Column("label", String(200), nullable=False),
    Column("kind", String(32), nullable=False),  # "" for none
    Column("display", String(200), nullable=False),
    Column("n", Integer, nullable=False),
    # Votes of articles that show the kind themselves (a company's legal form, ticker or CEO:
    # "Pfizer Inc"), counted apart: they decide the kind over any number of the model's readings
    # (migration 0030).
    Column("sure", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("tag_id", "label", "kind", "sure", name="uq_tag_forms"),
)

# A slug that once named a tag (merged, folded or renamed) and the tag it is now: old URLs
# redirect, and articles that name it later land on the tag (store/tags.py).
tag_aliases = Table(
    "tag_aliases",
    metadata,
    Column("slug", String(200), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), nullable=False, index=True),
)

article_tags = Table(
    "article_tags",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("score", Float, nullable=False, default=0.0),
    # The form this article gave (tag_forms.id), taken back when its tags are stored again;
    # NULL for links made before 0029 or moved by a merge. Not a foreign key: a form goes with
    # its tag, and a link moved off a merged tag is cleared by the merge itself.
    Column("form_id", Integer),
)

# How many articles each tag is on, kept by triggers on article_tags (migration 0022): the
# hashtags index reads the most used tags off it instead of counting the archive's tag links.
tag_counts = Table(
    "tag_counts",
    metadata,
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, nullable=False),
    Index("ix_tag_counts_n", "n"),
)

# How many readable originals each source has (migration 0023): `source_counts` as of the last
# fold, `source_count_moves` the +1 / -1 appended by triggers on articles since; a count is the
# two added (store.sources.fold_counts, store.views.source_list). Moves, not a counter updated
# in place: collecting, extraction and the cross-article step change one source's articles
# concurrently, and a counter row would be a lock each of them waits on.
source_counts = Table(
    "source_counts",
    metadata,
    Column("source_id", ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True),
    Column("n", Integer, nullable=False),
)
source_count_moves = Table(
    "source_count_moves",
    metadata,
    Column("source_id", Integer, nullable=False),  # no foreign key: see migration 0023
    Column("d", Integer, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("type", String(16), nullable=False),  # PER, ORG, LOC, ...
    UniqueConstraint("name", "type", name="uq_entities_name_type"),
)

article_entities = Table(
    "article_entities",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "entity_id", ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
    Column("count", Integer, nullable=False, default=1),
)

attributions = Table(
    "attributions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("speaker", String(300)),
    Column("entity_id", ForeignKey("entities.id", ondelete="SET NULL")),
    Column("cue", String(64)),
    Column("content", Text, nullable=False),
    Column("kind", String(16), nullable=False),  # direct, indirect, according_to
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)

# The multilingual vector (enrich/crosslingual.py) of each article in a language MiniLM does not
# read (crosslingual.MINILM_BLIND: Russian, Chinese...): their related articles are found by it
# (understanding.Memory.xindex). Other articles' are not kept: their stories hold the sums.
crosslingual_embeddings = Table(
    "crosslingual_embeddings",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("vector", LargeBinary, nullable=False),  # float32, little-endian
)

embeddings = Table(
    "embeddings",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(200), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float32, little-endian
    # What related ranking shares with other articles (entity names, hashtag slugs), as the
    # analysis made them: fixed once understood, so every process reads the same names
    # (the tags they link to may later be folded into another's).
    Column("names", JSON),
    # How many vectors a model has decides the related index's kind and size before any is
    # read (understanding.Memory): counted off this index, not off 1.5 GB of vectors at a
    # million articles (migration 0016).
    Index("ix_embeddings_model", "model"),
)

# The centres of the approximate vector index's lists (enrich.related.ApproximateIndex), learned
# once by whichever process first needed them and read by every other: k-means over a million
# articles' vectors takes ~35 s, which each worker paid at start-up, and processes that learned
# their own centres could each miss different neighbours.
index_centres = Table(
    "index_centres",
    metadata,
    Column("model", String(200), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("lists", Integer, nullable=False),
    Column("centres", LargeBinary, nullable=False),  # float32, lists x dim, little-endian
)

# Near-duplicate detection (enrich.neardup): each article's MinHash signature, and its band keys,
# indexed so that finding the candidates of a new article is one lookup.
minhashes = Table(
    "minhashes",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("signature", LargeBinary, nullable=False),  # uint64, little-endian
)

minhash_bands = Table(
    "minhash_bands",
    metadata,
    Column("band", BigInteger, primary_key=True),
    Column(
        "article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)

related = Table(
    "related",
    metadata,
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("score", Float, nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("summary", Text),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False, index=True),
    Column("article_count", Integer, nullable=False, default=0),
    Column("outlet_count", Integer, nullable=False, default=0),
    # The sums of the members' unit embeddings (float32) and of their keyword vectors (the
    # heaviest terms): the story clusterer's state, read back when a process starts.
    Column("centroid", LargeBinary),
    Column("terms", JSON),
    # The sum of the members' cross-language vectors (float32), how many members it holds (NULL:
    # all of them, as before 0025), and the first member's language: what an article in
    # another language is compared by (enrich/stories.py).
    Column("crosslingual", LargeBinary),
    Column("crosslingual_count", Integer),
    Column("language", String(16)),
    Column("closed", Boolean, nullable=False, default=False),
    # The understanding step (articles.understood_seq) that last changed the story.
    Column("seq", BigInteger, index=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("email", String(320), unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False, default="reader"),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("last_login_at", UTCDateTime),
    Column("banned_at", UTCDateTime),
    # "Mark all as read": every article up to this time is read unless marked otherwise
    # (one row per article would be a million inserts on a year's archive).
    Column("read_until", UTCDateTime),
    # The Fever API's key: md5("username:app password"), as Fever clients send it (Fever's
    # protocol; the app password is made for it and is not the account's).
    Column("fever_key", String(32), index=True),
    # Part of the private digest feed's address: moved on to replace a leaked address
    # (digest.feed_token; migration 0017).
    Column("feed_generation", Integer, nullable=False, default=0, server_default="0"),
)

# What a reader follows: a tag, a source, or a story. A story is held by the article it was
# followed from (kind "story", target = that article's id), since `reindex` rebuilds stories
# under new ids and the reader follows the event, not the row.
follows = Table(
    "follows",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("target_id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("folder", String(100)),  # the reader app's folder (Google Reader label) it is in
)

# What a reader never wants to see: a source, a tag (target_id) or a keyword.
mutes = Table(
    "mutes",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("target_id", Integer, primary_key=True, default=0),
    Column("keyword", String(100), primary_key=True, default=""),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
)

saved = Table(
    "saved",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
)

# Read state where it differs from users.read_until: read (or unread again) one by one; and
# whether the reader opened it (what For You widens from), not just marked it read.
reads = Table(
    "reads",
    metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("is_read", Boolean, nullable=False),
    Column("opened", Boolean, nullable=False, default=False),
    Column("at", UTCDateTime, nullable=False, default=_now),
    Index("ix_reads_user_at", "user_id", "at"),
)

# Keys the site signs with, made once and shared by every web process on every host (a file in
# the data folder would give each host its own, and a form made by one would fail on another).
site_secrets = Table(
    "site_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(200), nullable=False),
)

# Counters every process reads to know what changed under it: "stories-generation" goes up
# when the stories are rebuilt from scratch (reindex), so a process drops what it remembers.
site_state = Table(
    "site_state",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# `search_changes` (migration 0021), the log of articles whose search entry changed, is written
# by triggers and read by store/searchindex.py in SQL of its own; it is not declared here, as
# its columns differ between the databases (PostgreSQL's holds the writing transaction's id).

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("expires_at", UTCDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(100)),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("last_used_at", UTCDateTime),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", ForeignKey("articles.id", ondelete="CASCADE"), index=True),
    Column("story_id", ForeignKey("stories.id", ondelete="CASCADE"), index=True),
    Column("parent_id", ForeignKey("comments.id", ondelete="CASCADE"), index=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("body", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("edited_at", UTCDateTime),
    Column("deleted_at", UTCDateTime),
    Column("hidden_at", UTCDateTime),
    Column("hidden_by", ForeignKey("users.id", ondelete="SET NULL")),
)

comment_reports = Table(
    "comment_reports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("reason", Text),
    Column("created_at", UTCDateTime, nullable=False, default=_now),
    Column("resolved_at", UTCDateTime),
    UniqueConstraint("comment_id", "user_id", name="uq_comment_reports_comment_user"),
)
