"""The lexical side of an index, saved beside it and memory-mapped at open.

Building it (lexicon, vocabulary, BM25 arrays, each passage's words, the responsibility
matrix) takes seconds per 10k passages, and reading the passages back from Chroma about one
more; at 100k passages an open took over a minute. `kb ingest` saves it all in the data
directory, under a key of the index's content (its passages and documents; the key is also
written in the index's metadata), and an open loads it back: numpy arrays memory-mapped,
the rest unpickled. A missing or damaged copy, or one of other content, is rebuilt (and
saved again), with a warning for a damaged one.

    data/lexical-<key>/meta.json        the key, the format, the files
    data/lexical-<key>/state.pickle     passages, documents, lexicon, vocabularies, duties, deadlines
    data/lexical-<key>/*.npy            BM25 arrays; word ids of each passage and heading; duty postings;
                                        the passages' vectors (unit length, in passage order);
                                        the e5 vectors of the passages' sentences (kb/search/sentences.py)

The passage vectors are a copy of what Chroma holds, kept so that the dense search is exact and
the same on every machine: Chroma's HNSW graph is approximate and built by several threads, so
two builds of one index ranked near ties differently (41 of 536 eval questions had another
top 10), and a question found other passages after a rebuild.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import pickle
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from kb.config import Config
from kb.search.bm25 import BM25
from kb.search.lexicon import EVERYDAY, QUESTION_PHRASES, Lexicon, everyday_texts
from kb.records import Chunk, DocMeta
from kb.text import lexical_tokens, syllables, with_pairs

FORMAT = 4  # 2: headings as word ids; 3: the passages' vectors; 4: sentence vectors


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The format and a fingerprint of the code that derives what is saved (tokens, lexicon,
    matrix, deadlines): a kb upgrade that changes any of it rebuilds the copy, never serves
    tables computed by older code."""
    from kb import records, text
    from kb.features import actors, deadlines, duties
    from kb.ingest import parse
    from kb.search import bm25, lexicon, sentences

    h = hashlib.sha256(str(FORMAT).encode())
    for module in (actors, bm25, deadlines, duties, lexicon, parse, records, sentences, text,
                   __import__(__name__, fromlist=["_"])):
        h.update(Path(module.__file__).read_bytes())
    h.update(EVERYDAY.read_bytes())  # the restorer's everyday spellings
    return f"{FORMAT}-{h.hexdigest()[:12]}"

log = logging.getLogger("kb")


def lexical_parts(chunks: list[Chunk]) -> tuple[dict, dict[str, np.ndarray]]:
    """What the lexical side costs to build (seconds per 10k passages): the lexicon, the
    vocabulary, BM25's arrays, each passage's words and its heading's. Returns the Python
    objects and the big arrays apart, so that the arrays can be saved and memory-mapped
    (kb.lexical)."""
    lexicon = Lexicon.build([c.embed_text for c in chunks] + [QUESTION_PHRASES] * 20, spellings=everyday_texts())
    # Token lists are turned into arrays of ids of one shared vocabulary as they are made:
    # lists and sets of strings per passage would take gigabytes at 100k passages.
    vocab: dict[str, int] = {}

    def ids(tokens: list[str]) -> np.ndarray:
        return np.array([vocab.setdefault(t, len(vocab)) for t in tokens], np.int32)

    # each passage's text is tokenized once; headers and sections repeat, so once each too
    heads: dict[str, list[str]] = {}
    bm25_ids, terms = [], []
    for c in chunks:
        if len(heads) > 20_000:
            heads.clear()  # bounded: a corpus whose every header differs gains nothing from it
        body = syllables(c.text)
        head = heads.get(c.header)
        if head is None:
            head = heads[c.header] = syllables(c.header)
        section = heads.get(c.section)
        if section is None:
            section = heads[c.section] = syllables(c.section)
        bm25_ids.append(ids(with_pairs(head + body) or ["_"]))  # embed_text = header + text
        # coverage ignores the document title: every passage of a document shares it
        terms.append(np.unique(ids(with_pairs(section + body))))
    del heads
    bm25 = BM25.build(bm25_ids, vocab)
    del bm25_ids
    # The heading a passage sits under ("9. Phòng Tài chính và Kế hoạch", "Điều 13. ..."), as
    # ids of their own vocabulary (passages of one section share one array)
    head_vocab: dict[str, int] = {}
    headings: dict[str, np.ndarray] = {}
    heads_of = []
    for c in chunks:
        head_ids = headings.get(c.section)
        if head_ids is None:
            words = lexical_tokens(re.sub(r"^[\dIVXL.)]+\s*|^Điều \d+\.\s*", "", c.section.split(" > ")[-1]))
            head_ids = headings[c.section] = np.unique(np.array(
                [head_vocab.setdefault(t, len(head_vocab)) for t in words], np.int32))
        heads_of.append(head_ids)
    offsets = np.zeros(len(terms) + 1, np.int64)
    np.cumsum([len(t) for t in terms], out=offsets[1:])
    head_offsets = np.zeros(len(heads_of) + 1, np.int64)
    np.cumsum([len(h) for h in heads_of], out=head_offsets[1:])
    empty = np.zeros(0, np.int32)
    arrays = {**bm25.arrays(), "terms": np.concatenate(terms) if terms else empty,
              "term_offsets": offsets, "heading": np.concatenate(heads_of) if heads_of else empty,
              "heading_offsets": head_offsets}
    return {"lexicon": lexicon, "vocab_list": list(vocab), "heading_vocab": list(head_vocab),
            "bm25_params": bm25.params()}, arrays


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


