"""Understanding articles: text in, results out. No database, no HTTP, no web (import-linter).

Each analysis is a module with a pure function and a documented result; STEPS lists them in the
order the pipeline runs them. Each step has a `name` and a `version`: a new version makes
`newsweave reindex` recompute it.
"""

from newsweave.enrich.steps import (
    LANGUAGE_MB,
    OTHER_LANGUAGE_MB,
    STEPS,
    Analysis,
    Item,
    analyze,
    analyze_many,
    analyze_plain,
    analyze_plain_many,
    attribute_many,
    attribute_plain_many,
    split_headline,
    summarize_many,
    summarize_plain_many,
)

__all__ = [
    "LANGUAGE_MB",
    "OTHER_LANGUAGE_MB",
    "STEPS",
    "Analysis",
    "Item",
    "analyze",
    "analyze_many",
    "analyze_plain",
    "analyze_plain_many",
    "attribute_many",
    "attribute_plain_many",
    "split_headline",
    "summarize_many",
    "summarize_plain_many",
]
