"""Training handouts built from the documents, every statement cited, chosen for the audience:
teachers (signs, the duty to report and how, what to do today, hotlines), Youth Union cadres
(the Đoàn/Đội tasks and campaigns) and officers (the procedure step by step with its time limits
and forms). Learning objectives, scenario exercises with cited model answers, a varied quiz
(true/false, scenario, deadline, hotline) and a refusal when the documents do not cover the
topic. Composition is pure; kb/features/handout_render.py writes Markdown, DOCX and PPTX."""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from kb.features.actors import subject_of
from kb.features.deadlines import Deadline
from kb.features.duties import Duty
from kb.search.intent import PHONE
from kb.records import Citation
from kb.text import fold, folded_words


@dataclass(frozen=True)
class Audience:
    who: str
    intro: str
    objectives: tuple[str, ...]
    angles: tuple[str, ...]  # added to the topic to find the passages this audience needs
    actors: str  # pattern (without diacritics) of the actors whose duties this audience carries out
    scenarios: tuple[tuple[str, str], ...]  # (situation, pattern of the duty that answers it)


AUDIENCES = {
    "teacher": Audience(
        "giáo viên", "Dành cho giáo viên: nhận biết, báo tin và phối hợp khi trẻ có dấu hiệu bị bạo lực, xâm hại.",
        ("Nhận biết dấu hiệu và nguy cơ trẻ em bị bạo lực, xâm hại.",
         "Nêu được trách nhiệm phát hiện, thông báo, tố giác của giáo viên và nhà trường.",
         "Biết báo tin cho ai, bằng cách nào, trong thời hạn nào; nhớ số Tổng đài 111."),
        ("dấu hiệu nhận biết trẻ em bị xâm hại", "trách nhiệm phát hiện, thông báo, tố giác hành vi xâm hại trẻ em",
         "thông báo ngay cho Tổng đài điện thoại quốc gia bảo vệ trẻ em"),
        r"giao vien|nha truong|co so giao duc|ban giam hieu|tong phu trach",
        (("Một học sinh có vết bầm tím và kể bị người lớn trong nhà đánh. Thầy/cô phải làm gì, báo cho ai?",
          r"phat hien, to giac, thong bao|thong bao ngay"),
         ("Phụ huynh xin nhà trường giữ kín việc con bị xâm hại. Nhà trường phải làm gì với thông tin của em?",
          r"thuc hien duoc quyen bi mat doi song rieng tu|phai duoc bao mat"),
         ("Học sinh gửi kiến nghị lên Ban Giám hiệu về việc bị bắt nạt. Ban Giám hiệu trả lời trong bao lâu?",
          r"ban giam hieu|07 ngay lam viec"))),
    "cadre": Audience(
        "cán bộ Đoàn, Hội, Đội", "Dành cho cán bộ Đoàn, Hội, Đội: tuyên truyền, hỗ trợ và kết nối trẻ em với dịch vụ bảo vệ.",
        ("Nêu được nhiệm vụ của tổ chức Đoàn, Đội và Nhà Thiếu nhi trong phòng, chống bạo lực, xâm hại trẻ em.",
         "Tổ chức được hoạt động tuyên truyền, diễn đàn trẻ em, sinh hoạt hè an toàn.",
         "Biết báo cáo, kết nối vụ việc với Đoàn cấp trên và cơ quan chức năng."),
        ("nhiệm vụ của Đoàn thanh niên, Đội thiếu niên, Nhà Thiếu nhi", "tuyên truyền, diễn đàn trẻ em, câu lạc bộ",
         "báo cáo kết quả về Tỉnh Đoàn"),
        r"\bdoan\b|\bdoi\b|thieu nhi|ban phong trao|tong phu trach",
        (("Một đoàn viên phát hiện trẻ em trong xóm bị xâm hại. Cán bộ Đoàn, Đội phải làm gì?",
          r"nam bat tinh hinh|kip thoi thong tin"),
         ("Huyện Đoàn cần báo cáo kết quả thực hiện kế hoạch. Gửi cho ai, khi nào?",
          r"bao cao ket qua"),
         ("Chi đoàn muốn tổ chức hoạt động hè cho thiếu nhi về phòng, chống xâm hại. Kế hoạch giao việc gì?",
          r"tuyen truyen|hoat dong vui choi"))),
    "officer": Audience(
        "cán bộ, công chức", "Dành cho cán bộ, công chức: quy trình hỗ trợ, can thiệp từng bước, thời hạn và biểu mẫu.",
        ("Trình bày được các bước tiếp nhận, đánh giá, lập và phê duyệt kế hoạch hỗ trợ, can thiệp.",
         "Nêu được thời hạn của từng bước và biểu mẫu phải dùng.",
         "Xác định được ai chủ trì, ai phối hợp ở mỗi bước, kể cả trường hợp khẩn cấp."),
        ("quy trình tiếp nhận, đánh giá nguy cơ, kế hoạch hỗ trợ, can thiệp", "can thiệp khẩn cấp không quá 12 giờ",
         "Chủ tịch Ủy ban nhân dân cấp xã phê duyệt kế hoạch hỗ trợ, can thiệp"),
        r"bao ve tre em cap xa|chu tich uy ban nhan dan cap xa|tong dai|cong an|kham benh|lao dong",
        (("Tổng đài 111 chuyển tin một trẻ bị cha đánh gây thương tích nặng. Người làm công tác bảo vệ trẻ em cấp xã làm gì?",
          r"ket noi voi co quan cong an"),
         ("Đánh giá xong nhu cầu của trẻ, kế hoạch hỗ trợ, can thiệp phải được lập và phê duyệt trong bao lâu?",
          r"05 ngay lam viec|02 ngay lam viec"),
         ("Trẻ có nguy cơ tiếp tục bị cha mẹ xâm hại. Ai có thẩm quyền tạm thời cách ly trẻ, trong bao lâu?",
          r"tam thoi cach ly"))),
}
TRUE_FALSE = "Đúng hay sai"
# Articles that lay down the support and intervention procedure (Nghị định 56, Điều 25-32).
PROCEDURE = (r"tiep nhan va phoi hop xu ly|danh gia ban dau|xac dinh nhu cau|phe duyet ke hoach ho tro|"
             r"thuc hien ke hoach ho tro|ra soat, danh gia sau|can thiep trong truong hop|tam thoi cach ly")


