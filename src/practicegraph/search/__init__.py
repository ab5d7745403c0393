"""Keyword search over documents and practices (whoosh), fed by the graph."""

from practicegraph.search.index import (
    Hit,
    SearchIndex,
    SearchRequest,
    SearchResponse,
    WhooshIndex,
    parse_query,
)
from practicegraph.search.records import IndexRecord, records_from_graph
from practicegraph.search.vocabulary import SearchVocabulary

__all__ = [
    "Hit",
    "IndexRecord",
    "SearchIndex",
    "SearchRequest",
    "SearchResponse",
    "SearchVocabulary",
    "WhooshIndex",
    "parse_query",
    "records_from_graph",
]
