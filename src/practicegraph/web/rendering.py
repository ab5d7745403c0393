"""Jinja2 rendering: one environment over the package's templates, autoescaping everything.

Every value reaches HTML through Jinja's autoescape; the only markup passed
through is the search index's snippets (text escaped there, ``<mark>`` added)
and the JSON of the example queries (``tojson``, safe inside a script tag).
``StrictUndefined`` turns a misspelt variable into an error a test sees,
instead of an empty spot on a page.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from practicegraph import __version__

STATIC_PATH = "/static"


def static_url(name: str) -> str:
    """A static file's URL; the version in the query lets browsers cache it across releases."""
    return f"{STATIC_PATH}/{name}?v={__version__}"


@cache
def environment() -> Environment:
    """The template environment, built once: it holds only templates and filters."""
    env = Environment(
        loader=PackageLoader("practicegraph.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["static"] = static_url
    env.globals["version"] = __version__
    return env


def render(template: str, **context: Any) -> str:
    """The page ``template`` filled with ``context``."""
    return environment().get_template(template).render(**context)


__all__ = ["STATIC_PATH", "environment", "render", "static_url"]
