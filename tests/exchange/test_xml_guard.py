"""The RDF/XML entity guard on its own: what it accepts, what it refuses and where it
says the refusal is, block boundaries, and bounded memory against the real bombs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from exchange.rdfxml_samples import PROTEGE_OWL, billion_laughs, document, quadratic
from practicegraph.errors import DumpError, DumpTooLargeError
from practicegraph.exchange.xml_guard import MAX_ENTITY_BYTES, EntityGuard, screen_rdfxml

ROOT = Path(__file__).resolve().parents[2]


def _fed(data: bytes, block: int, max_bytes: int = 10_000_000) -> EntityGuard:
    guard = EntityGuard("f.rdf", max_bytes)
    for start in range(0, len(data), block):
        guard.feed(data[start : start + block])
    guard.feed(b"", final=True)
    return guard


def test_namespace_abbreviations_pass_and_their_references_are_counted() -> None:
    data = PROTEGE_OWL.encode()
    guard = _fed(data, len(data))
    sizes = {name.decode(): size for name, size in guard.entities.items()}
    assert sizes == {"owl": 30, "xsd": 33, "rdfs": 37, "rdf": 43, "prison": 25}
    # &prison; four times (one in a comment: counted, never less than the parser sees),
    # &owl;, &xsd; and &rdf; once each; &amp; is predefined and adds nothing.
    assert guard.expanded == 4 * 25 + 30 + 33 + 43


@pytest.mark.parametrize("block", [1, 7, 64, 211, 4096])
def test_blocks_of_any_size_count_the_same(block: int) -> None:
    data = PROTEGE_OWL.encode() + b"<!-- " + b"&owl;&xsd;x&prison;" * 300 + b" -->"
    whole = _fed(data, len(data))
    assert _fed(data, block).expanded == whole.expanded
    assert _fed(data, block).entities == whole.entities


@pytest.mark.parametrize(
    ("declaration", "reason"),
    [
        ('<!ENTITY b "&a;&a;">', "refers to other entities"),
        ('<!ENTITY b "&#38;a;">', "refers to other entities"),
        ('<!ENTITY b SYSTEM "file:///etc/passwd">', "external entities"),
        ('<!ENTITY b PUBLIC "-//x//y" "https://x.example/dtd">', "external entities"),
        ('<!ENTITY % b "x">', "parameter entities"),
        ("<!ENTITY b 'single'>", "only the form"),
        ('<!ENTITY\u2003b "x">', "only the form"),  # the parser takes Unicode spaces there
        # the parser trims a no-break space or U+3000 before the name and defines "b":
        # a guard that took the space for part of the name would never count &b;
        ('<!ENTITY \u00a0b "x">', "only the form"),
        ('<!ENTITY \u3000b "x">', "only the form"),
        ('<!ENTITY b\u00e9 "x">', "only the form"),
        ('<!ENTITY b "' + "x" * (MAX_ENTITY_BYTES + 1) + '">', "longer than 4,096 bytes"),
    ],
)
def test_a_dangerous_declaration_is_refused_with_its_line_and_column(
    declaration: str, reason: str
) -> None:
    data = document('<!ENTITY a "fine">\n  ' + declaration + "\n", "&a;")
    for block in (len(data), 5):
        with pytest.raises(DumpError, match=reason) as caught:
            _fed(data, block)
        assert (caught.value.line, caught.value.column) == (4, 3)
        assert "entity expansion can blow up memory" in str(caught.value) or "external" in reason
        assert str(caught.value).startswith("f.rdf, line 4, column 3: RDF/XML with this DTD")


def test_a_declaration_hidden_in_a_comment_counts_as_the_parser_would_count_it() -> None:
    data = document('<!-- <!ENTITY a "&b;&b;"> -->\n', "x")
    with pytest.raises(DumpError, match="refers to other entities"):
        screen_rdfxml(data, "body", 1_000_000, "max_body_bytes")


def test_expansion_past_the_limit_is_refused_where_it_passes() -> None:
    data = document('<!ENTITY e "' + "e" * 1000 + '">\n', "&e;" * 100)
    assert screen_rdfxml(data, "body", 200_000, "max_body_bytes") == 100_000
    with pytest.raises(DumpTooLargeError, match="limit of 50,000 bytes") as caught:
        screen_rdfxml(data, "body", 50_000, "max_body_bytes")
    assert "setting max_body_bytes" in str(caught.value)
    assert caught.value.line == 6
    column = caught.value.column
    assert column is not None and data.split(b"\n")[5][column - 1 : column + 2] == b"&e;"
    assert "add 49,000 bytes" in str(caught.value)  # plus the 1,300 bytes of the file


@pytest.mark.parametrize(
    ("name", "build", "reason"),
    [
        ("laughs.rdf", lambda: billion_laughs(10), "refers to other entities"),
        ("quadratic.rdf", lambda: quadratic(50_000, 40_000), "longer than 4,096 bytes"),
    ],
)
def test_the_real_bombs_are_refused_in_bounded_memory(
    tmp_path: Path, name: str, build: object, reason: str
) -> None:
    """Expanded, these are 30 GB and 2 GB. The parse runs in a child capped at 1 GB of
    address space: without the guard it dies there (as the server did), with it the
    refusal comes before the parser has expanded anything."""
    path = tmp_path / name
    path.write_bytes(build())  # type: ignore[operator]
    child = textwrap.dedent(
        """
        import resource, sys
        from pathlib import Path
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        import pyoxigraph as ox
        from practicegraph.exchange.dumpfile import open_dump, syntax_of
        path = Path(sys.argv[1])
        kind = syntax_of(path.name)
        try:
            with open_dump(path, kind, 50_000_000) as handle:
                print("parsed", sum(1 for _ in ox.parse(handle, kind.rdf_format)))
        except Exception as exc:
            print(type(exc).__name__, exc)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith(f"DumpError {name}, line "), done.stdout
    assert reason in done.stdout
