"""Shared fixtures: settings and services over stores under ``tmp_path``.

Everything is real: the on-disk Oxigraph store, the spaCy pipeline, the
ontology files. Only two things are shared across tests, because they are
read-only and expensive: the loaded spaCy ``Extractor`` (seconds to build)
and a pristine store holding corpus/, which ``corpus_service`` copies into
each test's own ``tmp_path`` instead of extracting the corpus again.

**Store backends.** Every test whose fixtures reach ``settings`` (and so every
service, API and exchange test) runs once per store backend: the embedded
store, a fresh in-memory Oxigraph server, and a Virtuoso 7 shared by the session and
emptied before every test (see tests/sparql_servers.py and tests/backends.py).
``PRACTICEGRAPH_TEST_BACKENDS`` changes the list (``embedded`` alone, say). What a
server's own SPARQL engine does differently is recorded on ``SparqlServer`` and
asserted through the ``store_server`` fixture. A test
module about the embedded store itself (its files, snapshots, a full disk)
says ``pytestmark = pytest.mark.embedded_only``. A server that is not
installed skips its runs, saying how to install it; under
``PRACTICEGRAPH_REQUIRE_SERVERS=1`` (what .ci/run sets) it fails them.
"""

from __future__ import annotations

import contextlib
import io
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backends import ALL_BACKENDS, BACKENDS, ServerPool, settings_for, stop_all
from practicegraph.config import Settings
from practicegraph.graph.factory import open_local_store, open_store
from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.pipeline import load_pipeline
from practicegraph.service import PracticeGraphService
from sparql_servers import RunningServer, SparqlServer

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
CORPUS_NAMES = sorted(p.name for p in CORPUS.iterdir() if p.is_file())

#: Plain English paragraphs with entities any sensible extractor finds.
ICPA_TEXT = (
    "Prison Reform in Latvia\n\n"
    "The International Corrections and Prisons Association (ICPA) held a conference "
    "in Riga, Latvia, on 25-26 May 2023. The Latvian Prison Administration presented "
    "its programme of education and vocational training for prisoners. ICPA members "
    "from Norway and Canada discussed rehabilitation and the reintegration of people "
    "leaving prison.\n"
)
EUROPRIS_TEXT = (
    "Probation Work in Romania\n\n"
    "The European Organisation of Prison and Correctional Services (EuroPris) met the "
    "National Administration of Penitentiaries in Bucharest, Romania. EuroPris staff "
    "described a mentoring scheme in which trained volunteers support young adults "
    "on probation, and a digital learning platform for prisoners.\n"
)


@contextlib.contextmanager
def quiet_rdflib() -> Iterator[None]:
    """Mute the DeprecationWarnings rdflib 7 raises from its own code.

    Why: its dataset and JSON-LD parsers call its own deprecated
    ConjunctiveGraph and default_context; warnings from our code still fail.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
        yield


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that reaches ``settings`` once per store backend."""
    if "store_backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("embedded_only") is not None:
        backends = ["embedded"]
    else:
        backends = [b for b in BACKENDS if b in ALL_BACKENDS] or ["embedded"]
    metafunc.parametrize("store_backend", backends, indirect=True)


@pytest.fixture
def store_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "embedded"))


@pytest.fixture(scope="session")
def _shared_servers() -> Iterator[dict[str, list[RunningServer]]]:
    shared: dict[str, list[RunningServer]] = {}
    yield shared
    stop_all(shared)


@pytest.fixture
def server_pool(
    tmp_path_factory: pytest.TempPathFactory, _shared_servers: dict[str, list[RunningServer]]
) -> Iterator[ServerPool]:
    pool = ServerPool(tmp_path_factory.mktemp("servers"), _shared_servers)
    yield pool
    pool.close()


@pytest.fixture
def store_server(store_backend: str, server_pool: ServerPool) -> SparqlServer | None:
    """The running SPARQL server behind this test's settings (None: the embedded store),
    for assertions on what that server does differently."""
    return None if store_backend == "embedded" else server_pool.get(store_backend, 0)


