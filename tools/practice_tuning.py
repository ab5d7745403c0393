"""Choose how the practice classifier and the rule score combine, on held-out train documents.

The classifier (``make train``) is fitted to three quarters of the train split;
the fourth quarter (document numbers with NNN % 4 == 3) is held out from its
fitting. On those documents this script scores every sentence by the rules and
by the classifier, then tries each weight and threshold of
``rule score + weight x probability >= threshold`` and prints document-level
practice F1 (the scorer's matching: a gold evidence span overlapped by a kept
sentence), best first. The chosen pair goes into ``nlp/practices.py``
(``LEARNED_WEIGHT``, ``LEARNED_THRESHOLD``). Dev-test is never read.

Usage: python tools/practice_tuning.py [--top 10]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import NamedTuple

from practice_data import evidence_ranges, gold_documents

from practicegraph.config import Settings
from practicegraph.ingest.readers import read_document
from practicegraph.nlp.extractor import Extractor, _title_end
from practicegraph.nlp.pipeline import load_pipeline
from practicegraph.nlp.practice_model import sentence_probability
from practicegraph.nlp.practices import is_candidate, score_sentence, select_practices


class Sentence(NamedTuple):
    start: int  # what select_practices orders by, as on a spaCy Span
    end: int


WEIGHTS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 10.0, 12.0, 16.0, 24.0, 32.0)
THRESHOLDS = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 10.0, 12.0, 16.0)


@dataclass(frozen=True)
class ScoredDocument:
    gold_ranges: list[tuple[int, int]]
    gold_count: int
    #: (start, end, rule score, probability) per sentence after the title
    sentences: list[tuple[int, int, float, float]]


def scored_documents(extractor: Extractor) -> list[ScoredDocument]:
    out = []
    for gold in gold_documents():
        if not gold.held_out:
            continue
        source = read_document(gold.path)
        doc = extractor.parse(source.text)
        ents = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        organisations = extractor.organisations(
            doc.text,
            [(s, e) for s, e, label in ents if label == "ORG"],
            [(s, e) for s, e, label in ents if label == "PERSON"],
        )
        org_ranges = [(s.start, s.end) for o in organisations for s in o.spans]
        title_end = _title_end(doc.text, source.title)
        sentences = [
            (
                s.start_char,
                s.end_char,
                score_sentence(s, org_ranges),
                # as the extractor combines them: no form, no candidate (combined_score)
                sentence_probability(s) if is_candidate(s) else 0.0,
            )
            for s in doc.sents
            if s.end_char > title_end
        ]
        ranges = evidence_ranges(doc.text, gold.evidence)
        scored = [(s, e, rule, p or 0.0) for s, e, rule, p in sentences]
        out.append(ScoredDocument(ranges, len(gold.evidence), scored))
    return out


def f1(
    documents: list[ScoredDocument], weight: float, threshold: float
) -> tuple[float, float, float]:
    hits = kept_total = gold_total = 0
    for document in documents:
        scored = [(Sentence(s, e), rule + weight * p) for s, e, rule, p in document.sentences]
        kept = [span for span, _v in select_practices(scored, threshold=threshold)]  # type: ignore[arg-type]
        used: set[int] = set()
        for start, end in document.gold_ranges:
            for i, (s, e) in enumerate(kept):
                if i not in used and s < end and start < e:
                    used.add(i)
                    hits += 1
                    break
        kept_total += len(kept)
        gold_total += document.gold_count
    precision = hits / kept_total if kept_total else 0.0
    recall = hits / gold_total if gold_total else 0.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f, precision, recall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()
    extractor = Extractor(load_pipeline(Settings.from_env().model))
    documents = scored_documents(extractor)
    print(f"{len(documents)} held-out documents, {sum(d.gold_count for d in documents)} practices")
    f, p, r = f1(documents, 0.0, 2.0)
    print(f"rules alone (threshold 2.0): F1 {f:.3f} P {p:.3f} R {r:.3f}")
    results = sorted(
        ((f1(documents, w, t), w, t) for w in WEIGHTS for t in THRESHOLDS), reverse=True
    )
    for (f, p, r), w, t in results[: args.top]:
        print(f"weight {w:4.1f} threshold {t:4.1f}: F1 {f:.3f} P {p:.3f} R {r:.3f}")


if __name__ == "__main__":
    main()
