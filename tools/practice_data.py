"""Build the training data of the practice-sentence classifier from the annotated corpus.

Each document becomes one example whose sentences (as the pipeline finds them)
are spans labelled PRACTICE when they overlap the evidence of a gold practice
(the same overlap the scorer counts as a hit), OTHER when not. Only documents
outside the corpus's dev-test split are read: the train split, the five seed documents and the eight
documents extraction was first developed on. A quarter of the train split
(document numbers ending the split rule's third residue, NNN % 4 == 3) is held
out as ``dev.spacy`` for spaCy's model selection, so the shipped model is
chosen on documents it was not fitted to, and never on dev-test.

Usage: python tools/practice_data.py OUTPUT_DIR
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, DocBin, Span

from practicegraph.config import Settings
from practicegraph.ingest.readers import read_document
from practicegraph.nlp.extractor import Extractor
from practicegraph.nlp.pipeline import load_pipeline
from practicegraph.nlp.practice_model import LABEL, SPANS_KEY

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
OTHER = "OTHER"


@dataclass(frozen=True)
class GoldDocument:
    path: Path
    evidence: list[str]
    held_out: bool


def _corpus_number(name: str) -> int | None:
    match = re.match(r"pgc_(\d+)\.", name)
    return int(match.group(1)) if match else None


def gold_documents() -> Iterator[GoldDocument]:
    """The annotated documents training may read, with their practice evidence."""
    for gold_file, folder in (
        (EVAL / "tuned" / "seeds-gold.json", ROOT / "corpus"),
        (EVAL / "tuned" / "dev-gold.json", EVAL / "tuned" / "dev-docs"),
    ):
        for record in json.loads(gold_file.read_text(encoding="utf-8")):
            evidence = [p["evidence"] for p in record["practices"]]
            yield GoldDocument(folder / record["doc"], evidence, held_out=False)
    train = EVAL / "corpus" / "train"
    for gold_file in sorted((EVAL / "corpus" / "gold").glob("*.json")):
        record = json.loads(gold_file.read_text(encoding="utf-8"))
        path = train / record["doc"]
        if not path.is_file():
            continue  # a dev-test document: never read for training
        number = _corpus_number(record["doc"])
        evidence = [p["evidence"] for p in record["practices"]]
        held_out = number is not None and number % 4 == 3
        yield GoldDocument(path, evidence, held_out=held_out)


def _squashed(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of whitespace as one space, and each kept character's offset."""
    out: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        if char.isspace():
            if out and out[-1] != " ":
                out.append(" ")
                where.append(i)
            continue
        out.append(char)
        where.append(i)
    return "".join(out), where


def evidence_ranges(text: str, evidence: list[str]) -> list[tuple[int, int]]:
    """Character ranges of ``text`` that the gold evidence quotes (as the scorer finds them)."""
    flat, where = _squashed(text)
    ranges = []
    for quote in evidence:
        needle = " ".join(quote.split())
        at = flat.find(needle)
        if at >= 0 and needle:
            ranges.append((where[at], where[at + len(needle) - 1] + 1))
    return ranges


def document_example(doc: Doc, gold: GoldDocument) -> tuple[Doc, int, int]:
    """``doc`` with one span per sentence in the ``practice_sentences`` group, labelled
    PRACTICE when it overlaps gold evidence; and the counts of practice and other sentences.

    Whole documents, not sentences, are the training examples: the classifier reads the
    general model's token vectors, which are computed over the running text."""
    ranges = evidence_ranges(doc.text, gold.evidence)
    spans = []
    for sent in doc.sents:
        if not any(t.is_alpha for t in sent):
            continue
        positive = any(sent.start_char < end and start < sent.end_char for start, end in ranges)
        spans.append(Span(doc, sent.start, sent.end, label=LABEL if positive else OTHER))
    doc.spans[SPANS_KEY] = spans
    positives = sum(1 for s in spans if s.label_ == LABEL)
    return doc, positives, len(spans) - positives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    extractor = Extractor(load_pipeline(Settings.from_env().model, practices=False))
    train, dev = DocBin(store_user_data=False), DocBin(store_user_data=False)
    counts = {"train": [0, 0], "dev": [0, 0]}
    for gold in gold_documents():
        name = "dev" if gold.held_out else "train"
        doc = extractor.parse(read_document(gold.path).text)
        example, positives, others = document_example(doc, gold)
        counts[name][0] += others
        counts[name][1] += positives
        (dev if gold.held_out else train).add(example)
    args.output.mkdir(parents=True, exist_ok=True)
    train.to_disk(args.output / "train.spacy")
    dev.to_disk(args.output / "dev.spacy")
    for name, (negative, positive) in counts.items():
        print(f"{name}: {positive} practice sentences, {negative} others", file=sys.stderr)


if __name__ == "__main__":
    main()
