"""What the service reports about its work: an ingest batch, and an index catch-up.

Plain dataclasses, kept apart from the service so that the CLI, the API and the
benchmarks can read a report without the orchestration around it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["IndexSync", "IngestFailure", "IngestReport"]


@dataclass
class IndexSync:
    """What bringing the index in step with the store had to do."""

    reindexed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.reindexed or self.removed)


@dataclass(frozen=True)
class IngestFailure:
    """A file the batch skipped: which, why, and the kind of error that stopped it.

    ``error`` is that error's class, so callers tell the kinds apart without
    parsing ``reason`` (or the file) again: an :class:`IngestError` subclass when
    the file cannot be read, :class:`StoreError` or :class:`QueryError` when its
    graph cannot be stored, another class for a bug met while building the
    graph, and None when spaCy or the extractor failed on it (the extractor
    reports a reason, not an error).
    """

    path: str
    reason: str
    error: type[Exception] | None


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[IngestFailure] = field(default_factory=list)
    words: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed
