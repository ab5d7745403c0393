"""Exchanging linked-data dumps with other organisations.

Reading another organisation's dump safely (``dumpfile``, ``gate``,
``validation``), linking the same real-world things across sources
(``reconcile``) and writing dumps that are byte-for-byte reproducible
(``canonical``). The orchestration (staging, the atomic switch, the keyword
index) lives in :mod:`practicegraph.sources`.
"""
