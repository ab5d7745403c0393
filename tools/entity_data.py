"""Build the training data of the fine-tuned entity recogniser from the annotated corpus.

The stock ``en_core_web_sm`` recogniser was trained on news and web text: it
misses most names of the corrections field ("Latvian State Probation Service",
"EuroPris") and tags programmes and prizes as ORG. The gold records list every
organisation a document names, under its fullest name with its aliases, so
each word-bounded occurrence of a gold name or alias becomes an ORG span (the
longest wins where two overlap). Gold event names become EVENT where they occur
verbatim (``--events``; most gold event names are normalised, not quoted, so
by default EVENT is left to the rehearsal below).

Rehearsal, so the fine-tuned model keeps the labels that places, countries,
events and dates are read from: every other token carries the stock model's
own prediction (PERSON, GPE, LOC, DATE, ...), unless it overlaps a gold span.
A stock ORG that is no gold organisation becomes O: the gold's notion of an
organisation replaces the news one. But the gold lists a body under its fullest
name, and the text often uses a short form of it that the gold does not list
("the Howard League" for "Howard League for Penal Reform"): a stock ORG, or a
run of capitalised words, whose words are all words of one gold organisation's
names (two at least, or one acronym) is left missing rather than O
(:func:`short_forms`), so that the recogniser is not taught to pass over a real
organisation it cannot be told about. With ``--events``, a stock EVENT that is no
gold event name is left missing rather than O (partial annotation: spaCy's ner
learns nothing about those tokens), since the gold normalises most event names
and the stretch may well be one of them written another way.

Documents are read by the split rule of :mod:`practice_data` (never dev-test):
the train split's held-out quarter (NNN % 4 == 3) is ``dev.spacy``, for
spaCy's model selection; the rest of the train split, the seeds and the eight
development documents are ``train.spacy``. Each document is cut into pieces of
about ``PIECE_TOKENS`` tokens at sentence ends that no entity crosses.

The module also registers ``practicegraph.source_lookups.v1`` (pass it to
``spacy train`` with ``--code``): a sourced component does not bring its
pipeline's lexeme-norm table, and the recogniser's features read NORM, so the
training vocabulary must normalise words as the main pipeline does.

Usage: python tools/entity_data.py OUTPUT_DIR [--events]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import spacy
from spacy.lookups import Lookups
from spacy.tokens import Doc, DocBin, Span

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
#: Pieces of about this many tokens: batches of similar size, whole sentences.
PIECE_TOKENS = 300


@spacy.registry.misc("practicegraph.source_lookups.v1")
def source_lookups(model: str) -> Lookups:
    """The lookup tables (``lexeme_norm``) of an installed pipeline, for ``[initialize]``."""
    return spacy.load(model, exclude=["tok2vec", "tagger", "parser", "senter", "ner"]).vocab.lookups


class GoldDocument(NamedTuple):
    path: Path
    organisations: list[list[str]]  # each organisation's name and aliases
    events: list[str]
    held_out: bool


class Counts:
    """What the builder found, to print. (No dataclass: ``spacy train --code`` imports
    this file without registering it as a module, which dataclasses need.)"""

    def __init__(self) -> None:
        self.docs = self.org_names = self.org_names_found = self.org_spans = 0
        self.event_names = self.event_names_found = 0
        self.stock_org_dropped = self.missing_spans = self.short_forms = 0
        self.rehearsed: Counter[str] = Counter()


def _corpus_number(name: str) -> int | None:
    match = re.match(r"pgc_(\d+)\.", name)
    return int(match.group(1)) if match else None


def _gold(record: dict, path: Path, held_out: bool) -> GoldDocument:
    orgs = [[o["name"], *o.get("aliases", [])] for o in record["organisations"]]
    events = [e["name"] for e in record.get("events", [])]
    return GoldDocument(path, orgs, events, held_out)


def gold_documents() -> Iterator[GoldDocument]:
    """The annotated documents training may read (never dev-test), by the split rule."""
    for gold_file, folder in (
        (EVAL / "tuned" / "seeds-gold.json", ROOT / "corpus"),
        (EVAL / "tuned" / "dev-gold.json", EVAL / "tuned" / "dev-docs"),
    ):
        for record in json.loads(gold_file.read_text(encoding="utf-8")):
            yield _gold(record, folder / record["doc"], held_out=False)
    train = EVAL / "corpus" / "train"
    for gold_file in sorted((EVAL / "corpus" / "gold").glob("*.json")):
        record = json.loads(gold_file.read_text(encoding="utf-8"))
        path = train / record["doc"]
        number = _corpus_number(record["doc"])
        if not path.is_file() or number is None or number % 4 == 1:
            continue  # a dev-test document: never read for training
        yield _gold(record, path, held_out=number % 4 == 3)


def _pattern(surface: str) -> re.Pattern[str] | None:
    words = surface.split()
    if not words:
        return None
    body = r"\s+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<![\w-]){body}(?![\w-])")


def find_spans(doc: Doc, surfaces: list[str], label: str) -> list[Span]:
    """Token spans of every word-bounded occurrence of ``surfaces`` (longest first wins)."""
    found: list[Span] = []
    for surface in sorted(set(surfaces), key=len, reverse=True):
        pattern = _pattern(surface)
        if pattern is None:
            continue
        for match in pattern.finditer(doc.text):
            span = doc.char_span(match.start(), match.end(), label=label)
            if span is None:
                continue  # not on token boundaries ("EuroPris-led"): not a clean example
            if any(s.start < span.end and span.start < s.end for s in found):
                continue
            found.append(span)
    return found


#: Words that join the words of a name ("League for Penal Reform") or open it ("the").
_JOINERS = frozenset({"of", "for", "and", "the", "The", "&", "de", "in", "on", "a", "A", "an"})
_WORD_EDGES = "’'.,;:()[]\"“”"


def _content_words(words: list[str]) -> list[str]:
    stripped = (w.strip(_WORD_EDGES) for w in words)
    return [w.removesuffix("’s").removesuffix("'s") for w in stripped if w and w not in _JOINERS]


def _could_be_short_form(words: list[str], gold_words: list[frozenset[str]]) -> bool:
    """Whether ``words`` may name a gold organisation in short: its content words are all
    words of one organisation's names, two at least or one acronym ("ICPA", not "Board")."""
    content = _content_words(words)
    if not content:
        return False
    if len(content) == 1 and sum(c.isupper() for c in content[0]) < 2:
        return False
    return any(set(content) <= names for names in gold_words)