@dataclass(frozen=True)
class QuizItem:
    kind: str  # true_false | scenario | deadline | hotline
    question: str
    options: tuple[str, ...]
    answer: int  # index into options
    source: Citation


@dataclass(frozen=True)
class Exercise:
    situation: str
    answer: str  # the model answer: who must do what, quoted
    sources: tuple[Citation, ...]


@dataclass
class Handout:
    title: str
    audience: str
    intro: str
    refusal: str = ""  # why no handout: the documents do not cover the topic
    objectives: tuple[str, ...] = ()
    points: list[Citation] = field(default_factory=list)
    duties: list[Duty] = field(default_factory=list)
    hotlines: list[tuple[str, Citation]] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    quiz: list[QuizItem] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # chunk id -> maintainer note on a quoted passage
    today: list[tuple[str, Citation]] = field(default_factory=list)  # teachers: what to do now, each cited


def _covers(text: str, terms: set[str], share: float = 0.5) -> bool:
    have = set(folded_words(text))
    return bool(terms) and len(terms & have) / len(terms) >= share


def _shuffled(right: str, wrong: list[str], rng: random.Random) -> tuple[tuple[str, ...], int]:
    options = [right] + wrong
    order = list(range(len(options)))
    rng.shuffle(order)
    return tuple(options[i] for i in order), order.index(0)


