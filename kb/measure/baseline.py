"""The plain llama-index pipeline the eval compares against: whole documents, the default
SentenceSplitter, dense retrieval only, the same embedder. Shows what each idea of kb adds."""
from __future__ import annotations

import time

from kb.config import Config
from kb.ingest.embed import EmbeddingCache, embed_passages, make_embedder
from kb.ingest.load import collect_files, load_catalog, load_file


class PlainLlamaIndex:
    def __init__(self, retriever):
        self._retriever = retriever

    @classmethod
    def build(cls, config: Config) -> "PlainLlamaIndex":
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.schema import MetadataMode

        docs = []
        for f in collect_files([config.corpus_dir]):
            for src in load_file(f, load_catalog(f.parent)):
                docs.append(Document(text=src.text, metadata={"doc_id": src.meta.id}))
        nodes = SentenceSplitter().get_nodes_from_documents(docs)
        embedder = make_embedder(config)
        cache = EmbeddingCache(config.cache_path, config.model_id)
        try:
            vecs = embed_passages(embedder, [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes], cache)
        finally:
            cache.close()
        for node, vec in zip(nodes, vecs):
            node.embedding = vec.tolist()
        index = VectorStoreIndex(nodes, embed_model=embedder)
        return cls(index.as_retriever(similarity_top_k=10))

    def retrieve(self, question: str) -> dict:
        start = time.perf_counter()
        found = self._retriever.retrieve(question)
        return {"texts": [n.node.get_content() for n in found],
                "latency_ms": (time.perf_counter() - start) * 1000}
