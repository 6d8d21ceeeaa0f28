"""Deadlines against the hand-checked gold list, and the calendar export checked as RFC 5545."""
from datetime import date, datetime, timezone
from pathlib import Path

from icalendar import Calendar

from kb.features.deadlines import extract_deadlines, to_ics
from kb.measure.goldscore import load_gold, score_deadlines

from .test_duties import CHUNKS, METAS, ROWS

DEADLINES = extract_deadlines(CHUNKS, METAS, ROWS)
GOLD = load_gold(Path(__file__).parent / "gold" / "deadlines.jsonl")


def test_deadlines_meet_the_targets_against_the_gold():
    s = score_deadlines(GOLD, [r.to_dict() for r in DEADLINES])
    assert s.found / s.gold >= 0.90, s
    assert s.filled / s.extracted >= 0.90 and s.actor_right / s.with_actor >= 0.90, s


def test_every_kind_of_time_limit_is_found():
    kinds = {(r.doc_id, r.kind) for r in DEADLINES}
    assert ("nghi-dinh-56-2017", "immediate") in kinds and ("nghi-dinh-56-2017", "periodic") in kinds
    quarterly = next(r for r in DEADLINES if r.when == "hằng quý")
    assert quarterly.agency == "Ủy ban nhân dân cấp xã" and "cơ quan lao động" in quarterly.recipient
    report = next(r for r in DEADLINES if r.doc_id == "tuan-giao-kh-2021-2025" and r.when.endswith("trước ngày 20/11"))
    assert report.kind == "annual" and report.until == "2025-12-31" and "UBND huyện" in report.recipient


def _events(rows):
    return {str(e["uid"]): e for e in Calendar.from_ical(to_ics(rows)).walk("VEVENT")}


def test_calendar_is_valid_rfc5545_and_stable():
    events = _events(DEADLINES)
    assert events and all(e.get("dtstamp") and e.get("uid") and e.get("dtstart") for e in events.values())
    # the same rows give the same UIDs whatever the filter or order
    one_doc = _events([r for r in DEADLINES if r.doc_id == "ninh-thuan-tinh-doan-kh-2020-2025"])
    assert one_doc and set(one_doc) <= set(events)
    assert set(_events(list(reversed(DEADLINES)))) == set(events)
    yearly = next(e for e in one_doc.values() if e.get("rrule"))
    assert yearly["rrule"]["UNTIL"][0] == date(2025, 12, 31)  # the plan ends in 2025: no repeat after
    assert yearly.decoded("dtstart") == date(2020, 11, 15)
    for e in events.values():
        summary = str(e["summary"])
        assert len(summary) <= 120
        if summary.endswith("…"):
            cut = summary[:-1]
            assert any(r.obligation.startswith(cut.split(": ", 1)[-1] + " ") or
                       f"{r.agency}: {r.obligation}".startswith(cut + " ") for r in DEADLINES), summary
    fixed = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert to_ics(DEADLINES, stamp=fixed) == to_ics(DEADLINES, stamp=fixed)
