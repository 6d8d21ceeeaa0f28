"""BM25 over token-id arrays kb builds itself, saves at ingest and memory-maps at open (pure numpy).

The variant is Lucene's (bm25s's default; Kamphuis et al., "Which BM25 do you mean?", ECIR 2020):
    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
    score(t, d) = idf(t) * tf / (k1 * (1 - b + b * |d| / avgdl) + tf)
precomputed for every (token, passage) pair and stored token-major (CSC): token t's scores are
`data[indptr[t]:indptr[t+1]]`, for the passages `indices[indptr[t]:indptr[t+1]]`. A query's scores
are the sum over its tokens (a repeated token counts again). bm25s stays the reference:
tests/test_retrieval.py checks that both give the same scores.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

K1, B = 1.5, 0.75  # the usual defaults (Lucene, bm25s); not fitted


@dataclass(frozen=True)
class BM25:
    vocab: dict[str, int]  # token -> id
    data: np.ndarray  # float32 score of each (token, passage) pair, token-major
    indices: np.ndarray  # int32 passage of each score
    indptr: np.ndarray  # int64, len(vocab) + 1: where each token's scores start
    num_docs: int
    k1: float = K1
    b: float = B

    @classmethod
    def build(cls, docs: list[np.ndarray], vocab: dict[str, int], k1: float = K1, b: float = B) -> BM25:
        """From each passage's token ids, in two passes: document frequencies first, then the
        arrays filled in place (a (passage, token, score) list would take ~1 GB more at 100k passages)."""
        n_docs, n_vocab = len(docs), len(vocab)
        df = np.zeros(n_vocab, np.int64)
        for ids in docs:
            df[np.unique(ids)] += 1
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avg_len = float(np.mean([len(ids) for ids in docs])) if docs else 1.0
        indptr = np.zeros(n_vocab + 1, np.int64)
        np.cumsum(df, out=indptr[1:])
        data = np.empty(int(indptr[-1]), np.float32)
        indices = np.empty(int(indptr[-1]), np.int32)
        cursor = indptr[:-1].copy()
        for d, ids in enumerate(docs):
            tokens, tf = np.unique(ids, return_counts=True)
            tf = tf.astype(np.float32)
            where = cursor[tokens]
            data[where] = idf[tokens] * tf / (k1 * (1 - b + b * len(ids) / avg_len) + tf)
            indices[where] = d
            cursor[tokens] += 1
        return cls(vocab, data, indices, indptr, n_docs, k1, b)

    @classmethod
    def from_arrays(cls, vocab: dict[str, int], arrays: dict[str, np.ndarray], params: dict) -> BM25:
        """Over saved (or memory-mapped) arrays, as `arrays()` and `params()` wrote them."""
        return cls(vocab, arrays["bm25_data"], arrays["bm25_indices"], arrays["bm25_indptr"],
                   int(params["num_docs"]), float(params["k1"]), float(params["b"]))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"bm25_data": self.data, "bm25_indices": self.indices, "bm25_indptr": self.indptr}

    def params(self) -> dict:
        return {"k1": self.k1, "b": self.b, "num_docs": self.num_docs}

    def scores(self, tokens: list[str]) -> np.ndarray:
        """Every passage's score for the query's tokens (tokens outside the vocabulary add nothing)."""
        out = np.zeros(self.num_docs, np.float32)
        for token in tokens:
            t = self.vocab.get(token)
            if t is None:
                continue
            start, end = self.indptr[t], self.indptr[t + 1]
            out[self.indices[start:end]] += self.data[start:end]  # a token meets a passage once
        return out
