"""The development corpus keeps its contract: gold of the right form, the split rule, sources.

The evaluation figures mean something only if every gold record follows the
guidelines' form (``eval/check_gold.py``, the same checks the shared gold
passes), every document sits in the split its number assigns, and every
document says which public pages its facts come from.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
CORPUS = EVAL / "corpus"
SPLITS = ("train", "dev-test")
NAME = re.compile(r"pgc_(\d{3})\.(txt|md|html|pdf)")


def _check_gold() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_gold", EVAL / "check_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _documents() -> dict[str, Path]:
    return {p.name: p for split in SPLITS for p in sorted((CORPUS / split).iterdir())}


def _theme_ids() -> set[str]:
    table = (EVAL / "THEMES.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| ([a-z][a-z-]+) \|", table, re.M)) - {"id"}  # not the header


def test_each_split_has_documents() -> None:
    for split in SPLITS:
        assert any((CORPUS / split).iterdir()), f"eval/corpus/{split} is empty"


def test_every_document_sits_in_the_split_its_number_gives() -> None:
    for name, path in _documents().items():
        match = NAME.fullmatch(name)
        assert match, f"{name}: corpus documents are named pgc_NNN.(txt|md|html|pdf)"
        expected = "dev-test" if int(match.group(1)) % 4 == 1 else "train"
        assert path.parent.name == expected, f"{name} belongs in {expected}/"


def test_every_document_has_gold_and_every_gold_record_a_document() -> None:
    documents = set(_documents())
    gold = {p.stem for p in (CORPUS / "gold").glob("*.json")}
    assert {Path(d).stem for d in documents} == gold


@pytest.mark.parametrize("name", sorted(_documents()))
def test_gold_records_pass_the_form_checks(name: str) -> None:
    path = _documents()[name]
    record = json.loads((CORPUS / "gold" / f"{path.stem}.json").read_text(encoding="utf-8"))
    assert record["doc"] == name
    found = _check_gold().problems(record, path.read_text(encoding="utf-8"), _theme_ids())
    assert found == []


def test_the_theme_ids_of_the_guidelines_are_those_of_the_ontology() -> None:
    ontology = (ROOT / "ontology" / "themes.ttl").read_text(encoding="utf-8")
    for theme in _theme_ids():
        assert f'skos:notation "{theme}"' in ontology, f"{theme} is not a concept of the scheme"


def test_every_document_names_its_source_pages() -> None:
    listed = "\n".join(p.read_text(encoding="utf-8") for p in (CORPUS / "sources").glob("*.md"))
    for name in _documents():
        row = next((line for line in listed.splitlines() if f"| {name} |" in line), None)
        assert row is not None, f"{name} is not listed in eval/corpus/sources/"
        assert "http" in row, f"{name}: its row names no source page"
