"""Keep only the trained layer of the practice classifier for shipping.

    python tools/practice_package.py TRAINED_PIPELINE OUTPUT_DIR

``spacy train`` saves the whole training pipeline, including the general model's
frozen ``tok2vec`` it read its features from (several megabytes). The main
pipeline has that ``tok2vec`` already, so the package ships the classifier's own
component only: its layers and the name of the pipeline it fits, without the
training corpus's strings.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import spacy

from practicegraph.nlp.practice_model import COMPONENT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trained", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    nlp = spacy.load(args.trained)
    for name in list(nlp.pipe_names):
        if name != COMPONENT:
            nlp.remove_pipe(name)
    if args.output.exists():
        shutil.rmtree(args.output)
    nlp.to_disk(args.output)
    # The training corpus's words (a megabyte, growing with the corpus) are in the
    # saved string store; the classifier reads hashed features and needs none of
    # them, so the package keeps the blank English pipeline's strings only.
    spacy.blank("en").vocab.strings.to_disk(args.output / "vocab" / "strings.json")
    size = sum(p.stat().st_size for p in args.output.rglob("*") if p.is_file())
    print(f"wrote {args.output} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