def deadline_quiz(d: Deadline, cite: Citation, rng: random.Random) -> QuizItem | None:
    m = re.search(r"(\d+)\s+(giờ|ngày làm việc|ngày|tháng)", d.when)
    if not m:
        return None
    n, unit = int(m.group(1)), m.group(2)
    wrong = [w for w in dict.fromkeys([max(1, n // 2), n + 1 if n < 5 else n * 2, n * 3]) if w != n][:3]
    width = len(m.group(1))
    options, answer = _shuffled(f"{n:0{width}d} {unit}", [f"{w:0{width}d} {unit}" for w in wrong], rng)
    who = f"{d.agency}: " if d.agency else ""
    blanked = d.obligation.replace(m.group(0), "____", 1)
    if blanked == d.obligation:
        return None
    return QuizItem("deadline", f"Điền thời hạn — {who}“{blanked[:240]}”", options, answer, cite)


def true_false(duty: Duty, others: list[str], cite: Citation, rng: random.Random) -> QuizItem | None:
    """'Theo <doc>, <agency> có nhiệm vụ: <duty>' stated right, or with another agency of the same document."""
    wrong = [a for a in others if fold(a) != fold(duty.agency) and fold(a) not in fold(duty.agency)]
    subject, rest = subject_of(duty.duty)
    task = rest if subject else duty.duty  # "Người làm công tác ... xây dựng kế hoạch" -> "xây dựng kế hoạch"
    task = re.sub(r"^(có trách nhiệm|chịu trách nhiệm)( sau đây)?\s*", "", task)
    if not wrong or fold(duty.agency)[:20] in fold(task):
        return None
    truth = rng.random() < 0.5
    agency = duty.agency if truth else rng.choice(wrong)
    return QuizItem("true_false", f"{TRUE_FALSE}: theo {duty.doc_label}, {agency} có nhiệm vụ “{task[:200]}”.",
                    ("Đúng", "Sai"), 0 if truth else 1, cite)


def hotline_quiz(cite: Citation, rng: random.Random) -> QuizItem:
    options, answer = _shuffled("111", ["113", "114", "115"], rng)
    return QuizItem("hotline", "Số của Tổng đài điện thoại quốc gia bảo vệ trẻ em (miễn phí, 24/7) là?", options, answer, cite)


def scenario_quiz(ex: Exercise, decoys: list[Exercise], rng: random.Random) -> QuizItem | None:
    wrong = [d.answer.split(" — ")[0] for d in decoys if d is not ex][:2]
    if len(wrong) < 2:
        return None
    options, answer = _shuffled(ex.answer.split(" — ")[0], wrong, rng)
    return QuizItem("scenario", f"Tình huống: {ex.situation}", options, answer, ex.sources[0])


def compose_handout(topic: str, audience: str, citations: list[Citation], duties: list[Duty],
                    deadlines: list[Deadline], passages: dict[str, Citation], seed: int = 7,
                    covered: bool = True, locality_docs: set[str] | None = None, notes=()) -> Handout:
    """A handout on `topic` for `audience` from its best passages (`citations`, already chosen
    for the audience) and the matrix rows; `passages` maps chunk ids to citations so every
    duty and deadline is cited too; `covered` False gives a refusal; `locality_docs` limits the
    plans to one locality's (laws and decrees always count); `notes` are the catalog's maintainer
    notes: a number an erratum corrects is never listed as a hotline."""
    spec = AUDIENCES.get(audience, AUDIENCES["teacher"])
    h = Handout(title=f"Tài liệu tập huấn: {topic}", audience=spec.who, intro=spec.intro)
    if not covered or not citations:
        h.refusal = (f"Các văn bản trong cơ sở tri thức không đề cập chủ đề “{topic}”, nên không thể soạn tài liệu "
                     "có trích dẫn. Hãy chọn chủ đề về bảo vệ trẻ em, phòng, chống bạo lực, xâm hại trẻ em.")
        return h
    rng = random.Random(seed)
    terms = {t for t in folded_words(topic) if len(t) > 1}
    allowed = (lambda doc: locality_docs is None or doc in locality_docs)
    mine = [d for d in duties if allowed(d.doc_id) and re.search(spec.actors, fold(d.agency))]
    h.objectives = spec.objectives
    h.points = citations[:6]
    typos = {n.quote for n in notes if n.kind == "erratum"}
    if notes:
        from kb.ingest.notes import notes_for
        h.notes = {c.chunk_id: note for c in h.points if (note := notes_for(notes, c.doc_id, c.text))}
    h.duties = sorted([d for d in mine if _covers(d.duty, terms, 0.3)] or mine,
                      key=lambda d: not _covers(d.duty, terms, 0.3))[:12]
    if audience == "officer":  # the procedure step by step, in the order of its articles, then the rest
        steps = [d for d in duties if re.search(PROCEDURE, fold(d.section))]
        steps.sort(key=lambda d: int((re.search(r"Điều (\d+)", d.section) or [0, 0])[1]))
        h.duties = list({(d.agency, d.duty): d for d in steps + h.duties}.values())[:16]
    h.deadlines = [d for d in deadlines if allowed(d.doc_id) and (re.search(spec.actors, fold(d.agency)) or
                   any(d.chunk_id == c.chunk_id for c in h.points))][:8]
    for cite in passages.values():
        for m in PHONE.finditer(cite.text):
            number = re.sub(r"[^\d.]", "", m.group(0)).strip(".")
            if number and number not in typos and re.search(r"tổng đài|đường dây", cite.text, re.I) \
                    and allowed(cite.doc_id) \
                    and number not in {n for n, _ in h.hotlines}:
                h.hotlines.append((number, cite))
    h.hotlines.sort(key=lambda x: (x[0] != "111", x[0]))
    h.hotlines = h.hotlines[:4]
    for situation, pattern in spec.scenarios:
        rows = [d for d in duties if allowed(d.doc_id) and re.search(pattern, fold(d.duty)) and d.chunk_id in passages]
        rows.sort(key=lambda d: not re.search(spec.actors, fold(d.agency)))
        if rows:
            unique: dict = {}
            for d in rows:  # one row per passage and duty: the audience's own body first
                unique.setdefault((d.chunk_id, d.duty), d)
            picked = list(unique.values())[:2]
            answer = " ".join(f"{d.agency}: “{d.duty}”" for d in picked) + " — " + \
                "; ".join(f"{d.doc_label}, {d.section}" for d in picked)
            h.exercises.append(Exercise(situation, answer, tuple(passages[d.chunk_id] for d in picked)))
    h.exercises = h.exercises[:3]
    if audience == "teacher":  # what to do today: report at once, to whom, and keep it confidential
        for d in deadlines:
            if d.kind == "immediate" and d.chunk_id in passages and re.search(r"co so giao duc", fold(d.agency)):
                h.today.append((f"Báo tin ngay ({d.when}): {d.obligation}", passages[d.chunk_id]))
        for d in duties:
            if d.chunk_id in passages and re.search(spec.actors, fold(d.agency)) and \
                    re.search(r"phat hien, to giac, thong bao|quyen bi mat doi song rieng tu", fold(d.duty)):
                h.today.append((f"{d.agency}: {d.duty}", passages[d.chunk_id]))
        if hotline := next((c for n, c in h.hotlines if n == "111"), None):
            h.today.append(("Gọi Tổng đài 111 (miễn phí, 24/7) khi trẻ đang gặp nguy hiểm.", hotline))
        h.today = list({t: (t, c) for t, c in h.today}.values())[:5]
    _quiz(h, duties, deadlines, passages, rng)
    return h


def _quiz(h: Handout, duties: list[Duty], deadlines: list[Deadline], passages: dict[str, Citation], rng) -> None:
    hotline = next((c for n, c in h.hotlines if n == "111"), None)
    if hotline:
        h.quiz.append(hotline_quiz(hotline, rng))
    for d in [*h.deadlines, *deadlines]:
        if d.chunk_id in passages and (item := deadline_quiz(d, passages[d.chunk_id], rng)):
            h.quiz.append(item)
            break
    for duty in h.duties:
        same = {d.agency for d in duties if d.duty == duty.duty}  # a body that has this duty too is no wrong answer
        if any(duty.duty[:60] in q.source.text and q.kind == "true_false" for q in h.quiz):
            continue  # one statement per duty (several bodies may share it)
        others = [d.agency for d in duties if d.doc_id == duty.doc_id and d.agency not in same]
        if duty.chunk_id in passages and (item := true_false(duty, others, passages[duty.chunk_id], rng)):
            h.quiz.append(item)
        if sum(q.kind == "true_false" for q in h.quiz) >= 2:
            break
    for ex in h.exercises[:1]:
        if item := scenario_quiz(ex, h.exercises, rng):
            h.quiz.append(item)


def to_markdown(h: Handout) -> str:
    from kb.features.handout_render import to_markdown as render
    return render(h)


def to_docx(h: Handout, path) -> None:
    from kb.features.handout_render import to_docx as render
    render(h, path)


def to_pptx(h: Handout, path) -> None:
    from kb.features.handout_render import to_pptx as render
    render(h, path)
