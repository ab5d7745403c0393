"""Registers the practice-sentence component and its model for ``spacy train --code``."""

import practicegraph.nlp.practice_model  # noqa: F401  (registration is the import)
