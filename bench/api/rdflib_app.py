"""rdflib-endpoint serving an N-Quads file, for the HTTP API benchmark.

Runs with the Python of a separate virtual environment that has
``rdflib-endpoint`` and ``uvicorn`` (never the project's):

    /tmp/rdflib-endpoint-venv/bin/python bench/api/rdflib_app.py DATA.nq PORT

The file is parsed into an rdflib ``Dataset`` whose default graph is the union
of the named graphs (as the project serves it), then served at ``/sparql`` by
``rdflib_endpoint.SparqlEndpoint`` under uvicorn with its defaults (one
process, access log on). The load time goes to stderr as a JSON line.
"""

from __future__ import annotations

import json
import sys
import time

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint


def main() -> None:
    path, port = sys.argv[1], int(sys.argv[2])
    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    loaded = time.perf_counter() - started
    print(json.dumps({"rdflib_load_s": round(loaded, 2), "quads": len(dataset)}), file=sys.stderr)
    sys.stderr.flush()
    app = SparqlEndpoint(graph=dataset, path="/sparql", cors_enabled=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")


if __name__ == "__main__":
    main()
