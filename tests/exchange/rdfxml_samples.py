"""RDF/XML documents for the entity tests: a Protégé-style ontology that must import,
and the entity tricks that must not (each small on disk, each huge once expanded)."""

from __future__ import annotations

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

#: What Protégé writes: entities as namespace abbreviations, in attributes.
PROTEGE_OWL = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
    <!ENTITY owl "http://www.w3.org/2002/07/owl#" >
    <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#" >
    <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#" >
    <!ENTITY rdf "{RDF_NS}" >
    <!ENTITY prison "https://x.example/prison#" >
]>
<rdf:RDF xmlns="https://x.example/prison#"
     xml:base="https://x.example/prison"
     xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
     xmlns:owl="http://www.w3.org/2002/07/owl#"
     xmlns:rdf="{RDF_NS}">
    <owl:Ontology rdf:about="https://x.example/prison"/>

    <!-- &prison;Mentoring -->
    <owl:Class rdf:about="&prison;Mentoring">
        <rdfs:subClassOf rdf:resource="&owl;Thing"/>
        <rdfs:label xml:lang="en">Peer mentoring &amp; support</rdfs:label>
    </owl:Class>
    <owl:DatatypeProperty rdf:about="&prison;startYear">
        <rdfs:range rdf:resource="&xsd;gYear"/>
        <rdfs:comment>Declared in &prison;, typed with &rdf;type.</rdfs:comment>
    </owl:DatatypeProperty>
</rdf:RDF>
"""


def document(declarations: str, value: str) -> bytes:
    """A one-statement RDF/XML file whose literal is ``value``, after ``declarations``."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n{declarations}]>\n'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:s="https://schema.org/">\n'
        f'<rdf:Description rdf:about="https://x.example/a"><s:name>{value}</s:name>'
        "</rdf:Description>\n</rdf:RDF>\n"
    ).encode()


def billion_laughs(levels: int = 10) -> bytes:
    """ "lol" nested ``levels`` deep, ten references a level: 3 * 10**levels characters."""
    lines = ['<!ENTITY lol0 "lol">\n']
    for level in range(1, levels):
        lines.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">\n')
    return document("".join(lines), f"&lol{levels - 1};")


def quadratic(entity_bytes: int, references: int) -> bytes:
    """One long entity referenced many times: no nesting, just repetition."""
    return document(f'<!ENTITY big "{"x" * entity_bytes}">\n', "&big;" * references)
