"""Content negotiation: pick one of the media types a route offers from ``Accept``.

Generic on purpose (linked data, VoID, and any other route may use it): a
route lists what it can produce, best default first, and asks
:func:`negotiate`; a ``?format=`` parameter maps short names to media types
through :data:`FORMAT_NAMES` (from :mod:`practicegraph.formats`) before
negotiation. Nothing else here knows RDF.

Rules (RFC 9110 §12.5.1): media ranges with q-values; the most specific range
that matches an offer decides that offer's quality (``text/turtle`` over
``text/*`` over ``*/*``); q=0 refuses; among offers of equal quality the
route's order wins. A missing or empty ``Accept`` means ``*/*``. Media type
parameters other than ``q`` are ignored when matching.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from practicegraph import formats
from practicegraph.api.errors import ApiError

#: Short names accepted by ``?format=`` (for browsers and links), to media types.
FORMAT_NAMES: dict[str, str] = formats.FORMAT_NAMES


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        return 1 if self.subtype == "*" else 2

    def matches(self, media_type: str) -> bool:
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return True
        if self.type != kind:
            return False
        return self.subtype in ("*", sub)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header; malformed entries are skipped."""
    ranges: list[MediaRange] = []
    for item in (header or "").split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub or (kind == "*" and sub != "*"):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges or [MediaRange("*", "*", 1.0)]


def quality(ranges: Sequence[MediaRange], media_type: str) -> float:
    """The quality the client gives ``media_type``: that of its most specific matching range."""
    best: MediaRange | None = None
    for media_range in ranges:
        if media_range.matches(media_type) and (
            best is None or media_range.specificity > best.specificity
        ):
            best = media_range
    return best.q if best is not None else 0.0


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers, or None when it accepts none of them."""
    ranges = parse_accept(accept)
    best, best_q = None, 0.0
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best, best_q = offer, q
    return best


def format_names(offers: Sequence[str]) -> list[str]:
    """The ``?format=`` values :func:`choose` takes for these offers (names, media types).

    For a route's OpenAPI ``enum``: any other value is answered 400. The empty
    value is listed: ``?format=`` with nothing after it means "by Accept".
    """
    names = {name for name, media in FORMAT_NAMES.items() if media in offers}
    return sorted(names | set(offers) | {""})


def choose(accept: str | None, format_name: str | None, offers: Sequence[str]) -> str:
    """``?format=`` if given (a name or media type), else ``Accept``; 400/406 if neither fits.

    ``offers`` come best default first: that is what ``*/*`` gets.
    """
    if format_name:
        wanted = FORMAT_NAMES.get(format_name.strip().lower(), format_name.strip().lower())
        if wanted in offers:
            return wanted
        raise ApiError(
            400,
            f"unknown format {format_name!r} for this resource",
            {
                "offered": list(offers),
                "names": sorted(k for k, v in FORMAT_NAMES.items() if v in offers),
            },
        )
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise ApiError(
            406,
            "none of the media types in the Accept header can be produced here",
            {"accept": accept, "offered": list(offers)},
        )
    return chosen


__all__ = [
    "FORMAT_NAMES",
    "MediaRange",
    "choose",
    "format_names",
    "negotiate",
    "parse_accept",
    "quality",
]
