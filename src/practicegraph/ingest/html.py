"""Main-content extraction from HTML pages.

A saved web page is mostly furniture: menus, cookie banners, share buttons,
login boxes. Entities found there would pollute the graph, so this module keeps
only the page's main content and renders it as plain text with one blank line
between blocks. It also reads the metadata a page states about itself (title,
publication date, language, canonical address).

Only BeautifulSoup's ``html.parser`` is used: it ships with Python, so results
do not depend on which optional parser happens to be installed.

Hostile markup: elements nested deeper than :data:`MAX_DEPTH` are refused while
the page is parsed (:class:`HtmlTooDeepError`), and the tree is rendered
without recursion, so no page can exhaust Python's stack or keep the parser
busy for minutes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    ProcessingInstruction,
    Tag,
)

from practicegraph.ingest.metadata import is_boilerplate_line, normalise_date, normalise_language

__all__ = ["MAX_DEPTH", "HtmlContent", "HtmlTooDeepError", "extract_html"]

#: Deepest element nesting a page may have. Why 512: browsers stop nesting there
#: (Blink's parser puts deeper elements beside their parent), so no page meant
#: for people needs more, and it bounds the work per element of the passes below.
MAX_DEPTH = 512


class HtmlTooDeepError(ValueError):
    """The page nests elements deeper than the limit; the reader names the file."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"HTML elements nested more than {limit} deep (the limit)")


@dataclass(frozen=True)
class HtmlContent:
    """What :func:`extract_html` found; ``None`` where the page states nothing."""

    text: str
    title: str | None
    date: str | None
    language: str | None
    url: str | None


# Never content, wherever they are.
_ALWAYS_DROP = ("script", "style", "noscript", "template", "iframe", "svg", "button", "object")
# Page furniture; dropped inside the chosen content container.
_FURNITURE_TAGS = frozenset({"nav", "header", "footer", "aside", "form", "menu", "dialog"})
_JUNK_WORDS = (
    "nav",
    "menu",
    "breadcrumb",
    "cookie",
    "consent",
    "share",
    "social",
    "login",
    "password",
    "sidebar",
    "footer",
    "header",
    "skip",
    "related",
)
_JUNK_ROLES = frozenset(
    {
        "navigation",
        "banner",
        "contentinfo",
        "complementary",
        "search",
        "menu",
        "menubar",
        "dialog",
        "alertdialog",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "footer",
        "hr",
        "li",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "caption",
    }
)
_CELL_TAGS = frozenset({"td", "th"})
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_TOKEN_RE = re.compile(r"[^a-z0-9]+")
_SPACES_RE = re.compile(r"[\s\u200b]+")
_LINE_BREAK = "\x00"  # stands for <br> while inline whitespace is collapsed
_TITLE_SUFFIX_RE = re.compile(r"^(?P<title>.+?)\s+[|-]\s+(?P<site>[^|]{1,60})$")


class _DepthLimitedSoup(BeautifulSoup):
    """BeautifulSoup that stops parsing as soon as nesting passes ``MAX_DEPTH``.

    Why stop during the parse and not after it: a file of a million unclosed
    ``<b>`` tags takes minutes to build into a tree; refusing at the 513th
    costs microseconds. ``pushTag`` is where the tree builder opens every
    element; ``tagStack`` holds the open elements, the document itself first.
    """

    def pushTag(self, tag: Tag) -> None:  # noqa: N802 - bs4's name
        if len(self.tagStack) > MAX_DEPTH:
            raise HtmlTooDeepError(MAX_DEPTH)
        super().pushTag(tag)


def _is_decomposed(tag: Tag) -> bool:
    """Whether ``tag`` was removed by an earlier ``decompose()``.

    Why not ``tag.decomposed``: in bs4 4.13+ it reads an attribute that is only
    set on decomposition, and the miss falls through to ``Tag.__getattr__``,
    which searches the whole subtree for an element of that name: once per
    element, that made the furniture pass quadratic.
    """
    return bool(vars(tag).get("_decomposed", False))


def _attr(tag: Tag, name: str) -> str:
    """Return an attribute as one string (bs4 gives multi-valued ones as lists)."""
    value = tag.get(name)
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ".join(value)


def _looks_like_junk(tag: Tag) -> bool:
    """Tell whether id/class/role names the element as navigation or a widget.

    Why token matching: ``class="site-nav"`` and ``id="cookieConsent"`` should
    match but ``class="canvas"`` should not; a token matches when it starts or
    ends with one of the words.
    """
    role = _attr(tag, "role").strip().lower()
    if role in _JUNK_ROLES:
        return True
    names = f"{_attr(tag, 'id')} {_attr(tag, 'class')}".lower()
    for token in _TOKEN_RE.split(names):
        if token and any(token.startswith(w) or token.endswith(w) for w in _JUNK_WORDS):
            return True
    return False


