"""Hybrid retrieval: a question read once (kb.search.question), then dense (exact cosine over the
vectors Chroma holds) + BM25 over diacritic-folded syllables and pairs (kb.search.bm25), fused by
reciprocal rank, re-ranked by evidence the question can check for itself (how much of its
vocabulary a passage covers, whether the passage is the kind it asks for: an agency's duties, a
number, a deadline, a definition), and widened to the section or clause an answer quotes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from kb.records import Chunk, DocMeta, Hit
from kb.search.bm25 import BM25
from kb.search.intent import DATE, NUMBER, PHONE, RECIPIENT, defines, sentence_start, values_found
from kb.search.lexical import lexical_parts
from kb.search.question import Question, QuestionReader
from kb.search.sentences import SentenceVectors, clauses, labelled_items, wide_groups
from kb.text import lexical_tokens
from kb.tuning import RETRIEVAL, RetrievalTuning


def page_span(pages: list[str]) -> str:
    """'2-3' from the pages of consecutive passages ['2', '3'] or ['2-3', '3']; '' when unknown."""
    numbers = [int(n) for p in pages if p for n in p.split("-")]
    if not numbers:
        return ""
    return str(min(numbers)) if min(numbers) == max(numbers) else f"{min(numbers)}-{max(numbers)}"


@dataclass(frozen=True)
class Search:
    question: Question
    hits: tuple[Hit, ...]
    coverage: tuple[float, ...]  # share of the question's vocabulary each hit covers
    scope: tuple[str, ...]  # documents searched alone: those the question named, or those asked for
    vector: np.ndarray | None = None  # the question's embedding (the danger check reuses it)
    similarity: tuple[float, ...] = ()  # each hit's cosine to the question (0: not a dense candidate)
    sentences: SentenceVectors | None = None  # the index's sentence vectors: the answer chooses what to quote with them
    idf: Callable[[str], float] | None = None  # how much a (folded) word says in this corpus (Lexicon.idf)

    # what the answer reads of the question
    query = property(lambda self: self.question.query)
    intents = property(lambda self: self.question.intents)
    terms = property(lambda self: self.question.terms)
    subject = property(lambda self: self.question.subject)
    unknown = property(lambda self: self.question.unknown)


def fuse(rankings: list[tuple[dict[str, int], float]], rrf_k: float) -> dict[str, float]:
    """Reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009): each ranked list
    (passage id -> rank from 0) adds weight / (rrf_k + rank) to the passages it holds."""
    fused: dict[str, float] = {}
    for ranks, weight in rankings:
        for cid, r in ranks.items():
            fused[cid] = fused.get(cid, 0) + weight / (rrf_k + r)
    return fused


def kind_bonus(chunk: Chunk, intents: frozenset[str], t: RetrievalTuning = RETRIEVAL, writes_asked: bool = False) -> float:
    """Bonus for the kind of passage the question asks for (`writes_asked`: it writes the
    kind of value asked for); the letterhead rarely answers."""
    bonus = t.fit_value if writes_asked else 0.0
    if "signer" in intents:
        return t.fit_signer if chunk.section.startswith("Nơi nhận") else 0.0
    if chunk.section.startswith("Nơi nhận"):
        bonus += t.fit_letterhead
    if "agency" in intents and chunk.agency:
        bonus += t.fit_agency
    if "number" in intents and NUMBER.search(chunk.text):
        bonus += t.fit_number
    if "date" in intents and DATE.search(chunk.text):
        bonus += t.fit_date
    if "phone" in intents and PHONE.search(chunk.text):
        bonus += t.fit_phone
    if "recipient" in intents and RECIPIENT.search(chunk.text):
        bonus += t.fit_recipient
    return bonus


def across_documents(doc_ids: list[str], first: int = 6) -> list[int]:
    """Positions of a ranked list reordered so that the best passage of each of the first
    `first` documents leads, in rank order, followed by the others in rank order."""
    lead, seen = [], set()
    for i, d in enumerate(doc_ids):
        if d not in seen and len(seen) < first:
            seen.add(d)
            lead.append(i)
    return lead + [i for i in range(len(doc_ids)) if i not in set(lead)]


class Retriever:
    """Holds the passages, the BM25 index, the lexicon and the passages' vectors (exact dense
    search; Chroma's approximate one when the vectors are not given).

    `parts`: what lexical_parts() returns, built here when not given (kb.lexical saves them
    and memory-maps them at the next open); with the sentence vectors when they were computed
    (kb.sentences)."""

    def __init__(self, chunks: list[Chunk], docs: dict[str, DocMeta], store, embedder,
                 parts: tuple[dict, dict[str, np.ndarray]] | None = None, tuning: RetrievalTuning = RETRIEVAL):
        self.chunks = chunks
        self.docs = docs
        self.tuning = tuning
        self.store = store
        self.embedder = embedder
        self.index_of = {c.id: i for i, c in enumerate(chunks)}
        state, arrays = parts or lexical_parts(chunks)
        self.sentences = SentenceVectors.from_arrays(arrays)
        self.lexicon = state["lexicon"]
        self.vocab_list = state["vocab_list"]
        self.vocab = {t: i for i, t in enumerate(self.vocab_list)}
        self.bm25 = BM25.from_arrays(self.vocab, arrays, state["bm25_params"])
        self._terms, self._term_offsets = arrays["terms"], arrays["term_offsets"]
        self._heading, self._heading_offsets = arrays["heading"], arrays["heading_offsets"]
        self._heading_vocab = {t: i for i, t in enumerate(state["heading_vocab"])}
        self.vectors = arrays.get("vectors")  # unit vectors in passage order: exact dense search
        self.term_set = lru_cache(maxsize=4096)(self._term_set)
        self.starts = lru_cache(maxsize=4096)(self._starts)
        self.writes = lru_cache(maxsize=16384)(self._writes)
        self.labels = lru_cache(maxsize=4096)(self._labels)
        self.title_terms = {d.id: set(lexical_tokens(f"{d.label} {d.title} {d.locality}")) for d in docs.values()}
        self.reader = QuestionReader(chunks, docs, self.lexicon, self.vocab)
        self.doc_arr = np.array([c.doc_id for c in chunks])
        # passages of one section, in order: a hit is widened to its whole section, or its
        # whole clause, when short (kb.sentences.wide_groups)
        self.members: dict[tuple[str, str], list[int]] = {}
        for i, c in enumerate(chunks):
            self.members.setdefault(c.article, []).append(i)
        self.quoted_with: dict[int, list[int]] = {}
        for members in self.members.values():
            for g in wide_groups([chunks[j] for j in members], self.tuning.max_section_chars):
                for j in g:
                    self.quoted_with[members[j]] = [members[n] for n in g]

    def dense(self, vec: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The k passages nearest to a query vector by cosine, exactly (every passage scored;
        ties go to the earlier passage), optionally only where `mask` is true; (chunk id,
        cosine) best first. Without the saved vectors, Chroma's approximate search."""
        if self.vectors is None:
            scope = sorted(set(self.doc_arr[mask])) if mask is not None else None
            return self.store.query(vec.tolist(), k, doc_ids=scope)
        unit = vec / max(float(np.linalg.norm(vec)), 1e-12)
        scores = self.vectors @ unit
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.lexsort((top, -scores[top]))]
        return [(self.chunks[i].id, float(scores[i])) for i in top if np.isfinite(scores[i])]

    def _term_set(self, idx: int) -> frozenset[str]:
        """The words and word pairs of a passage's section path and text."""
        a, b = self._term_offsets[idx], self._term_offsets[idx + 1]
        return frozenset(self.vocab_list[i] for i in self._terms[a:b])

    def _writes(self, idx: int, kinds: tuple[str, ...]) -> bool:
        """Whether a passage writes every kind of value in `kinds` (an amount, a date, ...)."""
        return values_found(kinds, [self.chunks[idx].text])

    def _labels(self, idx: int, nouns: tuple[str, ...]) -> int:
        """How many items of a passage carry a counted noun as their numbered label ("Bước 2.")."""
        return len(labelled_items(self.chunks[idx].text, list(nouns))[1])

    def _starts(self, idx: int) -> tuple[str, ...]:
        """How each sentence or list item starts (folded, numbering dropped): "X là ..." defines X."""
        return tuple(sentence_start(part) for part in re.split(r"(?<=[.;:])\s+|\n", self.chunks[idx].text))

    def coverage(self, terms: list[str], idx: int, weights: list[float] | None = None,
                 named: dict[str, tuple[str, ...]] | None = None, named_share: float = RETRIEVAL.named_share) -> float:
        """IDF-weighted share of the question's words (and word pairs) the passage contains. A
        short name in `named` ("111") counts as contained where the passage writes most of the
        name it stands for."""
        if not terms:
            return 0.0
        have, title = self.term_set(idx), self.title_terms[self.chunks[idx].doc_id]
        weights = weights or [self.lexicon.idf(t) for t in terms]
        if named:
            have = have | {t for t, words in named.items() if sum(w in have for w in words) >= named_share * len(words)}
        # a word found only in the document's title counts half: it says which document, not where
        uni = sum(w * (1.0 if t in have else 0.5 if t in title else 0.0)
                  for t, w in zip(terms, weights)) / sum(weights)
        pairs = [f"{a}_{b}" for a, b in zip(terms, terms[1:])]
        bi = sum(1 for p in pairs if p in have) / len(pairs) if pairs else uni
        return 0.7 * uni + 0.3 * bi

    def group_coverage(self, groups: tuple[str, ...], idx: int) -> float:
        """For English questions: the share of their terms whose Vietnamese rendering the passage
        uses in any of its forms ("report" -> "báo cáo" or "thông báo" or "tố giác")."""
        have = self.term_set(idx) | self.title_terms[self.chunks[idx].doc_id]
        covered = total = 0.0
        for group in groups:
            toks = lexical_tokens(group)
            keys = [t for t in toks if "_" in t] or toks
            weight = max(self.lexicon.idf(t) for t in toks if "_" not in t) if toks else 0.0  # rare terms count more
            total += weight
            covered += weight if any(t in have for t in keys) else 0.0
        return covered / total if total else 0.0

    def heading_match(self, terms: list[str], idx: int, weights: list[float] | None = None) -> float:
        """IDF-weighted share of the question's words that the passage's own heading holds."""
        if not terms:
            return 0.0
        weights = weights or [self.lexicon.idf(t) for t in terms]
        have = set(self._heading[self._heading_offsets[idx]:self._heading_offsets[idx + 1]].tolist())
        return sum(w for t, w in zip(terms, weights) if self._heading_vocab.get(t, -1) in have) / sum(weights)

    def search(self, question: str, k: int = 10, doc_ids: list[str] | None = None,
               tuning: RetrievalTuning | None = None) -> Search:
        """The best k passages for a question (within `doc_ids` if given), with what the
        question asks for; `tuning` overrides the retriever's weights (kb eval --cv)."""
        t = tuning or self.tuning
        q = self.reader.read(question)
        query = q.query
        scope = [d for d in q.named if not doc_ids or d in doc_ids] or list(doc_ids or [])
        mask = np.isin(self.doc_arr, scope) if scope else np.ones(len(self.chunks), bool)

        vec = np.asarray(self.embedder.get_query_embedding(query.dense_text), np.float32)
        dense = self.dense(vec, t.candidates, mask if scope else None)
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense)}
        cosine = dict(dense)

        # an English question also searches densely by its Vietnamese renderings (the glossary's
        # terms): the small multilingual model matches Vietnamese to Vietnamese more surely
        rendered_rank: dict[str, int] = {}
        if query.lang == "en" and query.groups and t.dense_rendered:
            rendered = np.asarray(self.embedder.get_query_embedding(" ".join(dict.fromkeys(query.groups))), np.float32)
            rendered_rank = {cid: r for r, (cid, _) in enumerate(
                self.dense(rendered, t.candidates, mask if scope else None))}

        lex_rank: dict[str, int] = {}
        tokens = [t for t in lexical_tokens(query.lexical_text) if t in self.bm25.vocab]
        if tokens:
            scores = self.bm25.scores(tokens) * mask
            top = np.argsort(-scores)[:t.candidates]
            lex_rank = {self.chunks[i].id: r for r, i in enumerate(top) if scores[i] > 0}

        fused = fuse([(dense_rank, 1.0), (lex_rank, t.lexical_en if query.lang == "en" else 1.0),
                      (rendered_rank, t.dense_rendered)], t.rrf_k)
        if not fused:
            return Search(q, (), (), tuple(scope), vec, sentences=self.sentences, idf=self.lexicon.idf)
        hits, covs, sims, seen = [], [], [], set()
        for score, cid, cov in self.rerank(q, fused, t):
            i = self.index_of[cid]
            chunk = self.widen(self.chunks[i].article, i)
            if chunk.id in seen:  # a sibling passage already brought in the whole section
                continue
            seen.add(chunk.id)
            hits.append(Hit(chunk, score, dense_rank.get(cid), lex_rank.get(cid)))
            covs.append(cov)
            sims.append(cosine.get(cid, 0.0))
            if len(hits) == (3 * k if "across" in q.intents else k):
                break
        if "across" in q.intents:  # one passage per document first, then the rest, best first
            order = across_documents([h.chunk.doc_id for h in hits])[:k]
            hits, covs, sims = ([xs[i] for i in order] for xs in (hits, covs, sims))
        return Search(q, tuple(hits), tuple(covs), tuple(scope), vec, tuple(sims), self.sentences, self.lexicon.idf)

    def rerank(self, q: Question, fused: dict[str, float], t: RetrievalTuning) -> list[tuple[float, str, float]]:
        """(score, passage id, coverage), best first: the fused score (scaled to the best one)
        plus what the question can check for itself in each passage."""
        top_fused = max(fused.values())
        terms = list(q.terms)
        weights = [self.lexicon.idf(w) for w in terms]  # once per question, not per candidate
        asked = q.asked if t.fit_value else ()
        groups = q.query.groups
        rescored = []
        for cid, f in fused.items():
            i = self.index_of[cid]
            cov = self.group_coverage(groups, i) if groups else self.coverage(terms, i, weights, q.short_names, t.named_share)
            head = self.heading_match(terms, i, weights)
            score = (f / top_fused + t.coverage * cov + t.heading * head
                     + kind_bonus(self.chunks[i], q.intents, t, bool(asked) and self.writes(i, asked)))
            if q.subject and any(defines(st, q.subject) for st in self.starts(i)):
                score += t.defines  # "X là ...": the passage defines what the question asks about
            if q.counted and t.fit_counted and self.labels(i, q.counted):
                score += t.fit_counted  # "Bước 1. … Bước 2. …" for "gồm mấy bước"
            rescored.append((score, cid, cov))
        rescored.sort(reverse=True)
        return rescored

    def widen(self, key: tuple[str, str], idx: int) -> Chunk:
        """The whole section when it was split into passages and is short enough to quote
        whole, else the whole clause ("small to big": the answer is often in the sibling passage;
        kb.sentences.wide_groups decides, kb.sentences.quotable lists the same texts at ingest)."""
        members = self.quoted_with[idx]
        if len(members) == 1:
            return self.chunks[idx]
        first = self.chunks[members[0]]
        text = "\n".join(self.chunks[j].text for j in members)
        held = sorted(set().union(*(clauses(self.chunks[j].section) for j in members)))
        section = (key[1] if len(members) == len(self.members[key]) or not held  # the article, or its clauses
                   else f"{key[1]}, khoản {held[0]}" + (f"-{held[-1]}" if len(held) > 1 else ""))
        return Chunk(id=first.id, doc_id=first.doc_id, section=section, text=text, header=first.header,
                     agency=first.agency, position=first.position,
                     page=page_span([self.chunks[j].page for j in members]))
