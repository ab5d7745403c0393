"""HTML pages of the API, built with ``html.escape`` (no template engine).

Every value that reaches a page goes through :func:`html.escape` in
:mod:`practicegraph.api.templates.pages`; nothing else builds HTML.
"""

from practicegraph.api.templates.pages import (
    Evidence,
    Link,
    PageValue,
    ResourcePage,
    TextValue,
    render_resource,
)

__all__ = ["Evidence", "Link", "PageValue", "ResourcePage", "TextValue", "render_resource"]
