"""The words search knows beyond the documents: theme labels and synonym groups.

Both come from ontology/ (themes.ttl, synonyms.txt), so that extending the
theme scheme or the synonym list extends search without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import Graph

from practicegraph.config import ontology_dir
from practicegraph.search.analysis import text_analyzer
from practicegraph.vocab import SKOS

_ANALYZER = text_analyzer()


@lru_cache(maxsize=50_000)
def analyse(text: str) -> tuple[str, ...]:
    """The index terms of ``text`` (cached: planning analyses the same words and
    phrases many times per query)."""
    return tuple(token.text for token in _ANALYZER(text))


@dataclass
class SearchVocabulary:
    theme_labels: dict[str, list[str]] = field(default_factory=dict)  # id -> pref + alt labels
    synonym_groups: list[list[str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Analysed once: queries compare token tuples, never re-analyse the vocabulary.
        self._groups = [[(p, analyse(p)) for p in group] for group in self.synonym_groups]
        self._themes = {
            t: [a for n in names if (a := analyse(n))] for t, names in self.theme_labels.items()
        }
        # Which groups and themes a term can start: a query looks up its own terms
        # instead of comparing itself with every phrase of the vocabulary.
        self._groups_by_term: dict[str, set[int]] = {}
        for i, group in enumerate(self._groups):
            for _p, a in group:
                if a:
                    self._groups_by_term.setdefault(a[0], set()).add(i)
        self._themes_by_term: dict[str, set[str]] = {}
        for theme_id, forms in self._themes.items():
            for a in forms:
                self._themes_by_term.setdefault(a[0], set()).add(theme_id)

    @classmethod
    def load(cls, folder: Path | None = None) -> SearchVocabulary:
        folder = folder or ontology_dir()
        graph = Graph().parse(folder / "themes.ttl", format="turtle")
        labels: dict[str, list[str]] = {}
        for concept, notation in graph.subject_objects(SKOS.notation):
            names = [str(graph.value(concept, SKOS.prefLabel) or "")]
            names += sorted(str(a) for a in graph.objects(concept, SKOS.altLabel))
            labels[str(notation)] = [n for n in names if n]
        groups = []
        for line in (folder / "synonyms.txt").read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                groups.append([p.strip() for p in line.split("|") if p.strip()])
        return cls(labels, groups)

    def expansions(self, query_terms: tuple[str, ...]) -> list[str]:
        """Phrases equivalent to something in the query (analysed tokens), best first."""
        return list(dict.fromkeys(phrase for _source, phrase in self.expansion_pairs(query_terms)))

    def expansion_pairs(self, query_terms: tuple[str, ...]) -> list[tuple[str, str]]:
        """(the group's phrase the query holds, an equivalent phrase it does not), so that
        a hit can say why it matched: "reentry -> resettlement"."""
        found: list[tuple[str, str]] = []
        candidates = set().union(*(self._groups_by_term.get(t, ()) for t in query_terms))
        for group in (self._groups[i] for i in sorted(candidates)):
            held = next((p for p, a in group if a and _contains(query_terms, a)), None)
            if held is not None:
                found += [(held, p) for p, a in group if a and not _contains(query_terms, a)]
        return list(dict.fromkeys(found))

    def theme_id(self, value: str) -> str:
        """A theme's id from its id or one of its labels, in any case."""
        if value in self.theme_labels:
            return value
        wanted = value.strip().lower()
        for theme_id, labels in self.theme_labels.items():
            if any(label.lower() == wanted for label in labels):
                return theme_id
        return value

    def themes_named(self, query_terms: tuple[str, ...]) -> list[str]:
        """Theme ids whose label or a cue term occurs in the query."""
        candidates = set().union(*(self._themes_by_term.get(t, ()) for t in query_terms))
        return [
            t
            for t, forms in self._themes.items()
            if t in candidates and any(_contains(query_terms, a) for a in forms)
        ]


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))
