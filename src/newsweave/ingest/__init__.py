"""Getting articles in: polite fetching, feeds, discovery, extraction, identity, OPML, archives.

No database here (import-linter): ingest turns the outside world into `newsweave.model` values.
"""
