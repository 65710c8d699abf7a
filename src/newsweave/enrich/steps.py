"""The analyses the pipeline runs on every article, in order.

A step takes the article's text (and title, and the results of the steps before it) and returns
a JSON-able result. Steps never raise for bad text (empty, huge, navigation junk): they return
an empty result; an unexpected exception is recorded against the article by the pipeline and
never stops the other steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from newsweave.enrich import language

__all__ = ["STEPS", "Step", "StepInput"]


@dataclass(frozen=True, slots=True)
class StepInput:
    title: str
    text: str
    declared_language: str | None
    results: Mapping[str, Any]  # results of the earlier steps, by name


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    version: str
    run: Callable[[StepInput], Any]


def _language(inp: StepInput) -> str | None:
    return language.detect(f"{inp.title}\n{inp.text}", inp.declared_language)


STEPS: tuple[Step, ...] = (Step("language", language.VERSION, _language),)
