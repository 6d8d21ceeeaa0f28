"""Ingest: load -> parse -> chunk -> embed (cached) -> store, as an idempotent sync.

Chunk ids are content hashes, so re-ingesting unchanged documents adds nothing; passages
that disappeared from a source are removed; a file that fails to load keeps whatever the
index already had from it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from kb.search import lexical
from kb.ingest.account import KEPT_WARN, Coverage, account, merge
from kb.ingest.chunk import assign_pages, chunk_document, mark_ocr
from kb.config import Config
from kb.ingest.embed import EmbeddingCache, cached_embedding, embed_passages, ingest_batch, make_embedder
from kb.errors import InputError
from kb.search.lexical import content_key
from kb.ingest.load import collect_files, load_catalog, load_file
from kb.ingest.parse import parse_document
from kb.records import Chunk, DocMeta
from kb.ingest.store import ChromaStore


@dataclass(frozen=True)
class FileResult:
    """One line of the ingest summary: what happened to a source file and why."""

    path: str
    status: str  # added | updated | unchanged | removed | failed | skipped
    passages: int = 0
    detail: str = ""
    kept: float | None = None  # % of the file's letters and digits in passages or left out on purpose


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    removed: int = 0
    updated: int = 0  # unchanged passages whose metadata was refreshed
    embedded: int = 0  # passages that had to be embedded (not in the cache)
    ocr_read: int = 0  # scanned pages Tesseract read in this run
    ocr_cached: int = 0  # scanned pages whose text was in the OCR cache
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    files: list[FileResult] = field(default_factory=list)
    coverage: dict[str, Coverage] = field(default_factory=dict)  # source path -> what was kept
    notes: dict[str, list[str]] = field(default_factory=dict)  # source path -> warnings for the maintainer

    @property
    def ok(self) -> bool:
        return not self.failed


def parse_sources(paths: list[Path], config: Config, report: IngestReport,
                  ocr=None) -> tuple[list[Chunk], dict[str, DocMeta], set[str]]:
    """Chunks and document metadata of every readable file; failures go to the report.

    Also returns the source paths that failed, whose old passages must be kept. A file whose
    text is the same as an earlier one's (a copy under another name) is skipped.
    """
    chunks: list[Chunk] = []
    docs: dict[str, DocMeta] = {}
    failed_sources: set[str] = set()
    catalogs: dict[Path, dict] = {}
    texts: dict[str, str] = {}  # content hash -> first file with that text
    files: list[Path] = []
    for p in paths:
        try:
            files.extend(collect_files([p]))
        except InputError as e:
            report.failed.append((str(p), str(e).removeprefix(f"{p}: ")))
    for f in dict.fromkeys(files):
        try:
            catalog = catalogs.setdefault(f.parent, load_catalog(f.parent))
            sources = load_file(f, catalog, config.max_file_mb, ocr)
            digest = hashlib.sha256(" ".join("".join(s.text for s in sources).split()).encode()).hexdigest()
            if digest in texts:
                raise InputError(f"{f}: duplicate of {texts[digest]} (same text); not indexed twice")
            texts[digest] = str(f)
            file_chunks, file_docs, covs = [], {}, []
            for source in sources:
                doc = parse_document(source.text, source.meta)
                if doc.meta.id in docs and docs[doc.meta.id].source != doc.meta.source:
                    raise InputError(f"{f}: document id {doc.meta.id!r} is already used by "
                                     f"{docs[doc.meta.id].source}; rename the file or set an id in catalog.toml")
                doc_chunks = chunk_document(doc, config.max_chunk_chars)
                if source.page_starts:
                    doc_chunks = assign_pages(doc_chunks, source.text, source.page_starts)
                if source.ocr:
                    doc_chunks = mark_ocr(doc_chunks, dict(source.ocr))
                if not doc_chunks:
                    raise InputError(f"{f}: no text passages found")
                file_docs[doc.meta.id] = doc.meta
                file_chunks.extend(doc_chunks)
                if not doc.meta.title:
                    report.notes.setdefault(str(f), []).append(
                        f"{doc.meta.id}: no title in the text: add it to the catalog (catalog.toml)")
                covs.append(account(source.text, doc_chunks, [doc.meta], [*doc.recipients, doc.meta.signer]))
            docs.update(file_docs)  # all of a file or nothing of it
            report.coverage[str(f)] = merge(covs)
            cov = report.coverage[str(f)]
            if cov.kept_pct < KEPT_WARN:
                shown = "; ".join(f"“{l[:60]}”" for l in cov.dropped[:3])
                report.notes.setdefault(str(f), []).append(f"only {cov.kept_pct}% kept; first lines dropped: {shown}")
            chunks.extend(file_chunks)
            if sources[0].notes:  # what OCR left out (pages below the confidence floor)
                report.notes.setdefault(str(f), []).extend(sources[0].notes)
        except InputError as e:
            report.failed.append((str(f), str(e).removeprefix(f"{f}: ")))
            failed_sources.add(str(f))
    return chunks, docs, failed_sources


def summarize(chunks: list[Chunk], docs: dict[str, DocMeta], old_chunks: list[Chunk], old_docs: dict[str, DocMeta],
              new: set[str], stale: set[str], changed: set[str], failed: list[tuple[str, str]],
              coverage: dict[str, Coverage] | None = None, notes: dict[str, list[str]] | None = None) -> list[FileResult]:
    """Per-file rows of the ingest summary (pure: ids and records in, rows out)."""
    by_file: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_file.setdefault(docs[c.doc_id].source, []).append(c)
    old_by_file: dict[str, list[Chunk]] = {}
    for c in old_chunks:
        old_by_file.setdefault(old_docs[c.doc_id].source, []).append(c)
    rows = []
    for path, cs in by_file.items():
        gone = sum(c.id in stale for c in old_by_file.get(path, []))
        added = sum(c.id in new for c in cs)
        if path not in old_by_file:
            status, detail = "added", ""
        elif added or gone:
            status, detail = "updated", f"{added} passages added, {gone} removed"
        elif any(c.id in changed for c in cs):
            status, detail = "updated", "metadata only (document data or positions)"
        else:
            status, detail = "unchanged", ""
        detail = "; ".join([d for d in [detail, *(notes or {}).get(path, [])] if d])
        cov = (coverage or {}).get(path)
        rows.append(FileResult(path, status, len(cs), detail, cov.kept_pct if cov else None))
    reasons = dict(failed)
    for path, cs in old_by_file.items():
        if path not in by_file and path not in reasons:
            rows.append(FileResult(path, "removed", sum(c.id in stale for c in cs), "file deleted or moved"))
    for path, reason in failed:
        kept = len(old_by_file.get(path, []))
        status = "skipped" if reason.startswith("duplicate of") else "failed"
        rows.append(FileResult(path, status, kept, reason + (f"; its {kept} indexed passages are kept" if kept else "")))
    return rows


def ingest(config: Config, paths: list[Path] | None = None, rebuild: bool = False, progress=None) -> IngestReport:
    """Bring the index in line with its sources (corpus/ plus any paths added before).

    Safe to interrupt at any point: embeddings are cached batch by batch, the index is marked
    as syncing while it is written and ready only at the end, and running it again finishes
    the job (the passages already written are not written twice).

    >>> ingest(Config.from_env())                         # index corpus/
    >>> ingest(Config.from_env(), [Path("new-plan.pdf")])  # add a file
    """
    store = ChromaStore(config)
    sources = store.sources() if store.exists else []
    if store.exists and (rebuild or store.outdated):  # an older format is rebuilt from its sources
        store.reset()
    if store.exists:
        store.check(allow_incomplete=True)
    known = set(sources)
    if not sources:
        sources = [str(config.corpus_dir)]
    for p in paths or []:
        sources.append(str(p))  # a missing one is reported with the other failures
    sources = list(dict.fromkeys(sources))

    report = IngestReport()
    from kb.ingest.ocr import Ocr  # scans are read only when a file has pages without text

    ocr = Ocr(config, progress)
    try:
        chunks, docs, failed_sources = parse_sources([Path(s) for s in sources], config, report, ocr)
    finally:
        ocr.close()
    report.ocr_read, report.ocr_cached = ocr.read, ocr.cached
    report.documents, report.chunks = len(docs), len(chunks)

    old_chunks, old_docs = store.load()  # also what an interrupted run managed to write
    existing = {c.id for c in old_chunks}
    wanted = {c.id for c in chunks}
    new = [c for c in chunks if c.id not in existing]
    keep_docs = {d for d, m in old_docs.items() if m.source in failed_sources}
    stale = [c.id for c in old_chunks if c.id not in wanted and c.doc_id not in keep_docs]
    # unchanged passages whose place or parsed data changed (a passage inserted before them, a
    # corrected catalog entry) get their metadata refreshed without re-embedding
    old_by_id = {c.id: c for c in old_chunks}
    changed = [c for c in chunks if c.id in old_by_id and
               (c != old_by_id[c.id] or docs[c.doc_id] != old_docs.get(c.doc_id))]

    vectors, embedder = None, None
    if new:
        embedder = make_embedder(config)
        cache = EmbeddingCache(config.cache_path, config.model_id)
        try:
            before = len(cache.get_many([c.embed_text for c in new]))
            # each batch is cached when done, so an interrupted run loses at most one
            vectors = embed_passages(embedder, [c.embed_text for c in new], cache, batch=ingest_batch(config),
                                     progress=progress)
        finally:
            cache.close()
        report.embedded = len({c.embed_text for c in new}) - before
    if new or changed or stale:
        store.mark_pending(docs)
        if new:
            store.add(new, vectors)
        if changed:
            store.update_metadata(changed)
        if stale:
            store.delete(stale)
    report.added, report.removed, report.updated = len(new), len(stale), len(changed)
    report.files = summarize(chunks, docs, old_chunks, old_docs, {c.id for c in new}, set(stale),
                             {c.id for c in changed}, report.failed, report.coverage, report.notes)
    # a new path that failed entirely is not remembered as a source
    failed_paths = {p for p, _ in report.failed}
    kept = {d: m for d, m in old_docs.items() if d in keep_docs}
    final_docs = {**kept, **docs}
    final_chunks = store.load()[0] if new or changed or stale else old_chunks
    key = content_key(final_chunks, final_docs)
    if final_chunks and not lexical.saved(config, key):  # the next open memory-maps it
        sentences = cached_embedding(config, embedder, labelled(progress, "embedding sentences", "sentence"))
        try:
            lexical.save(config, key, *lexical.build(final_chunks, final_docs, store.vectors(), sentences))
        except OSError as e:
            lexical.log.warning("cannot save the lexical index in %s: %s", config.data_dir, e)
    store.mark([s for s in sources if Path(s).exists() and (s in known or s not in failed_paths)], final_docs,
               content=key)
    return report


def labelled(progress, desc: str, unit: str):
    """A progress callback that names what it counts, when it takes a label (the CLI's bars do)."""
    if progress is None:
        return None

    def bar(total: int):
        try:
            return progress(total, desc=desc, unit=unit)
        except TypeError:
            return progress(total)
    return bar


CATALOG_FIELDS = ("title", "type", "number", "date", "issuer", "locality", "period", "aliases", "in_force",
                  "replaced_by", "replaced_from")


def catalog_changes(config: Config, docs: dict) -> list[str]:
    """Documents whose entry in the corpus catalog says something the index does not hold yet
    (the catalog was edited after the last ingest). Only what an entry sets is compared."""
    from kb.ingest.load import load_catalog, meta_from_entry

    try:
        catalog = load_catalog(config.corpus_dir)
    except (InputError, OSError):
        return []  # ingest reports a broken catalog; opening the index need not fail on it
    changed = []
    for name, entries in catalog.items():
        for entry in entries:
            want = meta_from_entry(entry, config.corpus_dir / name)
            have = docs.get(want.id)
            if have is not None and any(getattr(want, f) and getattr(want, f) != getattr(have, f)
                                        for f in CATALOG_FIELDS):
                changed.append(want.id)
    return changed

