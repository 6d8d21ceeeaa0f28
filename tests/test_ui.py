"""The chat as teachers use it, in headless Chromium at a laptop (1366×768) and a phone (390×844):
answer first, sources beside it, any input shown as typed, clean state, accessibility (axe-core)."""
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from .conftest import ROOT
from .test_app import ARTIFACTS, browser, server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.slow

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
QUESTION = "ai chiu trach nhiem giam dinh phap y cho tre em bi xam hai o tuan giao"


def open_page(browser, server, viewport):  # noqa: F811
    url, _ = server
    page = browser.new_page(viewport=viewport)
    page.goto(url)
    page.wait_for_selector("#kb-chat .kb-starter", timeout=30000)
    return page


def ask(page, question, wait=True):
    """Type and send; with `wait`, until the answer is complete (its passages are in the page:
    a click on Send while an answer streams in is ignored, as in any Gradio event)."""
    done = page.evaluate("document.querySelectorAll('#kb-chat .kb-bot .kb-src').length ? "
                         "document.querySelectorAll('#kb-chat .kb-turn').length : 0")
    page.fill("#kb-question textarea", question)
    page.click("#kb-send")
    if wait:
        page.wait_for_function(f"[...document.querySelectorAll('#kb-chat .kb-turn')].filter("
                               f"t => t.querySelector('.kb-src')).length > {done}", timeout=60000)
        page.wait_for_selector("#kb-cards .kb-card", timeout=10000)
        page.wait_for_timeout(300)


def in_view(page, selector):
    box = page.eval_on_selector(selector, "e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; }")
    return 0 <= box[0] < page.viewport_size["height"] - 40, box


def feedback_rows(data_dir):
    path = data_dir / "feedback.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_answer_starts_in_view_with_markers_not_a_second_source_list(server, browser, viewport):  # noqa: F811
    page = open_page(browser, server, viewport)
    ask(page, "Ai chịu trách nhiệm giám định pháp y cho trẻ em bị xâm hại ở Tuần Giáo?")
    ok, box = in_view(page, "#kb-chat .kb-bot")
    assert ok, f"the answer's first line is off screen: {box}"
    bubble = page.inner_text("#kb-chat .kb-bot")
    assert "Phòng Y tế" in bubble and "Nguồn:" not in bubble and bubble.count("Tuần Giáo") <= 2
    assert page.query_selector("#kb-chat .kb-bot button.kb-cite") is not None
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_card_or_marker_opens_its_passage_without_leaving_the_chat(server, browser, viewport):  # noqa: F811
    page = open_page(browser, server, viewport)
    ask(page, QUESTION)
    for card in page.query_selector_all("#kb-cards .kb-card"):  # the source list fits the screen's width
        box = card.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"], box
    page.click("#kb-cards .kb-card >> nth=0")
    viewer = page.wait_for_selector("#kb-viewer.kb-viewer-open .kb-src-quote", timeout=5000)
    assert viewer.is_visible()
    ok, box = in_view(page, "#kb-viewer .kb-src-quote")
    assert ok, f"the passage opened off screen: {box}"
    text = page.inner_text("#kb-viewer")
    assert "giám định pháp y" in text and "7. Phòng Y tế, Trung tâm Y tế" in text and "2021-2025" in text
    marked = [m.inner_text() for m in page.query_selector_all("#kb-viewer .kb-src-quote mark")]
    assert "giám định pháp y" in marked and all(len(m.split()) > 1 for m in marked)  # phrases, not syllables
    assert page.is_visible("#chat-tab")  # still in the chat
    page.click("#kb-viewer .kb-viewer-close")
    page.click("#kb-chat .kb-cite >> nth=0")  # the marker [1] in the answer opens the same passage
    page.wait_for_selector("#kb-viewer.kb-viewer-open .kb-src-quote", timeout=5000)
    assert "giám định pháp y" in page.inner_text("#kb-viewer .kb-src-quote")
    name = "desktop" if viewport == DESKTOP else "phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"passage-{name}.png"))
    page.close()


