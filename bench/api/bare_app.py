"""The reference line for the HTTP API benchmark: bare FastAPI + pyoxigraph.

One ``GET /sparql?query=...`` route, a plain ``def`` (FastAPI runs it in its
thread pool), the query run in-process on a store opened read-only at import,
the result written by pyoxigraph's own SPARQL JSON serialiser. No limits, no
content negotiation, no worker processes: the least an HTTP SPARQL endpoint on
pyoxigraph can do. Started by ``bench/api_bench.py``:

    BARE_STORE=/path/to/store .venv/bin/python -m uvicorn --app-dir bench/api \
        bare_app:app --host 127.0.0.1 --port 8123
"""

from __future__ import annotations

import os

import pyoxigraph as ox
from fastapi import FastAPI, Query, Response

store = ox.Store.read_only(os.environ["BARE_STORE"])
app = FastAPI(title="bare pyoxigraph SPARQL")


@app.get("/sparql")
def sparql(query: str = Query(...)) -> Response:
    result = store.query(query, use_default_graph_as_union=True)
    payload = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
    return Response(payload, media_type="application/sparql-results+json")
