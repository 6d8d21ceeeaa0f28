"""Gradio chat for kb: cited answers from Vietnamese child-protection documents.

    python app.py                      # http://127.0.0.1:7860, index built from corpus/ if missing
    python app.py --host 0.0.0.0 --port 8080
Environment: KB_HOST, KB_PORT, and the KB_* settings of kb.config. Nothing is logged; question
text is stored only when a user sends feedback (data/feedback.jsonl).
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# Gradio copies every file it serves (exports, handouts) into one cache folder, by default
# /tmp/gradio: the first user to run any Gradio app on a machine owns it, and everyone else's
# exports then fail. A folder per user instead.
os.environ.setdefault("GRADIO_TEMP_DIR", str(Path(tempfile.gettempdir()) / f"kb-gradio-{getpass.getuser()}"))

import gradio as gr  # noqa: E402

from kb.web.chatview import Turn, answer_body, transcript, widen_filter  # noqa: E402
from kb.config import Config  # noqa: E402
from kb.errors import KBError  # noqa: E402
from kb.web.feedback import record_feedback  # noqa: E402
from kb.web.render import banner, citation_cards, deadlines_table, document_view, duties_table  # noqa: E402
from kb.web.uitext import TEXT, too_long  # noqa: E402
from kb.web.api import answer_json, front, rest_api  # noqa: E402
from kb.web.assets import CSS, HEAD  # noqa: E402

# On a stop (SIGTERM, Ctrl-C) answers in flight get this long to finish; open browser tabs
# hold Gradio's event streams, and uvicorn would otherwise wait for every tab to close.
SHUTDOWN_GRACE_S = 5
QUEUE_POLL_S = 0.01  # how often Gradio's queue looks for chat events (its default: 0.001)


def open_kb(config: Config):
    """The knowledge base (built from the corpus on a fresh machine, with a progress bar);
    KBError when it cannot open."""
    from kb.knowledge import KnowledgeBase

    def progress(total: int):  # the first start on a fresh machine builds the index
        from tqdm import tqdm

        return tqdm(total=total, desc="building the index: embedding passages", unit="passage")

    return KnowledgeBase.open(config, progress=progress)


def build_app(config: Config, kb=None) -> gr.Blocks:
    """The chat app over a knowledge base (opened here when not given); a page that explains
    the problem if it cannot open."""
    try:
        kb = open_kb(config) if kb is None else kb
    except KBError as e:
        return broken_page(str(e))

    from kb.features.deadlines import to_ics
    from kb.features.duties import filter_duties

    duty_rows, deadline_rows = kb.duty_rows, kb.deadline_rows
    sectors = sorted({r.sector for r in duty_rows})
    export_dir = config.data_dir / "exports"
    doc_choices = [(f"{d.locality} · {d.label}", d.id) for d in kb.documents.values()]
    docs_html = document_view(kb.chunks, kb.documents)
    feedback_path = config.data_dir / "feedback.jsonl"

    def answer_for(question: str, doc_ids: list[str] | None = None):
        return kb.ask(question, doc_ids=doc_ids or None)  # thread-safe; kb admits answer_workers at once

    def ask(question: str) -> dict:
        """Answer one question: the same JSON object as `python -m kb ask --json`."""
        try:
            return answer_json(kb, question)
        except (ValueError, KBError) as e:
            raise gr.Error(str(e), print_exception=False)

    neighbours: dict[str, tuple[str, str]] = {}  # a passage's previous and next passage in its document
    by_doc: dict[str, list] = {}
    for c in kb.chunks:
        by_doc.setdefault(c.doc_id, []).append(c)
    for items in by_doc.values():
        items.sort(key=lambda c: c.position)
        for i, c in enumerate(items):  # only within the passage's own section
            before = items[i - 1].text if i and items[i - 1].section == c.section else ""
            after = items[i + 1].text if i + 1 < len(items) and items[i + 1].section == c.section else ""
            neighbours[c.id] = (before, after)

    def around(chunk_id: str) -> tuple[str, str]:
        return neighbours.get(chunk_id, ("", ""))

    def view(turns, lang):
        return transcript(turns, lang, kb.documents, around, config.top_k)

    def respond(message, turns, doc_ids, lang):
        """Outputs: chat, banner, cards, last answer, question box, notice, rating status, reason,
        turns, 👍, 👎. An empty message changes nothing; one over the cap is not searched."""
        if not message or not message.strip():
            yield (gr.skip(),) * 11
            return
        if too_long(message, lang):
            yield (gr.skip(),) * 5 + (too_long(message, lang),) + (gr.skip(),) * 5
            return
        turns = list(turns or [])
        doc_ids, places = widen_filter(message, list(doc_ids or []), kb.documents)
        turn = Turn(id=uuid.uuid4().hex[:12], question=message)
        yield (view(turns + [turn], lang), "", "", None, "", "", "", "", gr.skip(),
               gr.update(variant="secondary"), gr.update(variant="secondary"))
        try:
            answer = answer_for(message, doc_ids)
        except KBError as e:  # shown in one line by the question box, the chat left as it was
            yield (view(turns, lang),) + (gr.skip(),) * 4 + (str(e),) + (gr.skip(),) * 5
            return
        note = TEXT[lang]["widened"].format(places=", ".join(places)) if places else ""
        body = answer_body(answer)
        for shown in range(0, len(body), 90):  # stream the answer in as it is read
            streaming = Turn(turn.id, message, answer, shown=shown, note=note)
            yield (view(turns + [streaming], lang), banner(answer)) + (gr.skip(),) * 9
            time.sleep(0.02)
        turns.append(Turn(turn.id, message, answer, note=note))
        last = {"id": turn.id, "question": message, "answer": answer.text,
                "citations": [c.doc_id + " | " + c.section for c in answer.citations]}
        yield (view(turns, lang), banner(answer), citation_cards(answer, f"src-{turn.id}", config.top_k), last,
               gr.skip(), "", "", "", turns, gr.skip(), gr.skip())

    def feedback(rating, reason, last, lang):
        """One rating per answer: pressing the other button replaces it in the feedback file."""
        if not last:
            return TEXT[lang]["nothing"], gr.skip(), gr.skip()
        record_feedback(feedback_path, last["question"], last["answer"], rating, reason or "",
                        last["citations"], answer_id=last["id"])
        return (TEXT[lang]["thanks_" + rating], gr.update(variant="primary" if rating == "up" else "secondary"),
                gr.update(variant="primary" if rating == "down" else "secondary"))

    def clear(lang):
        return ([], view([], lang), "", "", None, "", "", "", "", gr.update(variant="secondary"),
                gr.update(variant="secondary"))

    def show_duties(sector, agency, doc_id, lang):
        rows = filter_duties(duty_rows, agency or "", sector or "", doc_id or "")
        return duties_table(rows, lang == "en"), TEXT[lang]["duties_count"].format(n=len(rows))

    def request_dir() -> Path:
        """A folder of its own per export, so two users exporting at once never share a file."""
        export_dir.mkdir(parents=True, exist_ok=True)
        for old in export_dir.glob("export-*"):  # Gradio serves its own copy: an hour is plenty
            try:
                if time.time() - old.stat().st_mtime > 3600:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:  # removed by another request meanwhile
                pass
        return Path(tempfile.mkdtemp(prefix="export-", dir=export_dir))

    def export_duties(sector, agency, doc_id):
        import csv

        rows = filter_duties(duty_rows, agency or "", sector or "", doc_id or "")
        path = request_dir() / "trach-nhiem.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Vietnamese right
            writer = csv.DictWriter(f, fieldnames=list(rows[0].to_dict()) if rows else ["agency"])
            writer.writeheader()
            writer.writerows(r.to_dict() for r in rows)
        return gr.update(value=str(path), visible=True)

    def export_ics():
        path = request_dir() / "han-bao-cao.ics"
        path.write_bytes(to_ics(deadline_rows))
        return gr.update(value=str(path), visible=True)

    def make_handout(topic, audience):
        from kb.features.handout import to_docx, to_markdown, to_pptx

        if not topic or not topic.strip():
            return "", gr.skip()
        handout = kb.handout(topic, audience)
        path = request_dir() / "tai-lieu-tap-huan.docx"
        to_docx(handout, path)
        if handout.refusal:  # the documents do not cover the topic: the preview says why
            return to_markdown(handout), gr.update(value=None, visible=False)
        to_pptx(handout, path.with_suffix(".pptx"))  # the slide outline beside the handout
        return to_markdown(handout), gr.update(value=[str(path), str(path.with_suffix(".pptx"))], visible=True)

    def viewer_html(lang):
        t = TEXT[lang]
        return (f'<aside id="kb-viewer" aria-label="{t["viewer"]}"><div class="kb-viewer-bar"><h2>{t["viewer"]}</h2>'
                f'<button type="button" class="kb-viewer-close">{t["close"]}</button></div>'
                f'<div class="kb-viewer-body"><p class="kb-viewer-hint">{t["viewer_hint"]}</p></div></aside>')

    def switch(lang_label, turns, sector, agency, doc_id):
        lang = "en" if lang_label == "English" else "vi"
        t = TEXT[lang]
        audiences = [(a, v) for a, v in zip(t["audiences"], ("teacher", "cadre", "officer"))]
        return (lang, t["title"], t["how"], t["privacy"], view(turns or [], lang), viewer_html(lang),
                gr.update(label=t["question"], placeholder=t["placeholder"]), gr.update(value=t["send"]),
                gr.update(value=t["clear"]), gr.update(label=t["filter"]), gr.update(label=t["reason"]),
                gr.update(value=t["up"]), gr.update(value=t["down"]), t["rate"], gr.update(label=t["language"]),
                gr.update(label=t["tab_chat"]), gr.update(label=t["tab_duties"]), gr.update(label=t["tab_deadlines"]),
                gr.update(label=t["tab_handout"]), gr.update(label=t["tab_docs"]),
                gr.update(label=t["sector"]), gr.update(label=t["agency"]), gr.update(label=t["document"]),
                gr.update(value=t["show"]), gr.update(value=t["export"]), gr.update(value=t["ics"]),
                gr.update(label=t["topic"], placeholder=t["topic_hint"]), gr.update(label=t["audience"], choices=audiences),
                gr.update(value=t["make"])) + show_duties(sector, agency, doc_id, lang) + (
                deadlines_table(deadline_rows, lang == "en"),)

    t = TEXT["vi"]
    with gr.Blocks(title="Hỏi đáp Bảo vệ trẻ em") as app:
        lang = gr.State("vi")
        last = gr.State(None)
        turns = gr.State([])
        with gr.Row(elem_id="kb-header"):
            title = gr.Markdown(t["title"], elem_id="kb-title")
            lang_pick = gr.Radio(["Tiếng Việt", "English"], value="Tiếng Việt", label=t["language"], scale=0,
                                 min_width=280, elem_id="kb-lang")
        how = gr.Markdown(t["how"])
        with gr.Tabs():
            with gr.Tab(t["tab_chat"], id="chat", elem_id="chat-tab") as tab_chat:
                with gr.Row():
                    with gr.Column(scale=3, min_width=300):
                        alert = gr.HTML(elem_id="kb-banner")
                        chat = gr.HTML(view([], "vi"), elem_id="kb-chat", js_on_load=None)
                        notice = gr.Markdown(elem_id="kb-notice")
                        with gr.Row(elem_id="kb-inputbar"):
                            msg = gr.Textbox(placeholder=t["placeholder"], label=t["question"], show_label=False,
                                             scale=5, min_width=120, lines=1, max_lines=6, elem_id="kb-question")
                            send = gr.Button(t["send"], variant="primary", scale=1, min_width=64, elem_id="kb-send")
                        rate = gr.Markdown(t["rate"], elem_id="kb-rate")
                        with gr.Row(elem_id="kb-rating"):
                            up = gr.Button(t["up"], scale=0, min_width=150, elem_id="kb-up")
                            down = gr.Button(t["down"], scale=0, min_width=150, elem_id="kb-down")
                        reason = gr.Textbox(label=t["reason"], elem_id="kb-reason")
                        status = gr.Markdown(elem_id="kb-feedback-status")
                        with gr.Row():
                            doc_filter = gr.Dropdown(doc_choices, multiselect=True, label=t["filter"], scale=4,
                                                     elem_id="kb-filter")
                            clear_btn = gr.Button(t["clear"], scale=1, min_width=120, elem_id="kb-clear")
                        privacy = gr.Markdown(t["privacy"])
                    with gr.Column(scale=2, min_width=280, elem_id="kb-side"):
                        viewer = gr.HTML(viewer_html("vi"), elem_id="kb-viewer-box", js_on_load=None)
                        cards = gr.HTML(elem_id="kb-cards", js_on_load=None)
            with gr.Tab(t["tab_duties"], id="duties", elem_id="duties-tab") as tab_duties:
                with gr.Row():
                    d_sector = gr.Dropdown(sectors, value=None, label=t["sector"], elem_id="kb-duty-sector")
                    d_agency = gr.Textbox(label=t["agency"], elem_id="kb-duty-agency")
                    d_doc = gr.Dropdown(doc_choices, value=None, label=t["document"], elem_id="kb-duty-doc")
                with gr.Row():
                    d_show = gr.Button(t["show"], elem_id="kb-duty-show")
                    d_export = gr.Button(t["export"], elem_id="kb-duty-export")
                d_count = gr.Markdown(t["duties_count"].format(n=len(duty_rows)))
                d_file = gr.File(label="CSV", elem_id="kb-duty-file", visible=False, interactive=False)
                d_table = gr.HTML(duties_table(duty_rows), elem_id="kb-duty-table", js_on_load=None)
            with gr.Tab(t["tab_deadlines"], id="deadlines", elem_id="deadlines-tab") as tab_deadlines:
                ics_button = gr.Button(t["ics"], elem_id="kb-ics")
                ics_file = gr.File(label=".ics", elem_id="kb-ics-file", visible=False, interactive=False)
                deadlines = gr.HTML(deadlines_table(deadline_rows), elem_id="kb-deadlines", js_on_load=None)
            with gr.Tab(t["tab_handout"], id="handout", elem_id="handout-tab") as tab_handout:
                with gr.Row():
                    h_topic = gr.Textbox(label=t["topic"], scale=3, elem_id="kb-handout-topic", placeholder=t["topic_hint"])
                    h_audience = gr.Radio(list(zip(t["audiences"], ("teacher", "cadre", "officer"))), value="teacher",
                                          label=t["audience"], scale=2)
                h_make = gr.Button(t["make"], variant="primary", elem_id="kb-handout-make")
                h_file = gr.File(label="DOCX + PPTX", file_count="multiple", elem_id="kb-handout-file", visible=False,
                                 interactive=False)
                h_preview = gr.Markdown(elem_id="kb-handout-preview")
            with gr.Tab(t["tab_docs"], id="docs", elem_id="docs-tab") as tab_docs:
                gr.HTML(docs_html, elem_id="kb-docs", js_on_load=None)

        outputs = [chat, alert, cards, last, msg, notice, status, reason, turns, up, down]
        # the chat shows its own "searching…" bubble at once, instead of Gradio's English timer
        send.click(respond, [msg, turns, doc_filter, lang], outputs, api_visibility="private", show_progress="hidden")
        msg.submit(respond, [msg, turns, doc_filter, lang], outputs, api_visibility="private", show_progress="hidden")
        up.click(lambda r, l, g: feedback("up", r, l, g), [reason, last, lang], [status, up, down],
                 api_visibility="private")
        down.click(lambda r, l, g: feedback("down", r, l, g), [reason, last, lang], [status, up, down],
                   api_visibility="private")
        clear_btn.click(clear, lang, [turns, chat, alert, cards, last, msg, notice, status, reason, up, down],
                        js="(l) => { window.kbCloseViewer && window.kbCloseViewer(); return l; }",
                        api_visibility="private")
        lang_pick.change(switch, [lang_pick, turns, d_sector, d_agency, d_doc],
                         [lang, title, how, privacy, chat, viewer, msg, send, clear_btn, doc_filter, reason, up, down,
                          rate, lang_pick, tab_chat, tab_duties, tab_deadlines, tab_handout, tab_docs,
                          d_sector, d_agency, d_doc, d_show, d_export, ics_button, h_topic, h_audience, h_make,
                          d_table, d_count, deadlines],
                         js="(l, ...rest) => { window.kbSetLang && window.kbSetLang(l === 'English' ? 'en' : 'vi'); "
                            "return [l, ...rest]; }",
                         api_visibility="private")
        duty_inputs = [d_sector, d_agency, d_doc, lang]
        d_show.click(show_duties, duty_inputs, [d_table, d_count], api_visibility="private")
        d_agency.submit(show_duties, duty_inputs, [d_table, d_count], api_visibility="private")
        d_export.click(export_duties, [d_sector, d_agency, d_doc], d_file, api_visibility="private")
        ics_button.click(export_ics, None, ics_file, api_visibility="private")
        h_make.click(make_handout, [h_topic, h_audience], [h_preview, h_file], api_visibility="private")
        gr.api(ask, api_name="ask", queue=False)  # a plain POST: the queue adds ~10 ms of Python per call
    # kb answers config.answer_workers questions at once; a few more Gradio workers keep the
    # cores busy while others stream an answer out or wait on the network
    app.queue(default_concurrency_limit=4 * config.answer_workers)
    # Gradio's queue looks for new chat events every millisecond even when none wait: 2% of a
    # core at rest, and under load a thread that takes the GIL a thousand times a second from the
    # threads answering. Every 10 ms delays a chat answer's start by at most that.
    app._queue.sleep_when_free = QUEUE_POLL_S
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("KB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("KB_PORT", "7860")))
    args = parser.parse_args()
    try:
        config = Config.from_env()
    except KBError as e:
        raise SystemExit(f"error: {e}")
    serve(config, args.host, args.port)


def broken_page(problem: str) -> gr.Blocks:
    with gr.Blocks(title="kb") as broken:
        gr.Markdown(f"## kb cannot start\n\n**{problem}**\n\nFix the index (for example `python -m kb ingest "
                    "--rebuild`) and start the app again.")
    return broken


def serve(config: Config, host: str, port: int) -> None:
    """The chat at `/` (Gradio, with its API at /gradio_api/) and the plain JSON route
    /kb/ask, on one server."""
    import uvicorn

    try:
        kb, problem = open_kb(config), ""
    except KBError as e:
        kb, problem = None, str(e)
    blocks = build_app(config, kb) if kb else broken_page(problem)
    from fastapi import FastAPI

    chat = gr.mount_gradio_app(FastAPI(docs_url=None, redoc_url=None, openapi_url=None), blocks, path="/",
                               server_name=host, server_port=port, footer_links=["api"], show_error=False,
                               css=CSS, head=HEAD)
    server = front(rest_api(kb, problem), chat)
    print(f"kb: serving http://{host}:{port}/ (chat) and POST /kb/ask", flush=True)

    class Server(uvicorn.Server):
        """Stops within SHUTDOWN_GRACE_S: the event streams of open tabs are then cut, which
        is a stop, not an error, so their cancellation is not printed as one."""

        async def shutdown(self, sockets=None):
            print(f"kb: stopping; open chat tabs are disconnected after {SHUTDOWN_GRACE_S} s", flush=True)
            logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
            await super().shutdown(sockets)

    Server(uvicorn.Config(server, host=host, port=port, log_level="warning",
                          timeout_graceful_shutdown=SHUTDOWN_GRACE_S)).run()


if __name__ == "__main__":
    main()