def test_a_huge_paste_gets_the_cap_message_and_holds_up_no_one(server, browser):  # noqa: F811
    other = open_page(browser, server, DESKTOP)
    start = time.perf_counter()
    ask(other, "Tổng đài điện thoại quốc gia bảo vệ trẻ em là số nào?")
    alone = time.perf_counter() - start
    paster = open_page(browser, server, PHONE)
    paster.fill("#kb-question textarea", "Kính gửi Ban Giám hiệu, " + "em xin trình bày sự việc. " * 1923)
    assert len(paster.input_value("#kb-question textarea")) >= 50000
    paster.click("#kb-send")
    other.fill("#kb-question textarea", "Trẻ em là người dưới bao nhiêu tuổi?")
    start = time.perf_counter()
    other.click("#kb-send")
    other.wait_for_function("document.querySelectorAll('#kb-chat .kb-bot').length == 2 && "
                            "document.querySelector('#kb-chat .kb-turn:last-child .kb-bot').innerText.includes('16')",
                            timeout=60000)
    together = time.perf_counter() - start
    paster.wait_for_function("document.querySelector('#kb-notice').innerText.includes('2.000')", timeout=30000)
    assert "vượt giới hạn" in paster.inner_text("#kb-notice")
    assert paster.query_selector("#kb-chat .kb-turn") is None  # nothing was searched or shown
    assert len(paster.input_value("#kb-question textarea")) >= 50000  # kept, to shorten
    print(f"\nanswer alone {alone:.2f} s, next to a 50,000-character paste {together:.2f} s")
    assert together < 3 * alone + 3  # before the cap: 22.6 s behind the paste
    paster.close()
    other.close()


def test_markup_and_letters_are_shown_exactly_as_typed(server, browser):  # noqa: F811
    page = open_page(browser, server, PHONE)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    typed = ['<img src=x onerror="window.kbPwned=1"> con tôi bị đánh',
             "<script>window.kbPwned=2</script> trẻ em là người dưới bao nhiêu tuổi",
             "Kính gửi Ban Giám hiệu\n-------\nEm xin hỏi về tổng đài 111\n=======\n# không phải tiêu đề"]
    for text in typed:
        ask(page, text)
        shown = page.eval_on_selector_all("#kb-chat .kb-user-text", "els => els.map(e => e.innerText)")[-1]
        assert shown == text
    assert page.query_selector("#kb-chat img, #kb-chat script, #kb-chat h1, #kb-chat h2") is None
    assert page.evaluate("window.kbPwned") is None
    assert not [u for u in requests if u.rstrip("/").endswith("/x")]
    page.close()


def test_empty_send_changes_nothing_and_clear_resets_everything(server, browser):  # noqa: F811
    page = open_page(browser, server, DESKTOP)
    ask(page, "con tôi bị đánh ở trường, tôi phải làm gì?")
    assert page.is_visible("#kb-banner .kb-banner")
    before = page.inner_html("#kb-chat"), page.inner_html("#kb-cards")
    page.fill("#kb-question textarea", "   ")
    page.click("#kb-send")
    page.wait_for_timeout(1500)
    assert (page.inner_html("#kb-chat"), page.inner_html("#kb-cards")) == before
    page.fill("#kb-reason textarea", "thiếu số điện thoại")
    page.click("#kb-clear")
    page.wait_for_selector("#kb-chat .kb-starter", timeout=10000)
    assert page.query_selector("#kb-banner .kb-banner") is None and page.query_selector("#kb-cards .kb-card") is None
    assert page.input_value("#kb-reason textarea") == ""
    _, data_dir = server
    rows = len(feedback_rows(data_dir))
    page.click("#kb-up")  # nothing left to rate: the cleared question is not saved
    page.wait_for_function("document.querySelector('#kb-feedback-status').innerText.includes('Chưa có')")
    assert len(feedback_rows(data_dir)) == rows
    page.close()


def test_one_rating_per_answer_the_user_can_change(server, browser):  # noqa: F811
    _, data_dir = server
    page = open_page(browser, server, DESKTOP)
    question = "Sở Tài chính Hải Phòng có trách nhiệm gì?"
    seen = {r.get("answer_id") for r in feedback_rows(data_dir)}
    ask(page, question)
    page.click("#kb-up")
    page.wait_for_function("document.querySelector('#kb-feedback-status').innerText.includes('Hữu ích')")
    page.fill("#kb-reason textarea", "thiếu thời hạn")
    page.click("#kb-down")
    page.wait_for_function("document.querySelector('#kb-feedback-status').innerText.includes('Chưa đúng')")
    page.click("#kb-down")
    page.wait_for_timeout(500)
    mine = [r for r in feedback_rows(data_dir) if r.get("answer_id") not in seen]
    assert len(mine) == 1 and mine[0]["rating"] == "down" and mine[0]["reason"] == "thiếu thời hạn"
    assert mine[0]["question"] == question
    ask(page, "Trẻ em là người dưới bao nhiêu tuổi?")
    assert page.input_value("#kb-reason textarea") == "" and page.inner_text("#kb-feedback-status").strip() == ""
    page.close()