def unit_vectors(chunks: list[Chunk], vectors: dict[str, np.ndarray]) -> np.ndarray:
    """The passages' vectors in passage order, each scaled to length 1 (float32)."""
    from kb.errors import IndexCorruptError

    missing = [c.id for c in chunks if c.id not in vectors]
    if missing:
        raise IndexCorruptError(f"the index has no vector for {len(missing)} passages (first: {missing[0]}); "
                                "rebuild it with `python -m kb ingest --rebuild`")
    if not chunks:
        return np.zeros((0, 1), np.float32)
    matrix = np.stack([np.asarray(vectors[c.id], np.float32) for c in chunks])
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def build(chunks: list[Chunk], docs: dict[str, DocMeta], vectors: dict[str, np.ndarray],
          embed=None) -> tuple[dict, dict[str, np.ndarray]]:
    """Everything the open would otherwise compute: passages, lexical parts, duty tables, the
    vectors (by passage id, as the store returns them) for the exact dense search and, given
    `embed(texts) -> vectors` (e5 passage embeddings, cached), the sentence vectors the answer
    chooses its quote with (without: the answer chooses by words alone)."""
    from kb.features.deadlines import extract_deadlines
    from kb.features.duties import extract_duties
    from kb.knowledge import duty_postings
    from kb.search.sentences import arrays as sentence_arrays, to_embed
    from kb.tuning import ANSWER, RETRIEVAL

    state, arrays = lexical_parts(chunks)
    arrays["vectors"] = unit_vectors(chunks, vectors)
    if embed is not None:
        texts = to_embed(chunks, ANSWER.whole_chars, RETRIEVAL.max_section_chars)
        arrays.update(sentence_arrays(texts, embed(texts) if texts else np.zeros((0, 0), np.float32)))
    duties = extract_duties(chunks, docs)
    postings = duty_postings(duties)  # word pair -> matrix rows: saved as one array + offsets
    offsets = np.zeros(len(postings) + 1, np.int64)
    np.cumsum([len(rows) for rows in postings.values()], out=offsets[1:])
    arrays.update(duty_rows=np.concatenate(list(postings.values())) if postings else np.zeros(0, np.int32),
                  duty_offsets=offsets)
    state.update(chunks=chunks, docs=docs, duties=duties, duty_pairs=list(postings),
                 deadlines=extract_deadlines(chunks, docs, duties))
    return state, arrays


def tables(state: dict, arrays: dict[str, np.ndarray]) -> dict:
    """The responsibility matrix, its postings and the deadlines, as KnowledgeBase keeps them."""
    rows, offsets = arrays["duty_rows"], arrays["duty_offsets"]
    postings = {pair: rows[offsets[n]:offsets[n + 1]] for n, pair in enumerate(state["duty_pairs"])}
    return {"duties": state["duties"], "duty_postings": postings, "deadlines": state["deadlines"]}


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
        (tmp / "meta.json").write_text(json.dumps({"key": key, "format": version(), "files": sizes}))
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
        return meta.get("key") == key and meta.get("format") == version() and all(
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
        if meta.get("key") != key or meta.get("format") != version():
            raise ValueError("it was written for other content or by another version")
        for name, size in meta["files"].items():
            if (where / name).stat().st_size != size:
                raise ValueError(f"{name} has the wrong size")
        with open(where / "state.pickle", "rb") as f:
            state = pickle.load(f)
        arrays = {p.stem: np.load(p, mmap_mode="r") for p in where.glob("*.npy")}
        missing = {"bm25_data", "bm25_indices", "bm25_indptr", "terms", "term_offsets", "heading",
                   "heading_offsets", "duty_rows", "duty_offsets", "vectors"} - set(arrays)
        if missing:
            raise ValueError(f"{', '.join(sorted(missing))} missing")
        return state, arrays
    except Exception as e:  # any damage: rebuild rather than serve from a broken copy
        log.warning("the saved lexical index in %s cannot be read (%s): rebuilding it", where, e)
        shutil.rmtree(where, ignore_errors=True)
        return None


def open_parts(config: Config, store, embed=None) -> tuple[str, dict, dict[str, np.ndarray]]:
    """(content key, state, arrays) of the index in `store`: the saved copy when it matches
    the key recorded in the index, else built from the passages in the store (sentences embedded
    with `embed`, see build()) and saved."""
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
    state, arrays = build(chunks, docs, store.vectors(), embed)
    try:
        save(config, key, state, arrays)
    except OSError as e:  # a read-only data directory still serves, it just opens slower
        log.warning("cannot save the lexical index in %s: %s", config.data_dir, e)
    return key, state, arrays
