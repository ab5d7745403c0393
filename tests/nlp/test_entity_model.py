"""The fine-tuned entity recogniser: shipped, in the pipeline in place of the stock one,
knows the field's organisations, and still tags people, cities and dates."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import cast

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Span

from practicegraph.config import Settings
from practicegraph.errors import ConfigError
from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.pipeline import (
    ENTITY_MODEL,
    load_entity_model,
    load_pipeline,
    replace_ner,
)

# Sentences of our own.
DOMAIN = (
    "The Swedish Prison and Probation Service hosted Anna Lindqvist in Stockholm on 4 June 2022."
)
NETWORK = "The training was run by EuroPris and the Norwegian Correctional Service Staff Academy."
#: Bodies with no head noun, no cue and no registry entry: only the recogniser knows them
#: (the text writes "partners" in lower case too: each name mixes common and proper words).
#: Several, since which invented names a retrained recogniser tags varies (none of them
#: a place name in GeoNames, which would keep a name without a head noun out).
PARTNERS = [
    f"The Latvian State Probation Service signed a memorandum with {name} Reentry Partners "
    "in Riga, and the two partners will train staff."
    for name in ("Kestrel", "Thornfield", "Quillmoor", "Fernhollow", "Harbourlight")
]
GENERAL = "Maria Keller, a governor from Graz, joined the agency in May 2019."


def _ents(nlp: Language, text: str) -> set[tuple[str, str]]:
    return {(e.text, e.label_) for e in nlp(text).ents}


@pytest.fixture(scope="module")
def stock() -> Language:
    model = Settings.from_env(environ={}, data_dir=Path(".")).model
    return load_pipeline(model, practices=False, entities=False)


def test_the_fine_tuned_ner_replaces_the_stock_one(nlp_extractor: Extractor) -> None:
    nlp = nlp_extractor.nlp
    assert (ENTITY_MODEL / "config.cfg").is_file()
    assert nlp.pipe_names.count("ner") == 1
    assert nlp.pipe_names.index("ner") > nlp.pipe_names.index("parser")
    tuned = load_entity_model().get_pipe("ner")
    ours, theirs = cast(EntityRecognizer, nlp.get_pipe("ner")), cast(EntityRecognizer, tuned)
    assert ours.model.to_bytes() == theirs.model.to_bytes()


def test_it_finds_organisations_of_the_field_that_the_stock_model_misses(
    nlp_extractor: Extractor, stock: Language
) -> None:
    tuned = _ents(nlp_extractor.nlp, DOMAIN) | _ents(nlp_extractor.nlp, NETWORK)
    before = _ents(stock, DOMAIN) | _ents(stock, NETWORK)
    for name in ("Swedish Prison and Probation Service", "EuroPris"):
        assert (name, "ORG") in tuned
        assert (name, "ORG") not in before


def test_it_still_tags_a_person_a_city_and_a_date(nlp_extractor: Extractor) -> None:
    found = _ents(nlp_extractor.nlp, GENERAL) | _ents(nlp_extractor.nlp, DOMAIN)
    assert ("Maria Keller", "PERSON") in found
    assert ("Graz", "GPE") in found
    assert ("Stockholm", "GPE") in found
    assert ("May 2019", "DATE") in found


def test_its_organisations_reach_the_extraction(nlp_extractor: Extractor) -> None:
    """What only the recogniser reads as a body is a gap-filling source of organisations."""
    reached = 0
    for text in PARTNERS:
        tagged = {n for n, label in _ents(nlp_extractor.nlp, text) if label == "ORG"}
        names = {o.name for o in nlp_extractor(text).organisations}
        for partner in (n for n in tagged if n.endswith("Reentry Partners")):
            assert partner in names, (partner, names)
            reached += 1
    assert reached  # the recogniser knows at least one of them


def test_a_missing_model_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="make train"):
        load_entity_model(tmp_path)


def test_the_shipped_model_is_only_the_recogniser() -> None:
    shipped = spacy.load(ENTITY_MODEL)
    assert shipped.pipe_names == ["ner"]
    assert "lexeme_norm" in shipped.vocab.lookups.tables  # words normalised as in training


def test_another_model_keeps_its_own_recogniser() -> None:
    """The fine-tuned recogniser reads en_core_web_sm's word norms; another pipeline's
    ner is left where it is."""
    other = spacy.blank("en")
    stock = other.add_pipe("ner")
    assert replace_ner(other) is False
    assert other.get_pipe("ner") is stock


def _entity_data() -> ModuleType:
    """tools/entity_data.py, which is a script, not a module of the package."""
    path = Path(__file__).resolve().parents[2] / "tools" / "entity_data.py"
    spec = importlib.util.spec_from_file_location("entity_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_form_of_a_gold_body_is_left_missing_not_outside() -> None:
    """The gold lists a body under its fullest name; "the Harbour League" later in the
    text is that body in short, so it is no example of O. A stock ORG that is no gold
    body ("Monday Club") stays O, and a single common word ("Board") is no short form."""
    data = _entity_data()
    nlp = spacy.blank("en")
    doc = nlp(
        "The Harbour League for Fair Sentencing met the Monday Club. A week later the "
        "Harbour League wrote to the Board of the League."
    )
    doc.set_ents([Span(doc, 6, 8, label="ORG")])  # the stock model's "Monday Club"
    names = [["Harbour League for Fair Sentencing", "HLFS"]]
    gold = data.GoldDocument(Path("x.txt"), names, [], False)
    doc = data.annotate(doc, gold, False, data.Counts())
    assert [(e.text, e.label_) for e in doc.ents] == [("Harbour League for Fair Sentencing", "ORG")]
    missing = {t.text for t in doc if t.ent_iob_ == ""}
    assert missing == {"Harbour", "League"}  # the second mention only
    assert [t.ent_iob_ for t in doc[6:8]] == ["O", "O"]
    assert next(t for t in doc if t.text == "Board").ent_iob_ == "O"
