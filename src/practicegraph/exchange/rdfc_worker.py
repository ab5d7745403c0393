"""RDFC-1.0 in a child process, so that a worst-case dataset can be stopped.

RDFC-1.0 is exponential when many blank nodes cannot be told apart (a clique
of ten takes minutes), and pyoxigraph's implementation cannot be interrupted
from Python. exchange.canonical runs it here, in a spawned process it kills
after ``max_canonical_seconds``. This module imports pyoxigraph alone, so the
child starts quickly.
"""

from __future__ import annotations

import pyoxigraph as ox


def canonicalize_file(source: str, target: str) -> None:
    """Read N-Quads from ``source``, write their sorted RDFC-1.0 canonical lines."""
    with open(source, "rb") as handle:
        dataset = ox.Dataset(ox.parse(handle, ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = sorted(f"{quad} .\n" for quad in dataset)
    with open(target, "w", encoding="utf-8") as out:
        out.writelines(lines)
