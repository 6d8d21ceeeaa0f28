"""The lexical side of an index, saved beside it and memory-mapped at open.

Building it (lexicon, vocabulary, BM25 arrays, each passage's words, the responsibility
matrix) takes seconds per 10k passages, and reading the passages back from Chroma about one
more; at 100k passages an open took over a minute. `kb ingest` saves it all in the data
directory, under a key of the index's content (its passages and documents; the key is also
written in the index's metadata), and an open loads it back: numpy arrays memory-mapped,
the rest unpickled. A missing or damaged copy, or one of other content, is rebuilt (and
saved again), with a warning for a damaged one.

    data/lexical-<key>/meta.json        the key, the format, the files
    data/lexical-<key>/state.pickle     passages, documents, lexicon, vocabulary, headings, duties
    data/lexical-<key>/*.npy            BM25 arrays and each passage's word ids
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .config import Config
from .records import Chunk, DocMeta

FORMAT = 1
log = logging.getLogger("kb")


def content_key(chunks: list[Chunk], docs: dict[str, DocMeta]) -> str:
    """Names what the index holds: every passage (its id is a hash of its text and header,
    plus where it sits) and every document's metadata."""
    h = hashlib.sha256(f"kb-lexical-{FORMAT}".encode())
    for c in sorted(chunks, key=lambda c: c.id):
        h.update(f"{c.id}\t{c.doc_id}\t{c.position}\t{c.agency}\t{c.page}\t{c.section}\n".encode())
    h.update(json.dumps({d: repr(m) for d, m in sorted(docs.items())}, ensure_ascii=False).encode())
    return h.hexdigest()[:32]


def folder(config: Config, key: str) -> Path:
    return config.data_dir / f"lexical-{key}"


def build(chunks: list[Chunk], docs: dict[str, DocMeta]) -> tuple[dict, dict[str, np.ndarray]]:
    """Everything the open would otherwise compute: passages, lexical parts, duty tables."""
    from .deadlines import extract_deadlines
    from .duties import extract_duties
    from .pipeline import duty_postings
    from .retrieve import lexical_parts

    state, arrays = lexical_parts(chunks)
    duties = extract_duties(chunks, docs)
    state.update(chunks=chunks, docs=docs, duties=duties, duty_postings=duty_postings(duties),
                 deadlines=extract_deadlines(chunks, docs))
    return state, arrays


def save(config: Config, key: str, state: dict, arrays: dict[str, np.ndarray]) -> Path:
    """Write atomically (a temporary folder renamed into place), then drop copies of other keys.
    Readers of an older copy keep their memory maps: unlinked files live on until closed."""
    target = folder(config, key)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=config.data_dir))
    try:
        for name, array in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
        with open(tmp / "state.pickle", "wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
        (tmp / "meta.json").write_text(json.dumps({"key": key, "format": FORMAT, "files": sizes}))
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for old in config.data_dir.glob("lexical-*"):
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    return target


def saved(config: Config, key: str) -> bool:
    """A complete copy for this key is on disk (checked by size, not read)."""
    try:
        meta = json.loads((folder(config, key) / "meta.json").read_text())
        return meta.get("key") == key and meta.get("format") == FORMAT and all(
            (folder(config, key) / n).stat().st_size == size for n, size in meta["files"].items())
    except (OSError, ValueError, KeyError):
        return False


def load(config: Config, key: str) -> tuple[dict, dict[str, np.ndarray]] | None:
    """The saved lexical side for this key, arrays memory-mapped; None when there is none or
    it is damaged (then a warning says it is rebuilt)."""
    where = folder(config, key)
    if not (where / "meta.json").exists():
        return None
    try:
        meta = json.loads((where / "meta.json").read_text())
        if meta.get("key") != key or meta.get("format") != FORMAT:
            raise ValueError("it was written for other content or by another version")
        for name, size in meta["files"].items():
            if (where / name).stat().st_size != size:
                raise ValueError(f"{name} has the wrong size")
        with open(where / "state.pickle", "rb") as f:
            state = pickle.load(f)
        arrays = {p.stem: np.load(p, mmap_mode="r") for p in where.glob("*.npy")}
        missing = {"bm25_data", "bm25_indices", "bm25_indptr", "terms", "term_offsets"} - set(arrays)
        if missing:
            raise ValueError(f"{', '.join(sorted(missing))} missing")
        return state, arrays
    except Exception as e:  # any damage: rebuild rather than serve from a broken copy
        log.warning("the saved lexical index in %s cannot be read (%s): rebuilding it", where, e)
        shutil.rmtree(where, ignore_errors=True)
        return None


def open_parts(config: Config, store) -> tuple[str, dict, dict[str, np.ndarray]]:
    """(content key, state, arrays) of the index in `store`: the saved copy when it matches
    the key recorded in the index, else built from the passages in the store and saved."""
    key = store.info.get("kb_content", "")
    found = load(config, key) if key else None
    if found is not None:
        return key, *found
    chunks, docs = store.load()
    if not key:  # an index written before keys were recorded: `kb ingest` records one
        key = content_key(chunks, docs)
        found = load(config, key)
        if found is not None:
            return key, *found
    state, arrays = build(chunks, docs)
    try:
        save(config, key, state, arrays)
    except OSError as e:  # a read-only data directory still serves, it just opens slower
        log.warning("cannot save the lexical index in %s: %s", config.data_dir, e)
    return key, state, arrays
