"""How the site's lists show a story: once, at its first item in the list's order (the newest
in Latest, the best hit in search), with how many more of its items the page holds. Three
pieces on one event one after another read as a repeat, not as coverage. Here, below the
store, because store.search makes snippets only for the items a page shows this way."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Line", "by_story"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Line(Generic[T]):
    item: T
    more: int = 0  # other items of its story on this page


def by_story(items: Sequence[T], story_of: Callable[[T], int | None]) -> list[Line[T]]:
    first: dict[int, int] = {}
    out: list[Line[T]] = []
    for item in items:
        story = story_of(item)
        if story is not None and story in first:
            i = first[story]
            out[i] = Line(out[i].item, out[i].more + 1)
            continue
        if story is not None:
            first[story] = len(out)
        out.append(Line(item))
    return out
