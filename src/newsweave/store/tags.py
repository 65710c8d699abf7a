"""Tags across the site: one tag per thing, whatever each article calls it.

Within an article the analyses already make one name of "Putin", "President Putin" and
"Vladimir Putin" (enrich.entities). Across articles an outlet that only writes "Biden", or only
"RSF", must still land on the one tag the others use: a bare surname folds into the person tag
the site uses most under that surname (when it clearly dominates: Joe Biden's 40 articles
against Hunter Biden's 3), an acronym into the name the first article that spelt it out
("Rapid Support Forces (RSF)") gave it. A folded or
merged tag leaves an alias behind (`tag_aliases`), so its old URL redirects and later articles
that name it land on its new tag; an operator's `newsweave tags merge` and `tags rename` are
the same operation and stick the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, or_, select, update

from newsweave.errors import InvalidInputError, NotFoundError
from newsweave.store import locks, upserts
from newsweave.store.schema import article_tags, follows, mutes, tag_aliases, tag_counts, tags
from newsweave.words import NAME_PARTICLES, family_name, goes_by, particle_surname, slugify

__all__ = [
    "TagRow",
    "by_slug",
    "drop_empty",
    "exists",
    "find",
    "fold",
    "is_short",
    "lookup",
    "may_fold",
    "merge",
    "merge_slugs",
    "moved_to",
    "rename",
    "settle",
    "short_form",
]

# A bare surname folds into the most used full name only when that one clearly leads.
_DOMINANCE = 2.0
_BODIES = frozenset({"org", "place", "event"})


@dataclass(frozen=True, slots=True)
class TagRow:
    id: int
    slug: str
    label: str
    kind: str | None
    named: bool = False  # the operator chose the label (store.tagforms)


def by_slug(conn: Connection, slugs: Iterable[str]) -> tuple[dict[str, int], set[str]]:
    """Tag ids by slug, of live tags and of aliases (an alias gives the tag it now points at),
    and which of the slugs found were aliases."""
    ids, aliased, _ = lookup(conn, slugs)
    return ids, aliased


def lookup(
    conn: Connection, slugs: Iterable[str]
) -> tuple[dict[str, int], set[str], dict[int, TagRow]]:
    """by_slug, and the live tags found by their own slug as they stand (storing an article's
    tags counts their forms against them, store.tagforms, without reading them again)."""
    wanted = list(set(slugs))
    if not wanted:
        return {}, set(), {}
    cols = (tags.c.id, tags.c.slug, tags.c.label, tags.c.kind, tags.c.named)
    rows = {
        int(r.id): TagRow(int(r.id), str(r.slug), str(r.label), r.kind, bool(r.named))
        for r in conn.execute(select(*cols).where(tags.c.slug.in_(wanted)))
    }
    found = {r.slug: i for i, r in rows.items()}
    missing = [s for s in wanted if s not in found]
    aliased: dict[str, int] = {}
    if missing:
        q = select(tag_aliases.c.slug, tag_aliases.c.tag_id).where(tag_aliases.c.slug.in_(missing))
        aliased = {str(r.slug): int(r.tag_id) for r in conn.execute(q)}
    return found | aliased, set(aliased), rows


def find(conn: Connection, slug: str) -> TagRow:
    """A live tag by its slug or an alias of it. Raises NotFoundError."""
    tid = by_slug(conn, [slug])[0].get(slug)
    row = conn.execute(select(tags).where(tags.c.id == tid)).first() if tid else None
    if row is None:
        raise NotFoundError(f"no hashtag {slug!r}")
    return TagRow(int(row.id), str(row.slug), str(row.label), row.kind)


def exists(conn: Connection, tag_id: int) -> bool:
    return conn.execute(select(tags.c.id).where(tags.c.id == tag_id)).first() is not None


def count_upto(conn: Connection, tag_id: int, cap: int) -> int:
    """How many articles carry a tag, at most `cap` + 1: what a caller choosing how its
    articles are read (walked or looked up) needs. Read off tag_counts (migration 0022); it
    was counted off article_tags up to the cap, which cost cap rows for the largest tags."""
    n = conn.execute(select(tag_counts.c.n).where(tag_counts.c.tag_id == tag_id)).scalar()
    return min(int(n or 0), cap + 1)


def moved_to(conn: Connection, slug: str) -> str | None:
    """The current slug of a tag that `slug` once named (merged, folded or renamed), or None."""
    q = (
        select(tags.c.slug)
        .join(tag_aliases, tag_aliases.c.tag_id == tags.c.id)
        .where(tag_aliases.c.slug == slug)
    )
    found = conn.execute(q).scalar()
    return str(found) if found is not None else None


def _uses(conn: Connection, ids: list[int]) -> dict[int, int]:
    q = select(tag_counts.c.tag_id, tag_counts.c.n).where(tag_counts.c.tag_id.in_(ids))
    counts = {int(t): int(n) for t, n in conn.execute(q)}
    return {i: counts.get(i, 0) for i in ids}


def _leader(conn: Connection, ids: list[int]) -> int | None:
    """The candidate that clearly leads by articles (the only one, or twice the next)."""
    if len(ids) == 1:
        return ids[0]
    if not ids:
        return None
    uses = sorted(_uses(conn, ids).items(), key=lambda kv: -kv[1])
    (first, n1), (_, n2) = uses[0], uses[1]
    return first if n1 >= _DOMINANCE * max(n2, 1) else None


def fold(conn: Connection, label: str, kind: str | None) -> int | None:
    """The existing person tag a one-word name ("Biden") stands for across the site: the one
    whose family name it is (the last word; the first of "Xi Jinping", words.family_name)
    that leads; else None. A surname with its particle ("Van Gaal", "De Blasio") likewise.

    An acronym is not guessed from initials any more: on 1,883 public news texts (AllSides,
    PolNeAR, DailyMail, DUC-2001) the one long form whose capitals spelt a bare acronym was as
    often another body as the right one ("BBC" Bournemouth Borough Council, "ABC" Amalgamated
    Bank of Chicago, "AFP" the American Families Plan, "DC" the Daily Caller). An acronym joins
    its long form where an article spells it out (`settle`, `Hashtag.short`) and then through
    the alias that leaves.
    """
    if kind == "person" and _particled(label):  # "Van Gaal" is Louis van Gaal
        q = select(tags.c.id, tags.c.label).where(
            tags.c.kind == "person", tags.c.label.ilike(f"% {label}")
        )
        rows = conn.execute(q)
        return _leader(conn, [int(r.id) for r in rows if goes_by(r.label, label)])
    if kind == "person" and len(label.split()) == 1:
        q = select(tags.c.id, tags.c.label).where(
            tags.c.kind == "person",
            or_(
                tags.c.label.like(f"% {label}"),
                tags.c.label.like(f"{label} %"),
                tags.c.label.like(f"%-{label}"),  # "Bashar al-Assad"
            ),
        )
        found = [int(r.id) for r in conn.execute(q) if goes_by(r.label, label)]
        return _leader(conn, found)
    return None


def short_form(label: str, kind: str | None, defined: str = "") -> str | None:
    """What a short name of this full name is: a person's surname, or the acronym the article
    `defined` for a body ("RSF" for "Rapid Support Forces")."""
    words = label.split()
    if len(words) < 2:
        return None
    if kind == "person":  # "Biden", "Xi" of Xi Jinping, "van Gaal" of Louis van Gaal
        return particle_surname(label) or family_name(label)
    return defined if defined and kind in _BODIES else None


def is_short(label: str, kind: str | None) -> bool:
    """A name `fold` may resolve: a one-word person, or a surname with its particle."""
    return kind == "person" and (" " not in label or _particled(label))


def _particled(label: str) -> bool:
    """Whether a name is a surname with its particle alone ("Van Gaal", "von der Leyen")."""
    words = label.split()
    return 2 <= len(words) <= 3 and words[0].lower() in NAME_PARTICLES


def settle(
    conn: Connection,
    tag_id: int,
    label: str,
    kind: str | None,
    short_id: int | None,
    defined: str = "",
) -> bool:
    """After a full name is stored, fold into it the tag of its short form (`short_id`, found
    by the caller under `short_form`'s slug): the bare surname when this person now leads
    under that surname, the acronym the article spelt it out with. An acronym with no tag yet
    is left as an alias of this one, so its later articles land here; the first body to spell
    it out keeps it ("AP" stays the Associated Press's once it is). Whether a tag was folded
    (the short tag is then gone)."""
    short = short_form(label, kind, defined)
    if short is None or short_id == tag_id:
        return False
    if kind != "person":
        if short_id is None:
            upserts.insert_missing(
                conn, tag_aliases, [{"slug": slugify(short), "tag_id": tag_id}], ["slug"]
            )
            return False
        if may_fold(conn, short_id, short, kind, tag_id):
            merge(conn, short_id, tag_id)
            return True
        return False
    if short_id is None or not may_fold(conn, short_id, short, kind, tag_id):
        return False
    if fold(conn, short, "person") == tag_id:
        merge(conn, short_id, tag_id)
        return True
    return False


# A slug is no proof that a stored tag is a full name's short form: "Kim Jong Un" took over
# the site's "UN" (slug "un") and "Michael Jordan" the country's tag before the short tag's own
# label and kind were asked. "name" is what hashtags.from_names gives where no model types a
# name (German, Italian...).
_SHORT_OF_BODY = _BODIES | {"name"}
# The articles a person needs before a bare surname typed otherwise folds into it.
_MISTYPED_FLOOR = 3


def may_fold(conn: Connection, short_id: int, short: str, kind: str | None, into: int) -> bool:
    """Whether the stored tag `short_id` may fold into `into`, a full name of `kind` whose
    short form is `short`: it is written so (case and all), of a kind that can stand for it,
    and not the larger meaning of its name on the site.

    A person's bare surname is a person or an untyped name; never a place ("Jordan",
    "Madrid"); as an organisation or topic only once the person has at least as many articles:
    spaCy types a bare surname an organisation often (the 1,883 public texts of `fold`:
    "Trump" 31 times of 72, "Ailes", "Warner"), and "House", the chamber, with 20 articles,
    is not the surname of one "Obama White House" the model called a person. Fed those texts,
    a floor of one article still let one-article tags ("White", "Donuts", "House" while it was
    small) into one-article people the model had made of "Anna Richardson White" and "Dunkin
    Donuts": hence _MISTYPED_FLOOR."""
    row = conn.execute(select(tags.c.label, tags.c.kind).where(tags.c.id == short_id)).first()
    if row is None or row.label != short:
        return False
    found = row.kind or "name"
    if kind != "person":
        # A bare acronym's tag joins the body an article spelt it out as only where that body
        # has as many articles with this one: one report of "Andhra Pradesh (AP)" does not
        # take a site's hundred bare "AP" (the agency) with it.
        uses = _uses(conn, [short_id, into])
        return found in _SHORT_OF_BODY and uses[into] + 1 >= uses[short_id]
    if found in ("person", "name"):
        return True
    if found == "place":
        return False
    uses = _uses(conn, [short_id, into])
    return uses[into] >= max(uses[short_id], _MISTYPED_FLOOR)


def merge(conn: Connection, from_id: int, into_id: int) -> None:
    """Move every article of one tag onto another and leave the old slug as an alias."""
    if from_id == into_id:
        return
    old = conn.execute(select(tags.c.slug).where(tags.c.id == from_id)).scalar_one()
    both = select(article_tags.c.article_id).where(article_tags.c.tag_id == into_id)
    conn.execute(
        delete(article_tags).where(
            article_tags.c.tag_id == from_id, article_tags.c.article_id.in_(both)
        )
    )
    conn.execute(  # the forms they counted go with the old tag (store.tagforms)
        update(article_tags)
        .where(article_tags.c.tag_id == from_id)
        .values(tag_id=into_id, form_id=None)
    )
    conn.execute(update(tag_aliases).where(tag_aliases.c.tag_id == from_id).values(tag_id=into_id))
    # Readers who followed or muted the old tag follow or mute the one it became.
    for table in (follows, mutes):
        has_into = select(table.c.user_id).where(
            table.c.kind == "tag", table.c.target_id == into_id
        )
        mine = (table.c.kind == "tag", table.c.target_id == from_id)
        conn.execute(delete(table).where(*mine, table.c.user_id.in_(has_into)))
        conn.execute(update(table).where(*mine).values(target_id=into_id))
    conn.execute(delete(tags).where(tags.c.id == from_id))
    upserts.put(conn, tag_aliases, {"slug": old, "tag_id": into_id}, ["slug"])


def like(conn: Connection, kind: str, pattern: str) -> list[str]:
    """The slugs of tags of `kind` whose label is LIKE `pattern` ("% _. %": a person's middle
    initial; "Department of %")."""
    q = select(tags.c.slug).where(tags.c.kind == kind, tags.c.label.like(pattern))
    return [str(s) for s in conn.execute(q).scalars()]


def of_kind(conn: Connection, kind: str, slugs: Collection[str]) -> list[str]:
    """Those of `slugs` whose tag is of `kind` ("calif" a place, not a topic)."""
    q = select(tags.c.slug).where(tags.c.kind == kind, tags.c.slug.in_(sorted(slugs)))
    return [str(s) for s in conn.execute(q).scalars()]


def drop_empty(conn: Connection) -> list[str]:
    """Delete the tags no article carries any more, and return their slugs. A reindex moves
    articles off a tag whose name an analysis no longer gives ("Donald" of an aggregator's cut
    "President Donald...", "May" read as a person) and left its page standing, empty. A tag
    the operator named, a reader follows or mutes, or an older slug redirects to stays; its
    forms and count go with it (their keys cascade)."""
    locks.hold(conn, locks.UNDERSTANDING)  # not while an article's tags are being stored
    carried = select(article_tags.c.tag_id).where(article_tags.c.tag_id == tags.c.id)
    kept = [
        select(t.c.target_id).where(t.c.kind == "tag", t.c.target_id == tags.c.id)
        for t in (follows, mutes)
    ]
    kept.append(
        select(tag_aliases.c.tag_id).where(
            tag_aliases.c.tag_id == tags.c.id, tag_aliases.c.slug != tags.c.slug
        )
    )
    q = select(tags.c.id, tags.c.slug).where(
        tags.c.named.is_(False), ~carried.exists(), *(~k.exists() for k in kept)
    )
    rows = conn.execute(q).all()
    if rows:
        conn.execute(delete(tags).where(tags.c.id.in_([r.id for r in rows])))
    return sorted(str(r.slug) for r in rows)


def join_known(
    conn: Connection, slugs: Collection[str], into: Callable[[str], str | None]
) -> list[tuple[str, str]]:
    """Join each tag among `slugs` (its own slug, not an alias) to the tag whose slug `into`
    gives for its label, where that tag exists; (from, into) slugs joined. For names news
    calls many ways that an analysis has since made one ("Gaza Strip" is Gaza): reindex
    re-tags the articles but left the old tag standing with none, and its URL a dead end. A
    tag the operator named stays; one the operator merged the other way is already one tag."""
    if not slugs:
        return []
    locks.hold(conn, locks.UNDERSTANDING)  # not while an article's tags are being stored
    rows = conn.execute(
        select(tags.c.id, tags.c.slug, tags.c.label).where(
            tags.c.slug.in_(sorted(slugs)), tags.c.named.is_(False)
        )
    ).all()
    joined: list[tuple[str, str]] = []
    for r in rows:
        target = into(r.label)
        if not target or target == r.slug:
            continue
        dst = by_slug(conn, [target])[0].get(target)
        if dst is None or dst == r.id:
            continue
        merge(conn, int(r.id), dst)
        joined.append((str(r.slug), target))
    return joined


def merge_slugs(conn: Connection, from_slug: str, into_slug: str) -> tuple[TagRow, TagRow]:
    """`newsweave tags merge FROM INTO`: (the tag merged, the tag it now is)."""
    locks.hold(conn, locks.UNDERSTANDING)  # not while an article's tags are being stored
    src, dst = find(conn, from_slug), find(conn, into_slug)
    if src.id == dst.id:
        raise InvalidInputError(f"{from_slug!r} and {into_slug!r} are already one tag")
    merge(conn, src.id, dst.id)
    return src, dst


def rename(conn: Connection, slug: str, label: str, new_slug: str, display: str) -> TagRow:
    """Give a tag a new label, slug and display ("#JoeBiden"); its old slug redirects. If
    another tag already has the new slug, the two become one."""
    if not new_slug:
        raise InvalidInputError("a tag needs a label with a letter or a digit")
    locks.hold(conn, locks.UNDERSTANDING)
    tag = find(conn, slug)
    taken = by_slug(conn, [new_slug])[0].get(new_slug)
    if taken is not None and taken != tag.id:
        merge(conn, tag.id, taken)
        tag = find(conn, new_slug)
    old = tag.slug
    conn.execute(
        update(tags)
        .where(tags.c.id == tag.id)
        .values(slug=new_slug, label=label[:200], display=display[:200], named=True)
    )
    conn.execute(delete(tag_aliases).where(tag_aliases.c.slug == new_slug))
    if old != new_slug:
        upserts.put(conn, tag_aliases, {"slug": old, "tag_id": tag.id}, ["slug"])
    return find(conn, new_slug)
