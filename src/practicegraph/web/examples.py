"""Example SPARQL queries for the editor: each answers a question a researcher asks.

They are written against the public shape of the graph (CONTRACT.md), so
they double as documentation of it; a test runs each one over the seed
corpus and expects rows.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = """\
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX pg: <https://w3id.org/practicegraph/ontology#>
PREFIX themes: <https://w3id.org/practicegraph/themes/>
"""


@dataclass(frozen=True)
class Example:
    slug: str
    title: str
    question: str
    query: str


EXAMPLES = (
    Example(
        "practices-per-theme-per-country",
        "Practices per theme per country",
        "Which themes do the practices of each country address, and how often?",
        PREFIXES
        + """
SELECT ?theme ?country (COUNT(DISTINCT ?practice) AS ?practices) WHERE {
  ?practice a pg:Practice ; schema:about ?t ; schema:spatialCoverage ?c .
  ?t skos:prefLabel ?theme . FILTER (LANG(?theme) = "en")
  ?c schema:name ?country .
}
GROUP BY ?theme ?country
ORDER BY DESC(?practices) ?theme ?country
""",
    ),
    Example(
        "organisations-on-radicalisation",
        "Organisations working on radicalisation",
        "Which organisations are linked to work on radicalisation and violent extremism: "
        "practices or documents tagged with the theme, or documents using its words?",
        PREFIXES
        + """
SELECT ?organisation (COUNT(DISTINCT ?work) AS ?documents) (SAMPLE(?how) AS ?why) WHERE {
  ?org a schema:Organization ; schema:name ?organisation .
  {
    ?work schema:about themes:radicalisation ; schema:provider|schema:mentions ?org .
    BIND ("tagged with the theme" AS ?how)
  } UNION {
    themes:radicalisation skos:prefLabel|skos:altLabel ?word .
    ?work schema:mentions ?org ; pg:text ?text .
    FILTER (CONTAINS(LCASE(?text), LCASE(STR(?word))))
    BIND (CONCAT("the document says: ", STR(?word)) AS ?how)
  }
}
GROUP BY ?organisation
ORDER BY DESC(?documents) ?organisation
""",
    ),
    Example(
        "events-by-year",
        "Events by year",
        "How many conferences, meetings and seminars does the collection know of each year?",
        PREFIXES
        + """
SELECT ?year (COUNT(DISTINCT ?event) AS ?events)
       (GROUP_CONCAT(DISTINCT ?name; separator=" · ") AS ?names) WHERE {
  ?event a schema:Event ; schema:name ?name ; schema:startDate ?start .
  BIND (SUBSTR(STR(?start), 1, 4) AS ?year)
}
GROUP BY ?year
ORDER BY ?year
""",
    ),
    Example(
        "evidence-behind-practices",
        "The evidence behind each practice",
        "For each practice, which sentence of which document was it found in, and where?",
        PREFIXES
        + """
SELECT ?practice ?label ?quote ?document ?start ?end WHERE {
  ?practice a pg:Practice ; schema:name ?label .
  ?annotation oa:hasBody ?practice ; oa:hasTarget ?target .
  ?target oa:hasSource ?document ;
          oa:hasSelector ?quoted, ?position .
  ?quoted oa:exact ?quote .
  ?position oa:start ?start ; oa:end ?end .
}
ORDER BY ?document ?start
LIMIT 200
""",
    ),
)

__all__ = ["EXAMPLES", "Example"]
