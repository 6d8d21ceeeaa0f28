"""Answering from many threads at once: the same answers as one at a time, none mixed up."""
from concurrent.futures import ThreadPoolExecutor

from kb.evaluate import load_qa

from .conftest import ROOT


def _plain(answer) -> dict:
    return {**answer.to_dict(), "latency_ms": None}


def test_answers_from_several_threads_match_answers_one_at_a_time(kb):
    questions = [r["question"] for r in load_qa(ROOT / "eval" / "qa.jsonl")][::3]  # all three languages
    alone = [_plain(kb.ask(q)) for q in questions]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda q: _plain(kb.ask(q)), questions * 2))
    assert together == alone * 2
    assert kb.config.answer_workers >= 1


def test_the_responsibility_matrix_asked_for_by_several_threads_is_built_once(kb):
    from kb.pipeline import KnowledgeBase

    fresh = KnowledgeBase(kb.config, kb.retriever)  # no saved tables: built on first use
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda _: fresh.duty_rows, range(4)))
    assert all(r is rows[0] for r in rows) and rows[0] == kb.duty_rows
