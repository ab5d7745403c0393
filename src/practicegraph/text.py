"""Name keys shared by the extractors and the IRI minter.

They sit at the bottom of the package so that the graph layer can mint IRIs
from names without importing the NLP layer.
"""

from __future__ import annotations

import re
import unicodedata


def normalise(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    cleaned = re.sub(r"[^\w\s]", " ", stripped.lower().replace("’", "'"))
    words = cleaned.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def slug(text: str) -> str:
    """Lower-case ASCII slug used as the last segment of minted IRIs."""
    return "-".join(normalise(text).split())[:80] or "unnamed"
