"""``python -m practicegraph`` runs the CLI."""

from practicegraph.cli import main

main()
