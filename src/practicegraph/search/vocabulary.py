"""The words search knows beyond the documents: theme labels and synonym groups.

Both come from ontology/ (themes.ttl, synonyms.txt), so that extending the
theme scheme or the synonym list extends search without code changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from practicegraph.config import ontology_dir
from practicegraph.search.analysis import text_analyzer
from practicegraph.vocab import SKOS


def analyse(text: str) -> tuple[str, ...]:
    return tuple(token.text for token in text_analyzer()(text))


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
        found: list[str] = []
        for group in self._groups:
            if any(a and _contains(query_terms, a) for _p, a in group):
                found += [p for p, a in group if a and not _contains(query_terms, a)]
        return list(dict.fromkeys(found))

    def themes_named(self, query_terms: tuple[str, ...]) -> list[str]:
        """Theme ids whose label or a cue term occurs in the query."""
        return [
            t for t, forms in self._themes.items() if any(_contains(query_terms, a) for a in forms)
        ]


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))
