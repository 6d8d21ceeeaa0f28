"""Hybrid retrieval: dense (Chroma) + BM25 over diacritic-folded syllables and bigrams,
fused by reciprocal rank, then re-ranked by evidence the question can check for itself:
how much of its vocabulary a passage covers, whether the passage is the kind it asks for
(an agency's duties, a number, a deadline), and which document it names."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .lexicon import QUESTION_PHRASES, Lexicon, Query, analyze
from .records import Chunk, DocMeta, Hit
from .text import content_terms, fold, folded_words, lexical_tokens

RRF_K = 60
CANDIDATES = 50

INTENTS = {
    "agency": re.compile(r"\b(ai|co quan nao|don vi nao|nganh nao|phong nao|so nao|to chuc nao|ben nao|"
                         r"chu tri|who|whom|which agency|which department|which office|which body|"
                         r"responsible|in charge)\b"),
    "number": re.compile(r"(bao nhieu|\bmay\b|ty le|phan tram|%|how many|how much|percent|how old|"
                         r"\btuoi\b|\bage\b|what number|so dien thoai|phone number|hotline)"),
    "date": re.compile(r"(khi nao|bao gio|thoi han|truoc ngay|ngay nao|bao lau|han chot|\bwhen\b|deadline|"
                       r"by when|how long|within|hieu luc|effective|take effect)"),
    "signer": re.compile(r"(\bky\b|nguoi ky|who signed|signed|signer|noi nhan|recipients)"),
}
NUMBER = re.compile(r"\d")
DATE = re.compile(r"(\d{1,2}/\d{1,2}(/\d{2,4})?|ngày làm việc|\d+\s*giờ|trước ngày|hằng năm|hàng năm|"
                  r"tháng \d+|năm \d{4}|định kỳ)", re.IGNORECASE)


@dataclass(frozen=True)
class Search:
    query: Query
    intents: frozenset[str]
    hits: tuple[Hit, ...]
    coverage: tuple[float, ...]  # share of the question's vocabulary each hit covers
    scope: tuple[str, ...]  # documents the question named (searched alone), if any


def detect_intents(query: Query) -> frozenset[str]:
    text = " ".join(folded_words(query.text if query.lang == "en" else query.lexical_text))
    if query.lang == "en":
        text = query.text.lower()
    return frozenset(name for name, rx in INTENTS.items() if rx.search(text))


class Retriever:
    """Holds the passages, the BM25 index and the lexicon; dense search goes to the store."""

    def __init__(self, chunks: list[Chunk], docs: dict[str, DocMeta], store, embedder):
        import bm25s

        self.chunks = chunks
        self.docs = docs
        self.store = store
        self.embedder = embedder
        self.index_of = {c.id: i for i, c in enumerate(chunks)}
        texts = [c.embed_text for c in chunks]
        self.lexicon = Lexicon.build(texts + [QUESTION_PHRASES] * 20)
        self.bm25 = bm25s.BM25()
        self.bm25.index([lexical_tokens(t) or ["_"] for t in texts], show_progress=False)
        self.terms = [set(lexical_tokens(t)) for t in texts]
        self.aliases = sorted(((f" {' '.join(folded_words(a))} ", d.id)
                               for d in docs.values() for a in d.aliases if a.strip()),
                              key=lambda a: -len(a[0]))
        self.doc_arr = np.array([c.doc_id for c in chunks])

    def named_docs(self, query: Query) -> tuple[str, ...]:
        """Documents the question names by locality, number or title alias."""
        text = f" {' '.join(folded_words(query.text))} "
        found: list[str] = []
        for alias, doc_id in self.aliases:
            if alias in text and doc_id not in found:
                found.append(doc_id)
                text = text.replace(alias, " ")
        return tuple(found)

    def coverage(self, query: Query, idx: int) -> float:
        """IDF-weighted share of the question's words (and word pairs) the passage contains."""
        terms = content_terms(query.lexical_text)
        if not terms:
            return 0.0
        have = self.terms[idx]
        weights = [self.lexicon.idf(t) for t in terms]
        uni = sum(w for t, w in zip(terms, weights) if t in have) / sum(weights)
        pairs = [f"{a}_{b}" for a, b in zip(terms, terms[1:])]
        bi = sum(1 for p in pairs if p in have) / len(pairs) if pairs else uni
        return 0.7 * uni + 0.3 * bi

    def search(self, question: str, k: int = 10, doc_ids: list[str] | None = None) -> Search:
        query = analyze(question, self.lexicon)
        intents = detect_intents(query)
        named = self.named_docs(query)
        scope = [d for d in named if not doc_ids or d in doc_ids] or list(doc_ids or [])
        mask = np.isin(self.doc_arr, scope) if scope else np.ones(len(self.chunks), bool)

        vec = self.embedder.get_query_embedding(query.dense_text)
        dense = self.store.query(vec, CANDIDATES, doc_ids=scope or None)
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense)}
        dense_sim = dict(dense)

        lex_rank: dict[str, int] = {}
        tokens = [t for t in lexical_tokens(query.lexical_text) if t in self.bm25.vocab_dict]
        if tokens:
            scores = self.bm25.get_scores(tokens) * mask
            top = np.argsort(-scores)[:CANDIDATES]
            lex_rank = {self.chunks[i].id: r for r, i in enumerate(top) if scores[i] > 0}

        w_dense, w_lex = (1.0, 0.35) if query.lang == "en" else (1.0, 1.0)
        fused: dict[str, float] = {}
        for cid, r in dense_rank.items():
            fused[cid] = fused.get(cid, 0) + w_dense / (RRF_K + r)
        for cid, r in lex_rank.items():
            fused[cid] = fused.get(cid, 0) + w_lex / (RRF_K + r)
        if not fused:
            return Search(query, intents, (), (), tuple(scope))
        top_fused = max(fused.values())

        rescored = []
        for cid, f in fused.items():
            i = self.index_of[cid]
            chunk = self.chunks[i]
            cov = self.coverage(query, i)
            score = f / top_fused + 0.8 * cov + self._fit(chunk, intents)
            rescored.append((score, cid, cov))
        rescored.sort(reverse=True)
        hits, covs = [], []
        for score, cid, cov in rescored[:k]:
            hits.append(Hit(self.chunks[self.index_of[cid]], score, dense_rank.get(cid), lex_rank.get(cid)))
            covs.append(cov)
        return Search(query, intents, tuple(hits), tuple(covs), tuple(scope))

    @staticmethod
    def _fit(chunk: Chunk, intents: frozenset[str]) -> float:
        """Bonus for the kind of passage the question asks for; the letterhead rarely answers."""
        bonus = 0.0
        special = chunk.section.startswith(("Phần mở đầu", "Nơi nhận"))
        if "signer" in intents:
            return 0.5 if chunk.section.startswith("Nơi nhận") else 0.0
        if special:
            bonus -= 0.2
        if "agency" in intents and chunk.agency:
            bonus += 0.15
        if "number" in intents and NUMBER.search(chunk.text):
            bonus += 0.1
        if "date" in intents and DATE.search(chunk.text):
            bonus += 0.1
        return bonus
