"""Keyword search over documents and practices, fed by the graph.

The query is planned once (:mod:`query`) and executed by an engine behind
:class:`SearchIndex`: tantivy by default, whoosh as the pure-Python option
(:mod:`engines` builds the one the settings name).
"""

from practicegraph.search.engines import ENGINES, open_search_index
from practicegraph.search.index import Hit, SearchIndex, SearchResponse
from practicegraph.search.query import SearchRequest, parse_query
from practicegraph.search.records import IndexRecord, records_from_graph
from practicegraph.search.tantivy_index import TantivyIndex
from practicegraph.search.vocabulary import SearchVocabulary
from practicegraph.search.whoosh_index import WhooshIndex

__all__ = [
    "ENGINES",
    "Hit",
    "IndexRecord",
    "SearchIndex",
    "SearchRequest",
    "SearchResponse",
    "SearchVocabulary",
    "TantivyIndex",
    "WhooshIndex",
    "open_search_index",
    "parse_query",
    "records_from_graph",
]