@pytest.fixture
def settings(tmp_path: Path, store_backend: str, server_pool: ServerPool) -> Settings:
    return settings_for(store_backend, server_pool, tmp_path / "data")


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """The real spaCy pipeline and domain extractors, loaded once per test session."""
    return Extractor(load_pipeline(Settings.from_env(environ={}, data_dir=Path(".")).model))


@pytest.fixture
def service(settings: Settings, extractor: Extractor) -> Iterator[PracticeGraphService]:
    svc = PracticeGraphService(settings, extractor=extractor)
    yield svc
    svc.close()


@pytest.fixture
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def _pristine_corpus_store(tmp_path_factory: pytest.TempPathFactory, extractor: Extractor) -> Path:
    """A data directory holding corpus/, built once; tests get copies of it."""
    data = tmp_path_factory.mktemp("pristine") / "data"
    settings = Settings.from_env(environ={}, data_dir=data)
    with PracticeGraphService(settings, extractor=extractor) as svc:
        report = svc.ingest([CORPUS])
    assert report.ok and sorted(report.added) == CORPUS_NAMES, report
    return data


@pytest.fixture(scope="session")
def _pristine_corpus_quads(_pristine_corpus_store: Path) -> bytes:
    """The pristine store's statements as N-Quads, to load into a server."""
    store = open_local_store(_pristine_corpus_store / "store", read_only=True)
    try:
        buffer = io.BytesIO()
        store.dump(buffer, "nquads")
    finally:
        store.close()
    return buffer.getvalue()


@pytest.fixture
def corpus_settings(
    tmp_path: Path,
    _pristine_corpus_store: Path,
    _pristine_corpus_quads: bytes,
    store_backend: str,
    server_pool: ServerPool,
) -> Settings:
    """Settings of this test's own data directory, already holding corpus/ (on a
    server: the same statements loaded into it, beside a copy of the index)."""
    data = tmp_path / "data"
    shutil.copytree(_pristine_corpus_store, data)
    settings = settings_for(store_backend, server_pool, data)
    if store_backend != "embedded":
        shutil.rmtree(data / "store")
        store = open_store(settings)
        try:
            store.bulk_load(io.BytesIO(_pristine_corpus_quads), "nquads")
        finally:
            store.close()
    return settings


@pytest.fixture
def corpus_service(
    corpus_settings: Settings, extractor: Extractor
) -> Iterator[PracticeGraphService]:
    svc = PracticeGraphService(corpus_settings, extractor=extractor)
    yield svc
    svc.close()


#: The base IRI of the importing instance in exchange tests: each organisation mints
#: its own IRIs, so another instance's dump never describes ours.
OTHER_BASE = "https://b.example.org/id/"


@pytest.fixture(scope="session")
def corpus_dump(tmp_path_factory: pytest.TempPathFactory, _pristine_corpus_store: Path) -> Path:
    """corpus/'s graph exported by its instance as deterministic, gzipped N-Quads."""
    import gzip

    target = tmp_path_factory.mktemp("dumps") / "alpha.nq.gz"
    settings = Settings.from_env(environ={}, data_dir=_pristine_corpus_store)
    with (
        PracticeGraphService(settings, read_only=True) as svc,
        gzip.open(target, "wb") as handle,
    ):
        svc.sources.export(handle, "nquads")
    return target


@pytest.fixture
def other_settings(tmp_path: Path, store_backend: str, server_pool: ServerPool) -> Settings:
    """An empty instance of another organisation (its own base IRI and store)."""
    return settings_for(store_backend, server_pool, tmp_path / "other", slot=1, base_iri=OTHER_BASE)


@pytest.fixture
def other_service(other_settings: Settings, extractor: Extractor) -> Iterator[PracticeGraphService]:
    svc = PracticeGraphService(other_settings, extractor=extractor)
    yield svc
    svc.close()


@pytest.fixture
def write_doc(tmp_path: Path) -> Callable[..., Path]:
    """Write a text document under tmp_path/docs and return its path."""
    folder = tmp_path / "docs"
    folder.mkdir(exist_ok=True)

    def write(name: str, text: str | bytes = ICPA_TEXT) -> Path:
        path = folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write
