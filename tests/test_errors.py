"""The error hierarchy: the tree drawn in errors.py's docstring is the real one."""

from __future__ import annotations

import inspect
import re

from practicegraph import errors
from practicegraph.errors import PracticeGraphError, QueryError, StoreError

#: A line of the drawn tree: the box-drawing prefix, then a class name.
_NODE = re.compile(r"^(?P<prefix>(?:│   |    )*)(?:├── |└── )(?P<name>[A-Za-z]+)")


def drawn_tree() -> dict[str, str]:
    """class name -> parent's name, as the module docstring draws them."""
    doc = errors.__doc__ or ""
    lines = doc[doc.index("    PracticeGraphError\n") :].splitlines()
    parents: dict[str, str] = {}
    path = ["PracticeGraphError"]
    for line in lines[1:]:
        match = _NODE.match(line.removeprefix("    "))
        if match is None:
            break  # the paragraph after the tree
        depth = len(match["prefix"]) // 4
        del path[depth + 1 :]
        parents[match["name"]] = path[depth]
        path.append(match["name"])
    return parents


def real_tree() -> dict[str, str]:
    return {
        cls.__name__: cls.__bases__[0].__name__
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, PracticeGraphError)
        and cls is not PracticeGraphError
        and cls.__module__ == errors.__name__
    }


def test_the_docstring_draws_every_error_under_its_real_parent() -> None:
    assert drawn_tree() == real_tree()


def test_a_bad_query_is_not_a_store_fault() -> None:
    """A user's SPARQL that does not parse (400) is not the store failing (503)."""
    assert not issubclass(QueryError, StoreError)
    assert not issubclass(StoreError, QueryError)
    assert issubclass(QueryError, PracticeGraphError)
