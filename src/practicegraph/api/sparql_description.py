"""``GET /sparql`` without a query: the SPARQL Service Description, or the editor page.

A browser (``Accept: text/html``, or ``format=html``) gets the query editor;
RDF clients, and clients that send no Accept or ``*/*``, get the description in
the RDF syntax they ask for.
"""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import Request, Response

from practicegraph import formats
from practicegraph.api import conneg
from practicegraph.api.errors import ApiError
from practicegraph.api.protocol import GRAPH_MEDIA, GRAPH_MEDIA_TYPES, negotiate
from practicegraph.api.sparql_request import GRAPH_FORMAT_NAMES
from practicegraph.config import Settings
from practicegraph.sparql_terms import iri, iris

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
HTML = formats.HTML

#: What ``GET /sparql`` without a query offers: the description first (what ``*/*``
#: and no Accept get), the editor page for browsers.
_DESCRIPTION_OFFERS = (*GRAPH_MEDIA, HTML)


def wants_editor(request: Request, values: dict[str, list[str]]) -> bool:
    """Whether a request for ``/sparql`` without a query is a browser's (or ``format=html``).

    RDF clients, and clients that send no Accept or ``*/*``, get the description.
    """
    chosen = values.get("format")
    if chosen:
        return chosen[-1].lower() == "html"
    accept = request.headers.get("accept")
    return bool(accept and accept.strip()) and conneg.negotiate(accept, _DESCRIPTION_OFFERS) == HTML


def service_description(
    request: Request, values: dict[str, list[str]], endpoint: str, settings: Settings
) -> Response:
    """The Service Description of the endpoint at ``endpoint``, by ``format=`` or Accept."""
    chosen = values.get("format")
    if chosen:
        fmt = chosen[-1].lower()
        if fmt not in GRAPH_FORMAT_NAMES:
            raise ApiError(400, f"the service description comes as {', '.join(GRAPH_FORMAT_NAMES)}")
    else:
        fmt = negotiate(request.headers.get("accept"), GRAPH_MEDIA, "turtle") or "turtle"
    features = [iri(SD + "UnionDefaultGraph"), iri(SD + "EmptyGraphs")]
    if settings.service_allowlist_iris:
        features.append(iri(SD + "BasicFederatedQuery"))
    result_formats = ", ".join(
        iri(FORMATS + name)
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "JSON-LD",
            "RDF_XML",
        )
    )
    input_formats = iris(
        (FORMATS + name for name in ("Turtle", "N-Triples", "JSON-LD", "RDF_XML")), sep=", "
    )
    turtle = f"""
        @prefix sd: {iri(SD)} .
        {iri(endpoint + "#service")} a sd:Service ;
            sd:endpoint {iri(endpoint)} ;
            sd:supportedLanguage sd:SPARQL11Query, sd:SPARQL11Update ;
            sd:resultFormat {result_formats} ;
            sd:inputFormat {input_formats} ;
            sd:feature {", ".join(features)} ;
            sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .
    """
    triples = [q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)]
    payload = ox.serialize(triples, format=formats.GRAPH_SYNTAXES[fmt]) or b""
    return Response(payload, media_type=GRAPH_MEDIA_TYPES[fmt], headers={"Vary": "Accept"})
