"""The keyword index the settings name (``PRACTICEGRAPH_SEARCH_ENGINE``)."""

from __future__ import annotations

from pathlib import Path

from practicegraph.errors import ConfigError
from practicegraph.search.index import SearchIndex
from practicegraph.search.tantivy_index import TantivyIndex
from practicegraph.search.vocabulary import SearchVocabulary
from practicegraph.search.whoosh_index import WhooshIndex

#: Engine name -> class; the first is the default.
ENGINES: dict[str, type[TantivyIndex] | type[WhooshIndex]] = {
    "tantivy": TantivyIndex,
    "whoosh": WhooshIndex,
}


def open_search_index(
    engine: str, path: Path, vocabulary: SearchVocabulary | None = None, semantic: bool = False
) -> SearchIndex:
    """Open (or create) the index of ``engine`` at ``path``; with ``semantic``, passage
    vectors beside it (:mod:`practicegraph.search.semantic_index`)."""
    try:
        factory = ENGINES[engine]
    except KeyError:
        raise ConfigError(
            f"search_engine must be one of {', '.join(ENGINES)}, got {engine!r}"
        ) from None
    return factory(path, vocabulary, semantic)
