"""PracticeGraph: a knowledge graph and search service for good practices in corrections.

The public surface is deliberately small: the settings, the service that
ingests documents and answers queries, and the error hierarchy.
"""

from practicegraph.config import Settings
from practicegraph.errors import IngestError, PracticeGraphError, QueryError, ValidationError

__version__ = "0.1.0"

__all__ = [
    "IngestError",
    "PracticeGraphError",
    "QueryError",
    "Settings",
    "ValidationError",
    "__version__",
]
