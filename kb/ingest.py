"""Ingest: load -> parse -> chunk -> embed (cached) -> store, as an idempotent sync.

Chunk ids are content hashes, so re-ingesting unchanged documents adds nothing; passages
that disappeared from a source are removed; a file that fails to load keeps whatever the
index already had from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .chunk import assign_pages, chunk_document
from .config import Config
from .embed import EmbeddingCache, embed_passages, make_embedder
from .errors import InputError
from .load import collect_files, load_catalog, load_file
from .parse import parse_document
from .records import Chunk, DocMeta
from .store import ChromaStore


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    removed: int = 0
    updated: int = 0  # unchanged passages whose metadata was refreshed
    embedded: int = 0  # passages that had to be embedded (not in the cache)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)

    @property
    def ok(self) -> bool:
        return not self.failed


def parse_sources(paths: list[Path], config: Config, report: IngestReport) -> tuple[list[Chunk], dict[str, DocMeta], set[str]]:
    """Chunks and document metadata of every readable file; failures go to the report.

    Also returns the source paths that failed, whose old passages must be kept.
    """
    chunks: list[Chunk] = []
    docs: dict[str, DocMeta] = {}
    failed_sources: set[str] = set()
    catalogs: dict[Path, dict] = {}
    files: list[Path] = []
    for p in paths:
        try:
            files.extend(collect_files([p]))
        except InputError as e:
            report.failed.append((str(p), str(e)))
    for f in files:
        try:
            catalog = catalogs.setdefault(f.parent, load_catalog(f.parent))
            for source in load_file(f, catalog, config.max_file_mb):
                doc = parse_document(source.text, source.meta)
                if doc.meta.id in docs and docs[doc.meta.id].source != doc.meta.source:
                    raise InputError(f"{f}: document id {doc.meta.id!r} is already used by "
                                     f"{docs[doc.meta.id].source}; rename the file or set an id in catalog.toml")
                doc_chunks = chunk_document(doc, config.max_chunk_chars)
                if source.page_starts:
                    doc_chunks = assign_pages(doc_chunks, source.text, source.page_starts)
                if not doc_chunks:
                    raise InputError(f"{f}: no text passages found")
                docs[doc.meta.id] = doc.meta
                chunks.extend(doc_chunks)
        except InputError as e:
            report.failed.append((str(f), str(e).removeprefix(f"{f}: ")))
            failed_sources.add(str(f))
    return chunks, docs, failed_sources


def ingest(config: Config, paths: list[Path] | None = None, rebuild: bool = False, progress=None) -> IngestReport:
    """Bring the index in line with its sources (corpus/ plus any paths added before).

    >>> ingest(Config.from_env())                         # index corpus/
    >>> ingest(Config.from_env(), [Path("new-plan.pdf")])  # add a file
    """
    store = ChromaStore(config)
    if rebuild and store.exists:
        store.reset()
    sources = store.sources() if store.exists else []
    if store.exists:
        store.check()
    if not sources:
        sources = [str(config.corpus_dir)]
    for p in paths or []:
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        sources.append(str(p))
    sources = list(dict.fromkeys(sources))

    report = IngestReport()
    chunks, docs, failed_sources = parse_sources([Path(s) for s in sources], config, report)
    report.documents, report.chunks = len(docs), len(chunks)

    existing = store.ids()
    wanted = {c.id for c in chunks}
    new = [c for c in chunks if c.id not in existing]
    old_chunks, old_docs = store.load() if existing else ([], {})
    keep_docs = {d for d, m in old_docs.items() if m.source in failed_sources}
    stale = [c.id for c in old_chunks if c.id not in wanted and c.doc_id not in keep_docs]
    # unchanged passages whose place or parsed data changed (a passage inserted before them, a
    # corrected catalog entry) get their metadata refreshed without re-embedding
    old_by_id = {c.id: c for c in old_chunks}
    changed = [c for c in chunks if c.id in old_by_id and
               (c != old_by_id[c.id] or docs[c.doc_id] != old_docs.get(c.doc_id))]

    if new:
        embedder = make_embedder(config)
        cache = EmbeddingCache(config.cache_path, config.model_id)
        try:
            before = len(cache.get_many([c.embed_text for c in new]))
            vectors = embed_passages(embedder, [c.embed_text for c in new], cache,
                                     batch=config.embed_batch, progress=progress)
        finally:
            cache.close()
        report.embedded = len({c.embed_text for c in new}) - before
        store.add(new, vectors, docs)
    if changed:
        store.update_metadata(changed, docs)
    if stale:
        store.delete(stale)
    report.added, report.removed, report.updated = len(new), len(stale), len(changed)
    store.mark([s for s in sources if Path(s).exists()])
    return report
