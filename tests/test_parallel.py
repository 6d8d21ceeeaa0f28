"""Answering from many threads at once: the same answers as one at a time, none mixed up."""
from concurrent.futures import ThreadPoolExecutor

from kb.measure.evaluate import load_qa

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
    from kb.knowledge import KnowledgeBase

    fresh = KnowledgeBase(kb.config, kb.retriever)  # no saved tables: built on first use
    with ThreadPoolExecutor(4) as pool:
        rows = list(pool.map(lambda _: fresh.duty_rows, range(4)))
    assert all(r is rows[0] for r in rows) and rows[0] == kb.duty_rows


def test_questions_waiting_for_an_answer_slot_are_served_in_the_order_they_came():
    """Under load, a question asked earlier is answered before one asked later: no question
    waits many turns while newcomers pass it (what made p95 latency 22x one user's)."""
    import threading
    import time

    from kb.web.slots import FairSlots

    slots = FairSlots(2)
    holding = threading.Barrier(3)
    release = threading.Event()
    order, busy, most = [], [0], [0]
    guard = threading.Lock()

    def holder():
        with slots:
            holding.wait()
            release.wait()

    def asker(n):
        with slots:
            with guard:
                order.append(n)
                busy[0] += 1
                most[0] = max(most[0], busy[0])
            time.sleep(0.002)
            with guard:
                busy[0] -= 1

    holders = [threading.Thread(target=holder) for _ in range(2)]
    for t in holders:
        t.start()
    holding.wait()  # both slots taken
    askers = []
    for n in range(12):  # each starts waiting only after the one before it
        t = threading.Thread(target=asker, args=(n,))
        t.start()
        askers.append(t)
        deadline = time.time() + 5
        while slots.waiting < n + 1 and time.time() < deadline:
            time.sleep(0.001)
    release.set()
    for t in holders + askers:
        t.join(5)
    # two slots: the two questions let in together may note themselves in either order
    assert sorted(order) == list(range(12)) and all(abs(place - n) <= 1 for place, n in enumerate(order)), order
    assert most[0] <= 2  # never more answers at once than slots


def test_a_freed_answer_slot_goes_to_the_waiting_question_not_to_a_newcomer():
    import threading
    import time

    from kb.web.slots import FairSlots

    slots, order = FairSlots(1), []
    slots.acquire()

    def waiting_question():
        with slots:
            order.append("waited")

    t = threading.Thread(target=waiting_question)
    t.start()
    deadline = time.time() + 5
    while slots.waiting < 1 and time.time() < deadline:
        time.sleep(0.001)
    slots.release()
    slots.acquire()  # a newcomer arriving the moment the slot is freed
    order.append("newcomer")
    slots.release()
    t.join(5)
    assert order == ["waited", "newcomer"]
