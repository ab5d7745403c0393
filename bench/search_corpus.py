"""The search benchmarks' collection and queries: synthetic documents drawn from the
corpus vocabulary, the theme scheme and the synonym list, and a fixed query mix.

Shared by ``search_bench.py`` (in-process) and ``search_http.py`` (over HTTP), so
that every peer is measured on the same documents and queries.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pycountry

from practicegraph.search import IndexRecord, SearchVocabulary

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CORPUS = ROOT / "corpus"
SYNONYMS = ROOT / "ontology" / "synonyms.txt"
SEED = 20240917

COUNTRIES = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "NO",
    "GB", "CH", "IS", "RS", "UA", "GE", "CA", "US",
]  # fmt: skip
ORGANISATIONS = [
    "EuroPris",
    "European Organisation of Prison and Correctional Services",
    "Confederation of European Probation",
    "Council of Europe",
    "International Centre for the Prevention of Crime",
    "United Nations Office on Drugs and Crime",
    "European Commission",
    "Radicalisation Awareness Network",
    "International Corrections and Prisons Association",
    "European Forum for Restorative Justice",
    "Penal Reform International",
    "European Crime Prevention Network",
]
SERVICES = ["Ministry of Justice", "Prison Service", "Probation Service", "Correctional Academy"]

# (text, filters). Filters go into the SearchRequest for the project; the bare
# schema has no such fields, so the bare searchers run the text only.
QUERIES: list[tuple[str, str, dict[str, list[str]]]] = [
    ("plain", "probation", {}),
    ("plain", "mentoring", {}),
    ("plain", "radicalisation", {}),
    ("plain", "recidivism", {}),
    ("plain", "prison", {}),
    ("plain", "training", {}),
    ("words", "mentoring new probation officers", {}),
    ("words", "radicalization probation", {}),
    ("words", "reentry programs after release", {}),
    ("words", "staff training", {}),
    ("words", "electronic monitoring evaluation", {}),
    ("words", "career guidance for prison staff", {}),
    ("words", "crime prevention strategies", {}),
    ("words", "women in prison", {}),
    ("words", "young offenders education", {}),
    ("words", "community safety police", {}),
    ("phrase", '"electronic monitoring"', {}),
    ("phrase", '"probation officers" training', {}),
    ("phrase", '"crime prevention"', {}),
    ("misspelling", "probaton officers training", {}),
    ("misspelling", "rehabilitaton", {}),
    ("misspelling", "mentorng programmes", {}),
    ("misspelling", "radicalisaton prison", {}),
    ("synonym", "reentry", {}),
    ("synonym", "community sanctions", {}),
    ("synonym", "career advice", {}),
    ("synonym", "inmates", {}),
    ("entity", "EuroPris", {}),
    ("entity", "Latvia", {}),
    ("filter", "probation", {"countries": ["LV"]}),
    ("filter", "staff training", {"countries": ["NL"]}),
    ("filter", "reentry", {"countries": ["DE"]}),
    ("filter", "mentoring", {"kinds": ["practice"]}),
]


# --- synthetic documents ---------------------------------------------------------------


class Generator:
    """Deterministic documents from the corpus vocabulary, theme labels and synonyms.

    Words are drawn from the corpus word frequencies (90 %) and from a Zipf-
    distributed pool of pseudo-words (10 %), which gives the long tail of rare
    terms a real collection has; about a third of the sentences carry a theme
    label or synonym phrase, mostly of the document's own themes, so that
    queries hit and ranking has something to rank.
    """

    def __init__(self, vocabulary: SearchVocabulary, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.theme_labels = vocabulary.theme_labels
        self.theme_ids = sorted(self.theme_labels)
        counts: Counter[str] = Counter()
        for path in sorted(CORPUS.glob("*.txt")):
            text = path.read_text(encoding="utf-8", errors="replace")
            counts.update(re.findall(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]", text))
        words = sorted(counts, key=lambda w: (-counts[w], w))
        self.words = words
        self.word_cum = _cumulative([counts[w] for w in words])
        rng = random.Random(seed + 1)
        syllables = [
            a + b for a in "bcdfghklmnprstvz" for b in ("a", "e", "i", "o", "u", "ai", "ou")
        ]
        pseudo: set[str] = set()
        while len(pseudo) < 20_000:
            pseudo.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
        self.pseudo = sorted(pseudo)
        rng.shuffle(self.pseudo)
        self.pseudo_cum = _cumulative([1.0 / (rank + 10) for rank in range(len(self.pseudo))])
        self.synonym_phrases = [
            p.strip()
            for line in SYNONYMS.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")
            for p in line.split("|")
            if p.strip()
        ]
        self.all_labels = [label for t in self.theme_ids for label in self.theme_labels[t]]
        self.country_names = {
            code: [c.name] + ([c.common_name] if hasattr(c, "common_name") else [])
            for code in COUNTRIES
            if (c := pycountry.countries.get(alpha_2=code))
        }

    def _words(self, n: int) -> list[str]:
        rng = self.rng
        n_pseudo = sum(1 for _ in range(n) if rng.random() < 0.10)
        chosen = rng.choices(self.words, cum_weights=self.word_cum, k=n - n_pseudo)
        chosen += rng.choices(self.pseudo, cum_weights=self.pseudo_cum, k=n_pseudo)
        rng.shuffle(chosen)
        return chosen

    def _phrase(self, themes: list[str]) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.6:
            return rng.choice(self.theme_labels[rng.choice(themes)])
        if roll < 0.85:
            return rng.choice(self.synonym_phrases)
        return rng.choice(self.all_labels)

    def _text(self, n_words: int, themes: list[str], places: list[str]) -> str:
        rng = self.rng
        sentences: list[str] = []
        total = 0
        while total < n_words:
            length = min(rng.randint(8, 24), max(1, n_words - total))
            words = self._words(length)
            if rng.random() < 0.35:
                words.insert(rng.randrange(len(words) + 1), self._phrase(themes))
            if places and rng.random() < 0.08:
                words.insert(rng.randrange(len(words) + 1), rng.choice(places))
            total += length
            sentence = " ".join(words)
            sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        return " ".join(sentences)

    def document(self, i: int, n_words: int, practice: bool) -> list[IndexRecord]:
        rng = self.rng
        themes = sorted(rng.sample(self.theme_ids, rng.randint(1, 3)))
        countries = sorted(rng.sample(COUNTRIES, rng.randint(1, 2)))
        organisations = rng.sample(ORGANISATIONS, rng.randint(0, 2))
        organisations += [
            f"{rng.choice(SERVICES)} of {self.country_names[c][0]}"
            for c in countries
            if rng.random() < 0.5
        ]
        organisations = sorted(set(organisations))
        places = [n for c in countries for n in self.country_names[c][:1]] + organisations
        year = str(rng.randint(2005, 2024))
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        source = f"synthetic_{i:07d}.txt"
        doc_iri = f"https://example.org/pg/document/{i:07d}"
        title = self._text(rng.randint(4, 9), themes, []).rstrip(".")
        body = self._text(n_words, themes, places)
        country_words = [n for c in countries for n in self.country_names[c]] + countries
        theme_text = [label for t in themes for label in self.theme_labels[t]]
        content_hash = f"{rng.getrandbits(128):032x}"
        records = [
            IndexRecord(
                id=doc_iri,
                kind="document",
                source=source,
                doc_iri=doc_iri,
                title=title,
                body=body,
                content_hash=content_hash,
                entities=" ; ".join(dict.fromkeys(organisations + country_words + theme_text)),
                themes=themes,
                countries=countries,
                organisations=organisations,
                year=year,
                date=date,
                url=f"https://example.org/docs/{i}",
            )
        ]
        if practice:
            p_themes = [rng.choice(themes)]
            label = self._phrase(p_themes)
            description = self._text(30, p_themes, places)
            records.append(
                IndexRecord(
                    id=f"{doc_iri}/practice/1",
                    kind="practice",
                    source=source,
                    doc_iri=doc_iri,
                    title=label[:1].upper() + label[1:] + " " + " ".join(self._words(3)),
                    body=description,
                    evidence=description,
                    content_hash=content_hash,
                    entities=" ; ".join(
                        dict.fromkeys(
                            organisations[:1]
                            + country_words
                            + [x for t in p_themes for x in self.theme_labels[t]]
                            + [title]
                        )
                    ),
                    themes=p_themes,
                    countries=countries,
                    organisations=organisations[:1],
                    year=year,
                    date=date,
                    url=records[0].url,
                )
            )
        return records


def _cumulative(weights: list[float]) -> list[float]:
    out: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def generate(n_docs: int, n_words: int, vocabulary: SearchVocabulary) -> list[list[IndexRecord]]:
    gen = Generator(vocabulary)
    return [gen.document(i, n_words, practice=(i % 5 == 0)) for i in range(n_docs)]


def batches(docs: list[list[IndexRecord]], size: int) -> Iterator[dict[str, list[IndexRecord]]]:
    batch: dict[str, list[IndexRecord]] = {}
    count = 0
    for records in docs:
        batch[records[0].source] = records
        count += len(records)
        if count >= size:
            yield batch
            batch, count = {}, 0
    if batch:
        yield batch
