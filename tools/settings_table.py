"""Write README.md's settings table from the declaration in practicegraph.config.

    .venv/bin/python tools/settings_table.py          # rewrite the table in README.md
    .venv/bin/python tools/settings_table.py --check  # exit 1 when README.md differs

tests/test_config.py fails when the README's table is not the generated one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from practicegraph.config import with_settings_table

README = Path(__file__).resolve().parents[1] / "README.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report a difference")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    generated = with_settings_table(text)
    if generated == text:
        return 0
    if args.check:
        print(f"{README.name}: its settings table is out of date", file=sys.stderr)
        return 1
    README.write_text(generated, encoding="utf-8")
    print(f"{README.name}: settings table rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
