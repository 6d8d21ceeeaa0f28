"""The vector store: Chroma behind llama-index's ChromaVectorStore, one adapter.

Chroma holds everything an index needs (vectors, passages, their metadata, and which
embedding model built them), so a Chroma server shared by a province serves every client
from the same place. Embedded `PersistentClient` under the data directory by default;
an `HttpClient` when a Chroma URL is configured.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from kb.config import Config
from kb.errors import (DependencyError, IndexCorruptError, IndexIncompleteError, IndexMismatchError,
                     IndexMissingError, KBError)
from kb.records import Chunk, DocMeta

COLLECTION = "kb_chunks"
FORMAT = 2  # 2: document metadata stored once, in the collection metadata


def _client(config: Config):
    try:
        import chromadb
        from chromadb.config import Settings
    except ImportError:
        raise DependencyError("the vector store needs chromadb: pip install chromadb") from None
    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if config.chroma_url:
        return _http_client(config, chromadb, settings)
    path = config.data_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    except OSError as e:
        raise KBError(f"cannot open the index folder {path}: {e.strerror or e}") from None


def _http_client(config: Config, chromadb, settings):
    """A client of a Chroma server, possibly behind a gatekeeper (deploy/nginx-kb.conf) that
    asks for a bearer token and serves TLS with the province's own certificate."""
    url = urlparse(config.chroma_url)
    if not url.hostname or url.scheme not in ("http", "https"):
        raise KBError(f"KB_CHROMA_URL is not an http(s) URL: {config.chroma_url!r}")
    if config.chroma_ca:
        if not Path(config.chroma_ca).is_file():
            raise KBError(f"KB_CHROMA_CA: no such certificate file {config.chroma_ca}")
        settings.chroma_server_ssl_verify = config.chroma_ca  # httpx verifies against this CA
    headers = {"Authorization": f"Bearer {config.chroma_token}"} if config.chroma_token else None
    try:
        return chromadb.HttpClient(host=url.hostname, port=url.port or (443 if url.scheme == "https" else 8000),
                                   ssl=url.scheme == "https", headers=headers, settings=settings)
    except Exception as e:  # connection refused surfaces as ValueError/ConnectError
        raise KBError(f"cannot reach the Chroma server at {config.chroma_url}: {_why(e, config)}") from None


def _why(error: Exception, config: Config) -> str:
    """One line on what went wrong talking to the server, with the fix when we know it."""
    chain, cause = [], error
    while cause is not None and len(chain) < 10:  # chromadb hides the TLS error under its own
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    text = str(error)
    if any("CERTIFICATE_VERIFY_FAILED" in str(e) or "certificate verify failed" in str(e) for e in chain):
        return ("its TLS certificate could not be verified"
                + ("" if config.chroma_ca else ": set KB_CHROMA_CA to the province's CA certificate"))
    if re.search(r"\b401\b", text):
        return "it asks for a token: set KB_CHROMA_TOKEN"
    if re.search(r"\b403\b", text):
        return "it refused the token: check KB_CHROMA_TOKEN"
    return text.splitlines()[0][:200] if text else type(error).__name__


