"""Exchanging linked-data dumps with other organisations.

Reading another organisation's dump safely (``dumpfile``, ``gate``,
``validation``), linking the same real-world things across sources
(``reconcile``) and writing dumps that are byte-for-byte reproducible
(``canonical``, ``export``, ``source_export``, ``void``). Imports themselves:
``importer`` (staging, validation, the atomic switch, rollback), ``registry``
(the sources graph), ``source_files`` (archives, reports, scratch folders),
``quarantine``; ``backup`` moves a whole instance. What joins sources to the
keyword index lives in :mod:`practicegraph.sources`.
"""