def _is_article_box(tag: Tag) -> bool:
    """An ``<aside>`` inside the article that reads as text, not links: a fact box, a
    background note, a "project in focus" panel. Pages put part of their content there;
    a sidebar outside the article, a junk-named aside ("related", "share") or a list
    of links is still furniture."""
    if tag.name != "aside" or not _inside_article(tag) or _looks_like_junk(tag):
        return False
    text = len(tag.get_text(" ", strip=True))
    linked = sum(len(a.get_text(" ", strip=True)) for a in tag.find_all("a"))
    return text > 0 and linked * 2 < text


def _inside_article(tag: Tag) -> bool:
    return tag.find_parent("article") is not None


def _paragraph_chars(tag: Tag) -> int:
    return sum(len(p.get_text(" ", strip=True)) for p in tag.find_all("p"))


def _choose_container(soup: BeautifulSoup) -> Tag | None:
    """Pick the element holding the main content.

    Order: ``<main>``, the largest ``<article>``, ``role=main``, the element
    whose direct ``<p>`` children hold the most text, then ``<body>``.
    """
    main = soup.find("main")
    if isinstance(main, Tag):
        return main
    articles = [a for a in soup.find_all("article") if isinstance(a, Tag)]
    if articles:
        return max(articles, key=lambda a: len(a.get_text(" ", strip=True)))
    role_main = soup.find(role="main")
    if isinstance(role_main, Tag):
        return role_main
    scores: dict[int, tuple[int, Tag]] = {}
    for p in soup.find_all("p"):
        parent = p.parent
        if not isinstance(p, Tag) or not isinstance(parent, Tag):
            continue
        if parent.name in ("body", "html", "[document]"):
            continue
        chars = len(p.get_text(" ", strip=True))
        previous = scores.get(id(parent), (0, parent))[0]
        scores[id(parent)] = (previous + chars, parent)
    if scores:
        chars, best = max(scores.values(), key=lambda item: item[0])
        if chars > 0:
            return best
    body = soup.find("body")
    return body if isinstance(body, Tag) else None


def _drop_furniture(container: Tag) -> None:
    """Remove navigation, banners and widgets found inside ``container``.

    Why the exceptions: an ``<article>``'s own ``<header>`` holds its title
    and date, a box the article sets aside holds part of its text
    (:func:`_is_article_box`), and an element that holds most of the container's
    paragraph text is content whatever its class says (``class="page has-sidebar"``).
    """
    total = _paragraph_chars(container)
    for tag in list(container.find_all(True)):
        if not isinstance(tag, Tag) or _is_decomposed(tag):
            continue
        if tag.name in ("main", "article") or _attr(tag, "role").lower() == "main":
            continue
        if tag.name == "header" and _inside_article(tag):
            continue
        if _is_article_box(tag):
            continue
        by_tag = tag.name in _FURNITURE_TAGS
        if not by_tag and not _looks_like_junk(tag):
            continue
        if tag.find(["main", "article"]) is not None:
            continue
        if not by_tag:
            if "header" in _attr(tag, "class").lower() and _inside_article(tag):
                continue
            if total and _paragraph_chars(tag) * 2 > total:
                continue
        tag.decompose()


class _Renderer:
    """Turns an element tree into paragraphs separated by blank lines.

    Walks the tree with an explicit stack rather than by recursion: even
    within ``MAX_DEPTH`` the recursion would take two frames per level, and
    the caller's own frames (a web server's, a test runner's) count too.
    """

    _FLUSH = object()  # marks where a block element ends
    _SPACE = object()  # marks where a table cell ends

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._inline: list[str] = []

    def flush(self) -> None:
        text = _SPACES_RE.sub(" ", "".join(self._inline))
        self._inline.clear()
        lines = [line.strip() for line in text.split(_LINE_BREAK)]
        block = "\n".join(line for line in lines if line)
        if block:
            self.blocks.append(block)

    def render(self, node: Tag) -> None:
        todo: list[object] = list(reversed(node.contents))
        while todo:
            item = todo.pop()
            if item is self._FLUSH:
                self.flush()
            elif item is self._SPACE:
                self._inline.append(" ")
            elif isinstance(item, NavigableString):
                if not isinstance(item, _SKIPPED_STRINGS):
                    self._inline.append(str(item).replace(_LINE_BREAK, ""))
            elif isinstance(item, Tag):
                self._open(item, todo)

    def _open(self, tag: Tag, todo: list[object]) -> None:
        """Render what ``tag`` is by itself; push its children (and its end) on ``todo``."""
        name = tag.name
        if name == "br":
            self._inline.append(_LINE_BREAK)
            return
        if name == "img":
            return
        if name == "pre":
            self.flush()
            text = tag.get_text().replace("\r\n", "\n").replace("\r", "\n").strip("\n")
            if text.strip():
                self.blocks.append(text.rstrip())
            return
        if name in _BLOCK_TAGS:
            self.flush()
            todo.append(self._FLUSH)
        elif name in _CELL_TAGS:
            self._inline.append(" ")
            todo.append(self._SPACE)
        todo.extend(reversed(tag.contents))


