"""HTTP plumbing shared by the SPARQL and Graph Store endpoints.

Reading a capped request body, content negotiation over the ``Accept``
header, the media types of the RDF and SPARQL results formats (from
:mod:`practicegraph.formats`), and keeping the
keyword index in step after a write.
"""

from __future__ import annotations

import logging

from fastapi import Request

from practicegraph import formats
from practicegraph.api import conneg
from practicegraph.api.errors import ApiError
from practicegraph.service import PracticeGraphService

logger = logging.getLogger(__name__)

#: Response headers that signal a cut result (exposed to browsers through CORS).
TRUNCATED_HEADER = "PracticeGraph-Results-Truncated"
LIMIT_HEADER = "PracticeGraph-Results-Limit"

#: Accept/Content-Type -> format name, for SPARQL results and for graphs (see
#: practicegraph.formats); the Content-Type of a graph answer in each syntax.
RESULTS_MEDIA = formats.RESULTS_MEDIA
GRAPH_MEDIA = formats.GRAPH_MEDIA
GRAPH_MEDIA_TYPES = {
    name: formats.content_type(fmt) for name, fmt in formats.GRAPH_SYNTAXES.items()
}


def negotiate(accept: str | None, offers: dict[str, str], default: str) -> str | None:
    """The format (a value of ``offers``, keyed by media type) the client prefers.

    No ``Accept`` (or ``*/*``) gives ``default``; a header none of the offers
    satisfies gives None (the caller answers 406 or falls back). The ranking is
    conneg's, shared with the linked-data routes.
    """
    if not (accept or "").strip():
        return default
    default_media = next(m for m, f in offers.items() if f == default)
    ordered = [default_media, *(m for m in offers if m != default_media)]
    chosen = conneg.negotiate(accept, ordered)
    return offers[chosen] if chosen is not None else None


def media_type_of(request: Request) -> tuple[str, dict[str, str]]:
    """The request's Content-Type: (type in lower case, parameters)."""
    raw = request.headers.get("content-type", "")
    fields = [f.strip() for f in raw.split(";")]
    params = {}
    for param in fields[1:]:
        name, _, value = param.partition("=")
        params[name.strip().lower()] = value.strip().strip('"')
    return fields[0].lower(), params


def require_utf8(params: dict[str, str]) -> None:
    charset = params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(
            400 if charset.startswith("utf-16") else 415,
            f"this endpoint reads UTF-8 only, the request says charset={charset}",
        )


def decode_utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"the {what} is not valid UTF-8", {"byte_offset": exc.start}) from None


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to exceed ``limit``.

    A declared Content-Length is checked before anything is read; a chunked
    body is counted while it streams, so an oversized upload never sits
    whole in memory.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > limit:
            raise _too_large(limit)
    return bytes(received)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"the request body is larger than this service accepts ({limit} bytes)",
        {"max_body_bytes": limit},
    )


def sync_index_after_write(service: PracticeGraphService, graphs: list[str] | None) -> None:
    """Reindex the documents a write touched (None: any graph may have changed)."""
    sync = service.reindex_graphs(graphs)
    if sync.changed:
        logger.info(
            "keyword index after write: %d reindexed, %d removed",
            len(sync.reindexed),
            len(sync.removed),
        )
