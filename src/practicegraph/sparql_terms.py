"""SPARQL tokens for values put into query and update text written in code.

The store has server backends that receive queries as text, so pyoxigraph's
``substitutions=`` cannot carry every value. Instead every Python value that
goes into SPARQL text passes through one of these functions, which build the
token with pyoxigraph's own term types:

- :func:`iri` renders ``<...>`` only for a valid absolute IRI (pyoxigraph's
  ``NamedNode`` refuses spaces, ``>``, ``{``, ``}``, quotes and the like), so a
  value can never close the IRI and continue the query;
- :func:`literal` renders a quoted literal with pyoxigraph's escaping of
  quotes, backslashes and line breaks;
- :func:`iris` renders a space-separated list of IRIs for ``VALUES`` or
  ``IN (...)``.

``tests/test_sparql_terms.py`` scans ``src/`` and fails when SPARQL text in an
f-string interpolates a value into ``<{...}>`` or ``"{...}"`` by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

__all__ = ["iri", "iris", "literal"]


def _named(value: object) -> ox.NamedNode:
    text = str(value)
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise ValueError(f"not an IRI, refused in SPARQL text: {text!r} ({exc})") from exc


def iri(value: object) -> str:
    """``<value>`` for SPARQL text; ValueError naming the value if it is not an IRI."""
    return str(_named(value))


def iris(values: Iterable[object], sep: str = " ") -> str:
    """The IRIs of ``values`` as tokens joined by ``sep`` (``VALUES ?x { ... }``)."""
    return sep.join(iri(v) for v in values)


def literal(value: object, datatype: object = None, language: str | None = None) -> str:
    """``"value"`` (escaped), with ``^^<datatype>`` or ``@language`` when given."""
    if datatype is not None:
        return str(ox.Literal(str(value), datatype=_named(datatype)))
    if language is not None:
        return str(ox.Literal(str(value), language=language))
    return str(ox.Literal(str(value)))
