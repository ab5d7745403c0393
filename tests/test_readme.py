"""The README documents the CLI as it is: no command goes undocumented."""

from __future__ import annotations

from pathlib import Path

import typer.main

from practicegraph.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_cli_command_is_in_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    missing = [
        name for name in commands if name != "version" and f"practicegraph {name}" not in text
    ]
    assert not missing, f"commands missing from README usage: {missing}"


def test_the_readme_starts_with_the_two_commands() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines[:40] if line.startswith("python3 -m venv .venv")]
    assert len(commands) == 2
    assert commands[0].endswith("practicegraph stats")
    assert commands[1].endswith(".venv/bin/python -m pytest")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci
