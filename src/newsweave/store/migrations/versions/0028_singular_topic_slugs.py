"""one tag for a subject in either number

Outlets write "polls" and "a poll", and each made a tag of its own ("polls", "poll"): on 1,883
public texts 234 such pairs. enrich.hashtags now slugs a topic from its words with the head in
the singular. Here a site's topic and event tags whose slug ends in a plural take the singular
slug: the topic or event tag that already has it absorbs them (articles, followers and
muters), or they are renamed; either way the old slug stays as an alias, so its URL redirects
and later articles that spell the plural land on the same tag. A person, place or
organisation that holds the singular slug ("Paris" against a topic "Pari") is left alone.

The singular is written out here, as enrich.plurals has it at this revision, rather than
imported (store may not import enrich, and this revision must mean what it meant when the
rule changes later); the merge is 0027's.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 23:40:00
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INVARIANT = frozenset(
    """
    news means series species headquarters whereabouts arms thanks odds goods lens
    jeans pants scissors clothes premises outskirts remains savings belongings rights affairs
    customs glasses barracks hustings
    """.split()  # noqa: SIM905 - a word list reads better as words
)


def _singular(word: str) -> str:
    from wordfreq import zipf_frequency

    def zipf(w: str) -> float:
        return float(zipf_frequency(w, "en"))

    if len(word) < 4 or not word.endswith("s") or word in _INVARIANT:
        return word
    if word.endswith(("ss", "us", "is", "ics", "os", "as")):
        return word
    if word.endswith("ies"):
        candidates: tuple[str, ...] = (word[:-3] + "y", word[:-1])
    elif word.endswith("ves"):
        candidates = (word[:-3] + "f", word[:-3] + "fe", word[:-1])
    elif word.endswith(("sses", "xes", "zes", "ches", "shes")):
        candidates = (word[:-2], word[:-1])
    elif word.endswith("ses"):
        pair = sorted((word[:-2] + "is", word[:-1]), key=lambda c: -zipf(c))
        candidates = (*pair, word[:-2])
    elif word.endswith("es"):
        candidates = (word[:-1], word[:-2])
    else:
        candidates = (word[:-1],)
    floor = max(zipf(word) - 1.0, 0.0)
    return next((c for c in candidates if zipf(c) > floor), word)


def upgrade() -> None:
    merge = importlib.import_module(
        "newsweave.store.migrations.versions.0027_apostrophe_slugs"
    )._merge
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, slug FROM tags WHERE kind IN ('topic', 'event') AND slug LIKE :q "
            "ORDER BY id"
        ),
        {"q": "%s"},
    ).all()
    for tag_id, old in rows:
        head, _, last = str(old).rpartition("-")
        one = _singular(last)
        if one == last:
            continue
        new = f"{head}-{one}" if head else one
        into = conn.execute(
            sa.text(
                "SELECT id, kind FROM tags WHERE slug = :s UNION ALL SELECT t.id, t.kind "
                "FROM tag_aliases a JOIN tags t ON t.id = a.tag_id WHERE a.slug = :s"
            ),
            {"s": new},
        ).first()  # the tag of that slug, or the one it was merged into
        if into is not None and (into.kind not in ("topic", "event") or into.id == tag_id):
            continue
        if into is None:
            conn.execute(
                sa.text("UPDATE tags SET slug = :s WHERE id = :i"), {"s": new, "i": tag_id}
            )
        else:
            merge(conn, tag_id, into.id)
        conn.execute(sa.text("DELETE FROM tag_aliases WHERE slug = :s"), {"s": old})
        conn.execute(
            sa.text("INSERT INTO tag_aliases (slug, tag_id) VALUES (:s, :i)"),
            {"s": old, "i": into.id if into is not None else tag_id},
        )


def downgrade() -> None:
    """Nothing to undo: the old slugs are aliases of the tags they named."""
