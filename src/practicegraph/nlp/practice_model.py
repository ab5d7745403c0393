"""The learned half of practice detection: a sentence classifier trained on the corpus.

Which sentences describe a concrete practice is a judgement the annotation
guidelines make in prose; a list of practice nouns and action verbs captures
part of it and misses arrangements written in plain words ("a 12-month
package", "internships for students"). The classifier is a spaCy text
categoriser (``PRACTICE`` against ``OTHER``) trained with ``spacy train`` on
the sentences of the corpus's train split (``make train``; the config is
``train/practice_sentences.cfg``, the data ``tools/practice_data.py``). The
trained pipeline ships inside this package, so nothing is downloaded.

It runs as the ``practice_sentences`` component of the main pipeline, after
the parser has found the sentences, so it runs in the ``nlp.pipe`` worker
processes with the rest of spaCy. Each sentence's probability is kept as the
span extension ``practice_probability``; span extensions live in the Doc's
user data, which spaCy carries across worker processes and through
``Doc.from_docs`` with the offsets shifted, so the extractor reads them on the
sentences of the joined document.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from practicegraph.errors import ConfigError

COMPONENT = "practice_sentences"
LABEL = "PRACTICE"
#: The trained classifier shipped with the package (``make train`` writes it here).
PACKAGED_MODEL = Path(str(files("practicegraph.nlp") / "trained" / "practice_sentences"))

if not Span.has_extension("practice_probability"):
    Span.set_extension("practice_probability", default=None)


class PracticeSentences:
    """Set ``sent._.practice_probability`` on each sentence that has a word in it."""

    def __init__(self, classifier: Language, batch_size: int = 64) -> None:
        self.classifier = classifier
        self.batch_size = batch_size

    def __call__(self, doc: Doc) -> Doc:
        sentences = [s for s in doc.sents if any(t.is_alpha for t in s)]
        texts = (s.text for s in sentences)
        for sent, scored in zip(
            sentences, self.classifier.pipe(texts, batch_size=self.batch_size), strict=True
        ):
            sent._.practice_probability = float(scored.cats.get(LABEL, 0.0))
        return doc


def sentence_probability(sent: Span) -> float | None:
    """The classifier's probability that ``sent`` describes a practice; None when the
    pipeline has no classifier (a model chosen by the user without it)."""
    value = sent._.practice_probability
    return None if value is None else float(value)


def load_classifier(path: Path = PACKAGED_MODEL) -> Language:
    """The trained sentence classifier, or a :class:`ConfigError` saying how to build it."""
    if not (path / "config.cfg").is_file():
        raise ConfigError(
            f"the practice classifier is missing at {path}; run `make train` to build it "
            "from the corpus"
        )
    return spacy.load(path)


@Language.factory(COMPONENT, default_config={"model_path": ""})
def make_practice_sentences(nlp: Language, name: str, model_path: str) -> PracticeSentences:
    """Factory: the packaged classifier unless ``model_path`` names another one."""
    return PracticeSentences(load_classifier(Path(model_path) if model_path else PACKAGED_MODEL))