def _gold_words(gold: GoldDocument) -> list[frozenset[str]]:
    """Each gold organisation's content words, over its name and aliases."""
    return [frozenset(_content_words(" ".join(names).split())) for names in gold.organisations]


def _capitalised_runs(doc: Doc) -> Iterator[Span]:
    """Runs of capitalised tokens, with joiners inside, on one line: "the Howard League"."""
    start: int | None = None
    last = -1
    for token in doc:
        capital = token.text[:1].isupper()
        joiner = token.text in _JOINERS and start is not None
        if (capital or joiner) and "\n" not in token.text and not token.is_punct:
            if start is None:
                start = token.i
            if capital:
                last = token.i
            continue
        if start is not None and last >= start:
            yield doc[start : last + 1]
        start = None
    if start is not None and last >= start:
        yield doc[start : last + 1]


def short_forms(doc: Doc, gold: GoldDocument, taken: list[Span]) -> list[Span]:
    """Capitalised runs that overlap no span in ``taken`` and may be a short form of a
    gold organisation (:func:`_could_be_short_form`): to leave missing, not O."""
    gold_words = _gold_words(gold)
    found: list[Span] = []
    for run in _capitalised_runs(doc):
        if any(s.start < run.end and run.start < s.end for s in taken):
            continue
        if _could_be_short_form(run.text.split(), gold_words):
            found.append(run)
    return found


