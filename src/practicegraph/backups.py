"""Moving a whole instance: ``practicegraph backup`` / ``restore`` and ``/admin/…``.

The file format and its checks are exchange.backup's; this module runs them
against a service: under its write lock (a backup is one state of the
instance, and no write lands in the middle of a restore), on any store
backend, and rebuilds the keyword index after a restore.

A restore that fails after it began writing takes away what it wrote: the
target held nothing but its ontology before (only an empty instance takes a
backup), so dropping every other graph, emptying the default graph and the
quarantine and removing the source folders it made leaves it as it was.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import URIRef

from practicegraph.errors import BackupError, RestoreConflictError
from practicegraph.exchange.backup import (
    DEFAULT_GRAPH,
    QUARANTINE,
    BackupReader,
    Manifest,
    graph_key,
    write_backup,
)
from practicegraph.graph.store import compact_or_flush
from practicegraph.service import PracticeGraphService

logger = logging.getLogger(__name__)


@dataclass
class RestoreReport:
    """What a restore put back; the CLI prints it and the API returns it."""

    file: str
    created: str
    software: str
    statements: int
    graphs: int
    documents: int
    sources: list[str]
    indexed: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def backup_instance(service: PracticeGraphService, path: Path) -> Manifest:
    """Write the backup of the service's instance to ``path`` (see exchange.backup)."""
    with service.write_lock:
        sources = [info.name for info in service.sources.infos()]
        return write_backup(
            path,
            service.store,
            service.sources.files,
            service.sources.quarantine,
            base_iri=service.iris.base,
            sources=sources,
            documents=len(service.stored_hashes()),
        )


def restore_instance(
    service: PracticeGraphService, path: Path, filename: str | None = None
) -> RestoreReport:
    """Take back a backup into this (empty) instance; nothing is written unless the
    whole file checks out, and a failure part way leaves the instance as it was."""
    with BackupReader(path, filename) as backup:
        backup.check()
        manifest = backup.manifest
        if manifest.base_iri != service.iris.base:
            raise RestoreConflictError(
                f"the backup's instance minted its IRIs under {manifest.base_iri}, this one "
                f"under {service.iris.base}: set PRACTICEGRAPH_BASE_IRI={manifest.base_iri} "
                "for the target; nothing was restored",
                backup.filename,
            )
        ontology = str(service.iris.ontology_graph)
        with service.write_lock:
            _require_empty(service, backup.filename)
            made: list[Path] = []
            try:
                service.store.bulk_extend(
                    q for q in backup.quads() if graph_key(q.graph_name) != ontology
                )
                _compare_counts(service, manifest, ontology, backup.filename)
                if backup.has(QUARANTINE):
                    service.sources.quarantine.load(backup.quads(QUARANTINE))
                made = backup.extract_sources(service.sources.files.root)
                service.store.flush()
                service.reindex()
            except BaseException:
                _take_back(service, ontology, made)
                raise
        compact_or_flush(service.store)
        indexed = service.index.counts()
        return RestoreReport(
            file=backup.filename,
            created=manifest.created,
            software=manifest.software,
            statements=sum(n for g, n in manifest.graphs.items() if g != ontology),
            graphs=len([g for g in manifest.graphs if g not in (ontology, DEFAULT_GRAPH)]),
            documents=len(service.stored_hashes()),
            sources=[info.name for info in service.sources.infos()],
            indexed=indexed["document"] + indexed["practice"],
        )


def _require_empty(service: PracticeGraphService, filename: str) -> None:
    """Only an instance holding nothing but its ontology takes a backup."""
    ontology = str(service.iris.ontology_graph)
    graphs = [g for g in service.store.named_graphs() if g != ontology]
    documents = len(service.stored_hashes())
    sources = len(service.sources.infos())
    leftovers = service.sources.quarantine.path.exists() or any(
        service.sources.files.root.glob("*")
    )
    if graphs or documents or sources or leftovers or service.store.graph_triples(None):
        raise RestoreConflictError(
            f"this instance is not empty ({documents} documents, {sources} sources, "
            f"{len(graphs)} graphs besides the ontology): restore into a new data "
            "directory (--data) or remove what it holds first; nothing was restored",
            filename,
        )


def _compare_counts(
    service: PracticeGraphService, manifest: Manifest, ontology: str, filename: str
) -> None:
    """Every graph holds as many statements as the manifest says."""
    found: Counter[str] = Counter(graph_key(q.graph_name) for q in service.store.quads())
    found.pop(ontology, None)
    expected = {g: n for g, n in manifest.graphs.items() if g != ontology}
    if dict(found) != expected:
        differing = sorted(g for g in set(found) | set(expected) if found[g] != expected.get(g))
        shown = ", ".join(
            f"{g or 'the default graph'}: {found[g]} loaded, {expected.get(g, 0)} listed"
            for g in differing[:3]
        )
        raise BackupError(f"the statements loaded differ from the manifest ({shown})", filename)


def _take_back(service: PracticeGraphService, ontology: str, made: list[Path]) -> None:
    """Undo a restore cut short: the instance was empty but for its ontology."""
    for graph in service.store.named_graphs():
        if graph != ontology:
            service.store.drop_graph(URIRef(graph))
    service.store.write_graph(None, [], replace=True)
    service.store.flush()
    shutil.rmtree(service.sources.quarantine.path, ignore_errors=True)
    for folder in made:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        service.reindex()
    except Exception:  # the restore's own error is the one to report
        logger.exception("the keyword index could not be emptied after a failed restore")
        service.index.stale = True