def _render_text(container: Tag) -> str:
    renderer = _Renderer()
    renderer.render(container)
    renderer.flush()
    blocks: list[str] = []
    for block in renderer.blocks:
        kept = [line for line in block.split("\n") if not is_boilerplate_line(line)]
        if any(line.strip() for line in kept):
            blocks.append("\n".join(kept))
    return "\n\n".join(blocks)


def _meta(soup: BeautifulSoup, *keys: str) -> str | None:
    """Content of the first ``<meta>`` whose property or name is one of ``keys``."""
    for key in keys:  # honour the order of preference in ``keys``
        for tag in soup.find_all("meta"):
            if not isinstance(tag, Tag):
                continue
            names = {_attr(tag, "property").strip().lower(), _attr(tag, "name").strip().lower()}
            if key.lower() in names:
                content = _attr(tag, "content").strip()
                if content:
                    return content
    return None


def _clean_title(raw: str) -> str | None:
    title = " ".join(raw.split())
    match = _TITLE_SUFFIX_RE.match(title)
    if match:
        title = match.group("title").strip()
    return title or None


def _find_title(soup: BeautifulSoup) -> str | None:
    og_title = _meta(soup, "og:title")
    if og_title:
        return " ".join(og_title.split())
    title_tag = soup.find("title")
    if isinstance(title_tag, Tag):
        title = _clean_title(title_tag.get_text())
        if title:
            return title
    h1 = soup.find("h1")
    if isinstance(h1, Tag):
        text = " ".join(h1.get_text(" ").split())
        if text:
            return text
    return None


def _find_date(soup: BeautifulSoup) -> str | None:
    published = _meta(soup, "article:published_time")
    if published and (iso := normalise_date(published)):
        return iso
    # A <time> inside the main content is the article's; elsewhere it may
    # belong to a "latest news" box, so look there only second.
    scopes: list[Tag | BeautifulSoup] = []
    for name in ("main", "article"):
        found = soup.find(name)
        if isinstance(found, Tag):
            scopes.append(found)
    scopes.append(soup)
    for scope in scopes:
        for time_tag in scope.find_all("time"):
            if isinstance(time_tag, Tag):
                value = _attr(time_tag, "datetime").strip()
                if value and (iso := normalise_date(value)):
                    return iso
    for key in ("date", "dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued"):
        stated = _meta(soup, key)
        if stated and (iso := normalise_date(stated)):
            return iso
    return None


def _is_absolute_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _find_url(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("link"):
        if not isinstance(link, Tag):
            continue
        rel = _attr(link, "rel").lower().split()
        href = _attr(link, "href").strip()
        if "canonical" in rel and _is_absolute_url(href):
            return href
    og_url = _meta(soup, "og:url")
    if og_url and _is_absolute_url(og_url):
        return og_url
    return None


def _find_language(soup: BeautifulSoup) -> str | None:
    html = soup.find("html")
    if isinstance(html, Tag):
        return normalise_language(_attr(html, "lang") or _attr(html, "xml:lang") or None)
    return None


def extract_html(markup: str) -> HtmlContent:
    """Extract the main text and the stated metadata of an HTML page.

    Metadata is read before anything is removed, because a page's date often
    sits in a header that the content extraction drops. The text is empty when
    the page has no content; the caller decides what that means. Raises
    :class:`HtmlTooDeepError` for elements nested deeper than ``MAX_DEPTH``.
    """
    soup = _DepthLimitedSoup(markup, "html.parser")
    title = _find_title(soup)
    date = _find_date(soup)
    language = _find_language(soup)
    url = _find_url(soup)

    for tag in soup.find_all(_ALWAYS_DROP):
        if isinstance(tag, Tag) and not _is_decomposed(tag):
            tag.decompose()
    text = ""
    container = _choose_container(soup)
    if container is not None:
        _drop_furniture(container)
        text = _render_text(container)
    if not text.strip():
        # The chosen container was empty (say an empty <main>): fall back to
        # the whole body rather than report a page with content as empty.
        body = soup.find("body")
        fallback = body if isinstance(body, Tag) else soup
        if fallback is not container:
            _drop_furniture(fallback)
            text = _render_text(fallback)
    return HtmlContent(text=text, title=title, date=date, language=language, url=url)