def annotate(doc: Doc, gold: GoldDocument, events: bool, counts: Counts) -> Doc:
    """Set the training entities of ``doc`` (parsed by the stock pipeline) from the gold."""
    org_spans: list[Span] = []
    for names in gold.organisations:
        spans = find_spans(doc, names, "ORG")
        counts.org_names += 1
        counts.org_names_found += bool(spans)
        org_spans += spans
    gold_spans = _non_overlapping(org_spans)
    if events:
        for name in gold.events:
            spans = find_spans(doc, [name], "EVENT")
            counts.event_names += 1
            counts.event_names_found += bool(spans)
            gold_spans = _non_overlapping(gold_spans + spans)
    counts.org_spans += sum(s.label_ == "ORG" for s in gold_spans)

    kept: list[Span] = list(gold_spans)
    missing: list[Span] = []
    gold_words = _gold_words(gold)
    for ent in doc.ents:
        overlapping = [s for s in gold_spans if s.start < ent.end and ent.start < s.end]
        if ent.label_ == "ORG":
            if not overlapping and _could_be_short_form(ent.text.split(), gold_words):
                missing.append(ent)  # "the Howard League": no O for a gold body's short form
                counts.short_forms += 1
            else:
                counts.stock_org_dropped += not overlapping
            continue  # O, or covered by the gold span
        if overlapping:
            continue
        if events and ent.label_ == "EVENT":
            missing.append(ent)
            continue
        kept.append(ent)
        counts.rehearsed[ent.label_] += 1
    runs = short_forms(doc, gold, kept + missing + list(doc.ents))
    counts.short_forms += len(runs)
    missing += runs
    counts.missing_spans += len(missing)
    doc.set_ents(kept, missing=missing, default="outside")
    return doc


def _non_overlapping(spans: list[Span]) -> list[Span]:
    chosen: list[Span] = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start)):
        if not any(c.start < span.end and span.start < c.end for c in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def pieces(doc: Doc, size: int = PIECE_TOKENS) -> Iterator[Doc]:
    """``doc`` cut at sentence ends that no entity crosses, pieces of about ``size`` tokens."""
    inside = set()
    for ent in doc.ents:
        inside.update(range(ent.start + 1, ent.end))
    start = 0
    for sent in doc.sents:
        if sent.end - start >= size and sent.end not in inside:
            yield doc[start : sent.end].as_doc()
            start = sent.end
    if start < len(doc):
        yield doc[start:].as_doc()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--events", action="store_true", help="label gold event names EVENT")
    args = parser.parse_args()

    from practicegraph.config import Settings
    from practicegraph.ingest.readers import read_document
    from practicegraph.nlp.extractor import Extractor
    from practicegraph.nlp.pipeline import load_pipeline

    nlp = load_pipeline(Settings.from_env().model, practices=False, entities=False)
    extractor = Extractor(nlp)
    bins = {"train": DocBin(store_user_data=False), "dev": DocBin(store_user_data=False)}
    counts = {"train": Counts(), "dev": Counts()}
    for gold in gold_documents():
        name = "dev" if gold.held_out else "train"
        doc = extractor.parse(read_document(gold.path).text)
        doc = annotate(doc, gold, args.events, counts[name])
        counts[name].docs += 1
        for piece in pieces(doc):
            bins[name].add(piece)
    args.output.mkdir(parents=True, exist_ok=True)
    for name, docbin in bins.items():
        docbin.to_disk(args.output / f"{name}.spacy")
        c = counts[name]
        print(
            f"{name}: {c.docs} documents, {len(docbin)} pieces; organisations found "
            f"{c.org_names_found}/{c.org_names} ({c.org_spans} ORG spans); events found "
            f"{c.event_names_found}/{c.event_names}; stock ORG made O {c.stock_org_dropped}; "
            f"short forms left missing {c.short_forms}; "
            f"missing {c.missing_spans}; rehearsed {dict(c.rehearsed.most_common())}",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
