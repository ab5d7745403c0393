"""The HTTP API (FastAPI): SPARQL, keyword search, linked data, dumps."""

from practicegraph.api.app import create_app

__all__ = ["create_app"]
