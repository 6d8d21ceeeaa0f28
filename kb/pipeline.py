"""The knowledge base as one object: open an index once, ask many questions.

>>> kb = KnowledgeBase.open(Config.from_env())
>>> answer = kb.ask("ai chịu trách nhiệm giám định pháp y?")
>>> answer.citations[0].section
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from .answer import compose
from .config import Config
from .embed import make_embedder
from .errors import IndexMissingError, KBError
from .ingest import ingest
from .records import Answer
from .retrieve import Retriever, Search
from .store import ChromaStore
from .text import fold


REPORTING_QUESTION = "Khi phát hiện trẻ em bị xâm hại thì phải thông báo cho ai?"


def load_passages(config: Config, progress=None):
    """All passages and documents of the index, without loading the embedding model (built
    from the corpus first when there is no index)."""
    store = ChromaStore(config)
    if not store.exists:
        ingest(config, progress=progress)
        store = ChromaStore(config)
    store.check()
    return store.load()


class KnowledgeBase:
    def __init__(self, config: Config, retriever: Retriever):
        self.config = config
        self.retriever = retriever
        self._duties = None
        self._duty_postings = None
        self._deadlines = None

    @classmethod
    def open(cls, config: Config, build_if_missing: bool = True, progress=None) -> "KnowledgeBase":
        """Open the index; build it from the corpus first when there is none (and allowed)."""
        store = ChromaStore(config)
        if not store.exists:
            if not build_if_missing:
                raise IndexMissingError("no index yet: run `python -m kb ingest` to build it from corpus/")
            report = ingest(config, progress=progress)
            if not report.chunks:
                raise KBError(f"nothing to index in {config.corpus_dir}: "
                              + "; ".join(f"{p}: {r}" for p, r in report.failed))
            store = ChromaStore(config)
        store.check()
        chunks, docs = store.load()
        if not chunks:
            raise IndexMissingError("the index is empty: run `python -m kb ingest`")
        embedder = make_embedder(config)
        embedder.get_query_embedding("khởi động")  # load the model now, not on the first question
        return cls(config, Retriever(chunks, docs, store, embedder))

    @property
    def documents(self):
        return self.retriever.docs

    @property
    def chunks(self):
        return self.retriever.chunks

    def search(self, question: str, k: int = 10, doc_ids: list[str] | None = None) -> Search:
        return self.retriever.search(question, k=k, doc_ids=doc_ids)

    @property
    def duty_rows(self):
        """The responsibility matrix of the index (computed once)."""
        if self._duties is None:
            from .duties import extract_duties

            self._duties = extract_duties(self.chunks, self.documents)
        return self._duties

    @property
    def deadline_rows(self):
        """Dates and deadlines of the index (computed once)."""
        if self._deadlines is None:
            from .deadlines import extract_deadlines

            self._deadlines = extract_deadlines(self.chunks, self.documents)
        return self._deadlines

    def assigned(self, search: Search) -> tuple:
        """For "which agency is responsible for X?": every agency the documents give X to, one
        passage each (from the responsibility matrix), when there is more than one."""
        from .records import Hit
        from .text import lexical_tokens

        if "agency" not in search.intents or len(search.terms) < 2 or search.query.lang == "en":
            return ()  # English terms come from a glossary: too loose to list agencies by
        # what the task is, as word pairs ("giám định" + "pháp y", not "giám sát" + "pháp luật")
        terms = [t for t in dict.fromkeys(search.terms) if t not in ("trach", "nhiem", "vu", "chiu")]
        if self._duty_postings is None:
            # word pair -> the matrix rows whose duty uses it (an inverted index: a set of words
            # per row costs too much memory at 100k passages, a scan too much time)
            postings: dict[str, list[int]] = {}
            for n, row in enumerate(self.duty_rows):
                for t in {t for t in lexical_tokens(row.duty) if "_" in t}:
                    postings.setdefault(t, []).append(n)
            self._duty_postings = {t: np.asarray(rows, np.int32) for t, rows in postings.items()}
        # only pairs some duty uses: a pair that only headings or other prose write (more of them
        # as the corpus grows) would raise the bar no duty row can reach
        pairs = [f"{a}_{b}" for a, b in zip(terms, terms[1:]) if f"{a}_{b}" in self._duty_postings]
        if not pairs:
            return ()
        weights = [self.retriever.lexicon.idf(p.split("_")[0]) + self.retriever.lexicon.idf(p.split("_")[1])
                   for p in pairs]
        score: dict[int, float] = {}
        for p, w in zip(pairs, weights):
            for n in self._duty_postings.get(p, ()):
                score[int(n)] = score.get(int(n), 0.0) + w
        total = sum(weights)
        found, seen = [], set()
        for n in sorted(n for n, w in score.items() if w / total >= 0.7):
            row = self.duty_rows[n]
            if not row.agency or (search.scope and row.doc_id not in search.scope):
                continue
            if (row.doc_id, row.agency) not in seen:
                seen.add((row.doc_id, row.agency))
                found.append(Hit(self.retriever.chunks[self.retriever.index_of[row.chunk_id]], 0.0))
        return tuple(found[:5]) if len({fold(h.chunk.agency) for h in found}) > 1 else ()

    def handout(self, topic: str, audience: str = "teacher"):
        """A cited training handout on a topic (see kb.handout)."""
        from .answer import cite
        from .handout import compose_handout
        from .records import Hit

        if not topic or not topic.strip():
            raise KBError("the topic is empty")
        search = self.search(topic, k=8)
        citations = [cite(h, self.documents) for h in search.hits]
        passages = {c.id: cite(Hit(c, 0.0), self.documents) for c in self.chunks}
        return compose_handout(topic, audience, citations, self.duty_rows, self.deadline_rows, passages)

    def ask(self, question: str, doc_ids: list[str] | None = None) -> Answer:
        """Answer one question with citations, or abstain. Raises KBError for an empty question."""
        if not question or not question.strip():
            raise KBError("the question is empty")
        start = time.perf_counter()
        search = self.search(question, k=10, doc_ids=doc_ids)
        answer = compose(question, search, self.documents, top_k=10, assigned=self.assigned(search))
        if answer.urgent and answer.abstained:
            # Someone describes a child being harmed in words the documents do not use:
            # answer what matters then, whom to report to, after the hotline.
            fallback = self.search(REPORTING_QUESTION, k=10)
            answer = compose(question, fallback, self.documents, top_k=10, lang=answer.lang)
        return replace(answer, latency_ms=(time.perf_counter() - start) * 1000)
