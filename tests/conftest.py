"""Shared fixtures: settings and services over stores under ``tmp_path``.

Everything is real: the on-disk Oxigraph store, the spaCy pipeline, the
ontology files. Only two things are shared across tests, because they are
read-only and expensive: the loaded spaCy ``Extractor`` (seconds to build)
and a pristine store holding corpus/, which ``corpus_service`` copies into
each test's own ``tmp_path`` instead of extracting the corpus again.
"""

from __future__ import annotations

import contextlib
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from practicegraph.config import Settings
from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.pipeline import load_pipeline
from practicegraph.service import PracticeGraphService

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


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(environ={}, data_dir=tmp_path / "data")


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


@pytest.fixture
def corpus_settings(tmp_path: Path, _pristine_corpus_store: Path) -> Settings:
    """Settings of this test's own data directory, already holding corpus/."""
    data = tmp_path / "data"
    shutil.copytree(_pristine_corpus_store, data)
    return Settings.from_env(environ={}, data_dir=data)


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
def other_settings(tmp_path: Path) -> Settings:
    """An empty instance of another organisation (its own base IRI)."""
    return Settings.from_env(environ={}, data_dir=tmp_path / "other", base_iri=OTHER_BASE)


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