class ChromaStore:
    """Create with ChromaStore(config); `exists` tells whether an index has been built."""

    def __init__(self, config: Config):
        from llama_index.vector_stores.chroma import ChromaVectorStore

        self.config = config
        self._client = _client(config)
        self._collection = self._client.get_or_create_collection(
            COLLECTION, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
        self._vs = ChromaVectorStore(chroma_collection=self._collection)

    # --- what the index is -------------------------------------------------------------
    @property
    def info(self) -> dict:
        return dict(self._collection.metadata or {})

    def refresh(self) -> dict:
        """The index's metadata as the server has it now (another client may have changed it)."""
        try:
            self._collection = self._client.get_collection(COLLECTION, embedding_function=None)
        except Exception as e:
            raise IndexCorruptError(f"cannot read the index: {_why(e, self.config)}") from None
        self._vs = self._vs.__class__(chroma_collection=self._collection)
        return self.info

    @property
    def outdated(self) -> bool:
        """Built by kb with the same model but an older index format: rebuildable from its sources."""
        info = self.info
        return "kb_model" in info and info.get("kb_format") != FORMAT and info["kb_model"] == self.config.model_id

    @property
    def exists(self) -> bool:
        return "kb_model" in self.info

    def check(self, allow_incomplete: bool = False) -> None:
        """Refuse an index that is missing, half-written, or built with another embedding model."""
        info = self.info
        if "kb_model" not in info:
            raise IndexMissingError("no index yet: run `python -m kb ingest` to build it from corpus/")
        if info.get("kb_state") == "syncing" and not allow_incomplete:
            raise IndexIncompleteError("the last `kb ingest` was interrupted before it finished; "
                                       "run `python -m kb ingest` again to complete the index")
        if info.get("kb_format") != FORMAT:
            raise IndexMismatchError("the index was built by another version of kb; run "
                                     "`python -m kb ingest` to rebuild it (embeddings are cached)")
        if info["kb_model"] != self.config.model_id:
            raise IndexMismatchError(
                f"the index was built with {info['kb_model']} but kb is configured for "
                f"{self.config.model_id}; rebuild it with `python -m kb ingest --rebuild` "
                "or set KB_EMBED / KB_EMBED_MODEL back")

    def sources(self) -> list[str]:
        return json.loads(self.info.get("kb_sources", "[]"))

    def mark(self, sources: list[str], docs: dict[str, DocMeta], content: str = "") -> None:
        """Record the model, the sources and the documents, and the index as ready; written last.

        Document metadata (title, number, date, issuer, ...) is kept once here rather than on
        every passage: at 100k passages the repeated fields made reading the index cost GBs.
        `content` names what the index holds (kb.lexical.content_key): clients compare it with
        the copy of the lexical side they saved, and notice when another client changed the index.
        """
        self._collection.modify(metadata={
            "kb_model": self.config.model_id, "kb_format": FORMAT, "kb_state": "ready", "kb_content": content,
            "kb_sources": json.dumps(sorted(set(sources)), ensure_ascii=False),
            "kb_docs": json.dumps({d: asdict(m) for d, m in sorted(docs.items())}, ensure_ascii=False)})

    def documents(self) -> dict[str, DocMeta]:
        raw = json.loads(self.info.get("kb_docs", "{}"))
        return {d: DocMeta(**{**m, "aliases": tuple(m.get("aliases", ()))}) for d, m in raw.items()}

    def mark_pending(self, docs: dict[str, DocMeta]) -> None:
        """Before writing passages: record their documents (so that a rerun after a crash can
        read every passage written) and flag an index being rewritten, so that readers are told
        to re-run ingest rather than served a mix of old and new passages. A first build has no
        model recorded yet, so it reads as missing until mark()."""
        info = self.info
        known = {d: m for d, m in self.documents().items() if d not in docs}
        meta = {**info, "kb_docs": json.dumps({d: asdict(m) for d, m in sorted({**known, **docs}.items())},
                                              ensure_ascii=False)}
        if "kb_model" in info:
            meta["kb_state"] = "syncing"
        self._collection.modify(metadata=meta)

    def reset(self) -> None:
        self._client.delete_collection(COLLECTION)
        self.__init__(self.config)

    # --- writing -------------------------------------------------------------------------
    @staticmethod
    def _node(chunk: Chunk, vec):
        from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

        return TextNode(
            id_=chunk.id, text=chunk.text, embedding=None if vec is None else vec.tolist(),
            metadata={"section": chunk.section, "agency": chunk.agency, "position": chunk.position,
                      "page": chunk.page,  # OCR confidence, -1 for text that was not read from a scan
                      "ocr_confidence": -1.0 if chunk.ocr_confidence is None else chunk.ocr_confidence},
            # the SOURCE relation becomes Chroma's doc_id/document_id metadata
            relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=chunk.doc_id)})

    def add(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        for i in range(0, len(chunks), 1000):
            self._vs.add([self._node(c, v) for c, v in zip(chunks[i:i + 1000], vectors[i:i + 1000])])

    def update_metadata(self, chunks: list[Chunk]) -> None:
        """Refresh what parsing says about unchanged passages (position, agency, document data)."""
        from llama_index.core.vector_stores.utils import node_to_metadata_dict

        for i in range(0, len(chunks), 1000):
            part = chunks[i:i + 1000]
            metas = [node_to_metadata_dict(self._node(c, None), remove_text=True, flat_metadata=True)
                     for c in part]
            self._collection.update(ids=[c.id for c in part],
                                    metadatas=[{k: ("" if v is None else v) for k, v in m.items()} for m in metas])

    def delete(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self._vs.delete_nodes(node_ids=ids[i:i + 1000])

    # --- reading -------------------------------------------------------------------------
    def _rows(self, include: list[str], page: int = 1000):
        """(id, *included) for every record, a page at a time (one big get hits SQLite's
        variable limit at ~100k records)."""
        offset = 0
        while True:
            try:
                got = self._collection.get(include=include, limit=page, offset=offset)
            except Exception as e:
                raise IndexCorruptError(f"cannot read the index: {e}") from None
            if not got["ids"]:
                return
            yield from zip(got["ids"], *(got[k] for k in include))
            offset += len(got["ids"])

    def vectors(self) -> dict[str, np.ndarray]:
        """Every stored embedding by passage id."""
        return {i: np.asarray(v, np.float32) for i, v in self._rows(["embeddings"])}

    def load(self) -> tuple[list[Chunk], dict[str, DocMeta]]:
        """All passages and the documents they come from, in document order."""
        from kb.ingest.chunk import chunk_header

        docs = self.documents()
        chunks = []
        for cid, text, md in self._rows(["documents", "metadatas"]):
            doc_id = md["doc_id"]
            if doc_id not in docs:
                raise IndexCorruptError(f"the index has passages of an unknown document {doc_id!r}; "
                                        "rebuild it with `python -m kb ingest --rebuild`")
            chunks.append(Chunk(id=cid, doc_id=doc_id, section=md["section"], text=text,
                                header=chunk_header(docs[doc_id], md["section"]), agency=md.get("agency", ""),
                                position=int(md.get("position", 0)), page=str(md.get("page", "")),
                                ocr_confidence=_ocr_confidence(md)))
        chunks.sort(key=lambda c: (c.doc_id, c.position))
        return chunks, docs

    def query(self, vector: list[float], k: int, doc_ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest passages as (chunk id, cosine similarity), optionally within some documents.

        Asks Chroma for ids and distances only: the passages are already in memory, and
        fetching their text and metadata per query costs more than the search itself. Nor
        does it count the passages first to cap k: Chroma returns fewer when it holds fewer,
        and its count holds Python's GIL (15% of the app's GIL time under load was that count).
        """
        where = {"doc_id": {"$in": list(doc_ids)}} if doc_ids else None
        k = max(1, k)
        result = self._collection.query(query_embeddings=[list(vector)], n_results=k, where=where,
                                        include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0])]


def _ocr_confidence(md: dict) -> float | None:
    value = md.get("ocr_confidence", -1.0)
    return None if value in ("", None) or float(value) < 0 else float(value)