def test_a_starter_question_sends_on_one_tap(server, browser):  # noqa: F811
    page = open_page(browser, server, PHONE)
    starter = page.query_selector("#kb-chat .kb-starter >> nth=0")
    ok, box = in_view(page, "#kb-chat .kb-starter")
    assert ok, f"no starter question above the fold on a phone: {box}"
    assert page.is_visible("#kb-send") and in_view(page, "#kb-send")[0]  # Send at the bottom of the screen
    question = starter.inner_text()
    starter.click()
    page.wait_for_selector("#kb-chat .kb-bot", timeout=60000)
    assert page.inner_text("#kb-chat .kb-user-text") == question
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_urgent_message_shows_the_banner_and_a_call_link_that_stays_on_phones(server, browser, viewport):  # noqa: F811
    page = open_page(browser, server, viewport)
    ask(page, "con tôi bị đánh ở trường, tôi phải làm gì?")
    banner = page.wait_for_selector("#kb-banner .kb-banner", timeout=10000)
    assert "111" in banner.inner_text()
    call = page.query_selector("a.kb-call")
    assert call.get_attribute("href") == "tel:111" and "111" in call.inner_text() and call.is_visible()
    if viewport == PHONE:
        for y in (0, 900, 100000):
            page.evaluate(f"window.scrollTo(0, {y})")
            page.wait_for_timeout(150)
            ok, box = in_view(page, "a.kb-call")
            assert ok, f"'Gọi 111' scrolled away at y={y}: {box}"
        page.evaluate("window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "urgent-phone.png"))
    page.close()


def test_a_danger_report_opens_on_the_hotline_banner_on_a_phone_after_the_page_scrolled(server, browser):  # noqa: F811
    """On a phone, a teacher taps "Hữu ích" before asking anything (the page scrolls down to its
    note), then reports a child in danger: the banner with 111 and 113 must be on screen when
    the answer arrives. The page used to slide down with the streamed answer and open on the
    reporting steps, the banner 380 px above the screen."""
    url, _ = server
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#kb-chat .kb-starter", timeout=30000)
    page.click("#kb-up")
    page.wait_for_timeout(1000)
    ask(page, "Em học sinh lớp 3 của tôi đến lớp với nhiều vết bầm tím, em nói bố đánh. Tôi phải làm gì?")
    page.wait_for_timeout(500)
    ok, box = in_view(page, "#kb-banner .kb-banner")
    assert ok, f"the hotline banner is off screen: {box}"
    context.close()


def test_language_switch_covers_the_page(server, browser):  # noqa: F811
    page = open_page(browser, server, DESKTOP)
    assert page.evaluate("document.documentElement.lang") == "vi"
    assert page.get_attribute("#kb-question textarea", "aria-label") or page.query_selector("#kb-question label")
    page.click("#kb-lang label:has-text('English')")
    page.wait_for_function("document.documentElement.lang == 'en' && "
                           "document.querySelector('#kb-send').innerText.includes('Send') && "
                           "document.body.innerText.includes('Deadlines') && "
                           "!document.body.innerText.includes('Trách nhiệm')", timeout=10000)
    text = page.inner_text("body")
    for english in ("Child Protection Q&A", "Duties", "Deadlines", "Handouts", "Who do I report"):
        assert english in text
    for vietnamese in ("Hỏi đáp Bảo vệ", "Trách nhiệm", "Câu trả lời này có giúp"):
        assert vietnamese not in text
    page.close()


def axe_report(page):
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install axe-core: cd tests && npm install")
        pytest.skip("axe-core not installed (cd tests && npm install)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_axe_finds_no_serious_or_critical_problem(server, browser, viewport):  # noqa: F811
    page = open_page(browser, server, viewport)
    problems = axe_report(page)
    ask(page, "con tôi bị đánh ở trường, tôi phải làm gì?")
    page.click("#kb-cards .kb-card >> nth=0")
    page.wait_for_selector("#kb-viewer.kb-viewer-open .kb-src-quote", timeout=5000)
    problems += axe_report(page)
    if viewport == DESKTOP:  # the other tabs, and the page in English
        for tab in ("duties", "deadlines", "handout", "docs"):
            page.click(f"#{tab}-tab-button")
            page.wait_for_timeout(500)
            problems += [f"{tab}: {p}" for p in axe_report(page)]
        page.click("#kb-lang label:has-text('English')")
        page.wait_for_function("document.documentElement.lang == 'en'")
        page.click("#chat-tab-button")
        problems += [f"en: {p}" for p in axe_report(page)]
    assert not problems, "\n".join(problems)
    page.close()


def test_screenshots_for_the_readme(server, browser):  # noqa: F811
    """docs/ screenshots of both viewports (copied there when KB_UPDATE_SCREENSHOTS=1)."""
    shots = {}
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = open_page(browser, server, viewport)
        ask(page, "Ai chịu trách nhiệm giám định pháp y cho trẻ em bị xâm hại ở Tuần Giáo?")
        ARTIFACTS.mkdir(exist_ok=True)
        if viewport == PHONE:  # the answer as it arrives, then its passage in the bottom sheet
            shots["phone-answer"] = ARTIFACTS / "screenshot-phone-answer.png"
            page.screenshot(path=str(shots["phone-answer"]))
        page.click("#kb-chat .kb-cite >> nth=0")
        page.wait_for_selector("#kb-viewer.kb-viewer-open .kb-src-quote", timeout=5000)
        page.wait_for_timeout(300)
        shots[name] = ARTIFACTS / f"screenshot-{name}.png"
        page.screenshot(path=str(shots[name]))
        page.close()
    if os.environ.get("KB_UPDATE_SCREENSHOTS"):
        for name, path in shots.items():
            shutil.copy(path, ROOT / "docs" / f"screenshot-{name}.png")
    assert all(Path(p).stat().st_size > 10000 for p in shots.values())


def test_api_empty_or_huge_question_gets_a_clear_message(server):  # noqa: F811
    from gradio_client import Client

    url, _ = server
    client = Client(url, verbose=False, analytics_enabled=False)
    for question, expected in (("   ", "trống"), ("x" * 50000, "2.000")):
        with pytest.raises(Exception) as error:
            client.predict(question, api_name="/ask")
        assert expected in str(error.value) and "Traceback" not in str(error.value)


def test_duties_filter_on_enter_and_exports_per_request(server, browser):  # noqa: F811
    pages = {}
    for agency, other in (("Sở Du lịch", "Phòng Dân tộc"), ("Phòng Dân tộc", "Sở Du lịch")):
        page = open_page(browser, server, DESKTOP)
        page.click("#duties-tab-button")
        assert not page.is_visible("#kb-duty-file")  # no empty file box above the table
        page.fill("#kb-duty-agency textarea", agency)
        page.press("#kb-duty-agency textarea", "Enter")
        page.wait_for_function(f"(t => t.includes('{agency}') && !t.includes('{other}'))"
                               "(document.querySelector('#kb-duty-table').innerText)", timeout=30000)
        pages[agency] = (page, other)
    for page, _ in pages.values():  # two users export at the same moment
        page.click("#kb-duty-export")
    for agency, (page, other) in pages.items():
        link = page.wait_for_selector("#kb-duty-file a", timeout=30000)
        assert link.get_attribute("download") == "trach-nhiem.csv"
        csv = page.evaluate("h => fetch(h).then(r => r.text())", link.get_attribute("href"))
        assert agency in csv and other not in csv  # each user gets the rows they filtered
        page.close()


def test_the_responsibility_table_stays_within_a_phone_screen(server, browser):  # noqa: F811
    """Five columns do not fit 390 px: the table scrolls sideways in its own box (which takes
    keyboard focus), and the page itself never gets wider than the screen (the "Nguồn" column
    used to run off the right edge, unreachable)."""
    page = open_page(browser, server, PHONE)
    page.click("#duties-tab-button")
    page.wait_for_selector("#kb-duty-table .kb-table-wrap table", timeout=30000)
    width = page.evaluate("window.innerWidth")
    right = page.eval_on_selector("#kb-duty-table .kb-table-wrap", "e => e.getBoundingClientRect().right")
    assert right <= width + 1, (right, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.eval_on_selector("#kb-duty-table .kb-table-wrap", "e => { e.scrollLeft = e.scrollWidth; }")
    source = page.eval_on_selector("#kb-duty-table th:last-child", "e => e.getBoundingClientRect().right")
    assert source <= width + 1, f"the last column cannot be scrolled into view: {source}"
    page.close()
