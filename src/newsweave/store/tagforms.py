"""A tag's label and kind: the ones most of its articles give, not the first article's.

Articles write one thing several ways under one slug: "Gun control" and "Gun controls" (one
slug since topics are slugged in the singular), "Prime Minister" and "Prime minister", "LOS
ANGELES" in a dateline; and spaCy types one name differently from article to article (Facebook
an organisation or a topic, Carly Fiorina a person or an organisation). On 1,883 public texts
40 tags' first label and 22 tags' first kind were not the ones most of their articles gave.

Each article's tags vote for the form they were written in (`tag_forms`); the link remembers the
form it counted (`article_tags.form_id`), so an article stored again (reindex) takes its vote
back first. Only a form under the tag's own slug votes: "Trump" folded into "Donald Trump", or
an acronym into its body, names the tag without being its name. A label the operator chose
(`tags rename`, `tags.named`) stays whatever the votes say.

A vote is not always a guess. spaCy's small model reads a bare "Pfizer" as a person in 17 of its
19 articles of allsides-dev; the 2 that write "Pfizer Inc" or "Pfizer (PFE.N)" show a company,
which no person is. Such votes (`sure`, from enrich.entities) are counted apart and decide the
kind whenever there is one; the label is still the commonest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, select, update

from newsweave.store import upserts
from newsweave.store.schema import tag_aliases, tag_forms, tags
from newsweave.store.tags import TagRow
from newsweave.words import slugify

__all__ = ["Form", "count", "take_back"]


@dataclass(frozen=True, slots=True)
class Form:
    label: str
    kind: str
    display: str
    sure: bool = False  # the article shows the kind itself (Hashtag.sure)


def take_back(conn: Connection, form_ids: Sequence[int]) -> None:
    """An article's tags are stored again: the forms its old links counted lose its votes."""
    if form_ids:
        conn.execute(
            update(tag_forms).where(tag_forms.c.id.in_(form_ids)).values(n=tag_forms.c.n - 1)
        )


def count(conn: Connection, forms: Mapping[int, tuple[TagRow, Form]]) -> dict[int, int]:
    """Count each tag's form (tag id -> the tag as it stands, and how one article wrote it
    under the tag's own slug) and give a tag whose commonest label or kind changed that label
    and kind. Returns the form ids counted, by tag, for the article's links."""
    if not forms:
        return {}
    votes = [
        {
            "tag_id": tid,
            "label": f.label[:200],
            "kind": f.kind or "",
            "display": f.display[:200],
            "n": 1,
            "sure": f.sure,
        }
        for tid, (_, f) in forms.items()
    ]
    counted = conn.execute(_vote(conn.dialect.name), votes).all()
    ids = {int(r.tag_id): int(r.id) for r in counted}
    # A form first seen whose own slug is not the tag's ("Vaccines" of the tag "vaccine",
    # slugged in the singular) is left as an alias: /tags/vaccines finds the tag, and an
    # article that slugs it so later lands there.
    fresh = {int(r.tag_id) for r in counted if r.n == 1}
    other = [
        {"slug": slug, "tag_id": tid}
        for tid in fresh
        if (slug := slugify(forms[tid][1].label)) and slug != forms[tid][0].slug
    ]
    if other:
        upserts.insert_missing(conn, tag_aliases, other, ["slug"])
    # A vote for the tag's present label and kind cannot unseat them: only the tags given
    # another form need all their forms read (a few an article; one statement either way).
    moved = [
        tid
        for tid, (tag, f) in forms.items()
        if not tag.named and (f.label[:200], f.kind or "") != (tag.label, tag.kind or "")
    ]
    if not moved:
        return ids
    rows = conn.execute(
        select(
            tag_forms.c.tag_id,
            tag_forms.c.label,
            tag_forms.c.kind,
            tag_forms.c.display,
            tag_forms.c.n,
            tag_forms.c.sure,
        ).where(tag_forms.c.tag_id.in_(moved))
    ).all()
    by_tag: dict[int, list[tuple[str, str, str, int, bool]]] = {}
    for r in rows:
        by_tag.setdefault(r.tag_id, []).append((r.label, r.kind, r.display, r.n, bool(r.sure)))
    for tid, seen in by_tag.items():
        tag = forms[tid][0]
        label, display, kind = _leading(seen, tag.label, tag.kind or "")
        values: dict[str, str | None] = {}
        if label != tag.label:
            values |= {"label": label, "display": display}
        if kind != (tag.kind or ""):
            values["kind"] = kind or None
        if values:
            conn.execute(update(tags).where(tags.c.id == tid).values(**values))
    return ids


@cache
def _vote(dialect: str) -> Any:
    """The counting upsert, built once per dialect (building it cost ~0.1 ms an article)."""
    stmt = upserts.insert_for(dialect, tag_forms).on_conflict_do_update(
        index_elements=["tag_id", "label", "kind", "sure"], set_={"n": tag_forms.c.n + 1}
    )
    return stmt.returning(tag_forms.c.id, tag_forms.c.tag_id, tag_forms.c.n)


def _leading(
    seen: list[tuple[str, str, str, int, bool]], label: str, kind: str
) -> tuple[str, str, str]:
    """(label, its display, kind) most often given; a tie keeps a label that is not shouted in
    capitals ("LOS ANGELES" of a dateline), then the tag's own `label` and `kind`, which stand
    as candidates with their votes, if any. The display is the label's most voted one, or ""
    for the tag's own label where no article gave it (the tag keeps its display). Where any
    article showed the kind (a sure vote), the kind is the one such articles most often gave."""
    labels: Counter[str] = Counter({label: 0})
    kinds: Counter[str] = Counter({kind: 0})
    shown: Counter[str] = Counter()
    displays: dict[str, tuple[int, str]] = {}
    for lab, kin, dis, n, sure in seen:
        labels[lab] += n
        kinds[kin] += n
        if sure and n > 0:
            shown[kin] += n
        displays[lab] = max(displays.get(lab, (-1, dis)), (n, dis))
    best = max(labels, key=lambda x: (labels[x], not _shouted(x), x == label))
    pool = shown or kinds
    best_kind = max(pool, key=lambda k: (pool[k], k == kind))
    return best, displays.get(best, (0, ""))[1], best_kind


def _shouted(label: str) -> bool:
    return label.isupper() and any(len(w) > 5 for w in label.split())
