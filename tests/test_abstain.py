"""When to refuse: a model fitted on labelled questions (kb/answer/abstain.py) instead of hand-set
thresholds. Its held-out numbers are measured by leaving out one whole question file at a time
(each written by a different author), on the real corpus and model."""
import json
from pathlib import Path

import pytest

from kb.answer import abstain
from kb.search.intent import asked_values, values_found

from .conftest import ROOT

QA_FILES = [ROOT / "eval" / f for f in ("qa.jsonl", "qa-v2.jsonl", "qa-newdocs.jsonl")]


def test_the_shipped_weights_say_how_they_were_fitted():
    data = json.loads(abstain.WEIGHTS.read_text(encoding="utf-8"))
    how = data["fitted"]
    assert data["features"] == list(abstain.FEATURES)
    assert how["command"].startswith("python -m kb eval --fit-abstain") and how["questions"] >= 500
    held = how["held_out_leave_one_file_out"]["all"]
    assert held["unanswerable_abstained"] is not None and held["answerable_wrongly_abstained"] is not None


def test_refitting_on_the_eval_files_reproduces_the_shipped_weights_and_held_out_rates(kb):
    """The numbers in the README come from this fit; a changed feature or search shows here."""
    from kb.measure.crossval import fit_abstention

    model, how = fit_abstention(kb, QA_FILES)
    shipped = abstain.load()
    held = how["held_out_leave_one_file_out"]
    # held out: a question file the model never saw, by another author
    assert held["all"]["answerable_wrongly_abstained"] <= 0.25
    assert held["all"]["unanswerable_abstained"] >= 0.60
    assert held["en"]["answerable_wrongly_abstained"] <= 0.30  # the old rule refused 64% of English
    # the shipped file's held-out rates (the README's) come back within a few questions
    recorded = json.loads(abstain.WEIGHTS.read_text(encoding="utf-8"))["fitted"]["held_out_leave_one_file_out"]
    # (the search is deterministic — exact dense search, tie-breaks by position — so only
    # floating-point differences between machines' linear algebra could move a question)
    for lang, rates in held.items():
        for key, n in (("answerable_wrongly_abstained", "answerable"), ("unanswerable_abstained", "unanswerable")):
            assert abs(rates[key] - recorded[lang][key]) <= max(0.05, 4.5 / rates[n]), (lang, key)
    assert abs(model.probability(model.mean)[0] - shipped.probability(model.mean)[0]) <= 0.05


@pytest.mark.parametrize("question", [
    "Which agency must verify and assess a report of child abuse, according to Decree 56?",
    "What does the Law on Children say about a child's right to privacy?",
    "Who is responsible for child protection work at commune level?",
])
def test_english_questions_the_documents_answer_are_answered(kb, question):
    answer = kb.ask(question)
    assert not answer.abstained, answer.text[:200]


@pytest.mark.parametrize("question", [
    "What is the regional minimum wage in 2024?",
    "How do I register a motorbike in Hanoi?",
    "diem chuan vao lop 10 cong lap o hai phong nam nay la bao nhieu",
])
def test_questions_outside_the_documents_are_refused(kb, question):
    assert kb.ask(question).abstained


def test_the_kind_of_value_asked_for_is_read_from_the_question():
    assert asked_values("Mức phạt bao nhiêu tiền?") == ("money",)
    assert asked_values("xa co bao nhieu ngay de tham dinh ho so") == ("duration",)
    assert asked_values("What share of children must have health insurance?") == ("percent",)
    assert asked_values("How does the law define child abuse?") == ()
    assert values_found(("duration",), ["trong thời hạn 05 ngày làm việc"])
    assert not values_found(("money",), ["Ủy ban nhân dân cấp xã tiếp nhận hồ sơ"])


def test_weights_fitted_on_other_features_are_refused(tmp_path):
    data = json.loads(abstain.WEIGHTS.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    (bad := tmp_path / "abstain.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="refit"):
        abstain.load(Path(bad))
