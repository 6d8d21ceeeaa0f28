"""Gradio chat for kb: cited answers from Vietnamese child-protection documents.

    python app.py                      # http://127.0.0.1:7860, index built from corpus/ if missing
    python app.py --host 0.0.0.0 --port 8080
Environment: KB_HOST, KB_PORT, and the KB_* settings of kb.config. Nothing is logged; question
text is stored only when a user sends feedback (data/feedback.jsonl).
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import gradio as gr  # noqa: E402

from kb.config import Config  # noqa: E402
from kb.errors import KBError  # noqa: E402
from kb.feedback import record_feedback  # noqa: E402
from kb.render import (CSS, HEAD, banner, citation_cards, deadlines_table, document_view,  # noqa: E402
                       duties_table)

TEXT = {
    "vi": {"title": "## kb · Hỏi đáp văn bản bảo vệ trẻ em",
           "how": ("Đặt câu hỏi bằng tiếng Việt (có hoặc không dấu) hoặc tiếng Anh. Mỗi câu trả lời trích "
                   "nguyên văn đoạn văn bản nguồn; bấm vào thẻ nguồn để mở văn bản tại đoạn đó. Khi văn bản "
                   "không nói đến, kb nói rõ là không có. **Trẻ em đang gặp nguy hiểm: gọi 111** (miễn phí, 24/7)."),
           "privacy": ("Quyền riêng tư: câu hỏi không được lưu. Chỉ khi bạn gửi đánh giá 👍/👎, câu hỏi và câu trả "
                       "lời được lưu vào tệp phản hồi để quản trị viên cải thiện hệ thống."),
           "placeholder": "Ví dụ: ai chịu trách nhiệm giám định pháp y?", "send": "Gửi", "filter": "Lọc theo văn bản",
           "chat": "Hỏi đáp", "docs": "Văn bản", "reason": "Lý do (không bắt buộc)", "thanks": "Cảm ơn, đã lưu phản hồi.",
           "nothing": "Chưa có câu trả lời để đánh giá."},
    "en": {"title": "## kb · Child-protection guidance, with sources",
           "how": ("Ask in Vietnamese (with or without diacritics) or English. Every answer quotes the source "
                   "passage; click a source card to open the document there. When the documents do not say, "
                   "kb says so. **A child in danger: call 111** (free, 24/7)."),
           "privacy": ("Privacy: questions are not stored. Only when you send 👍/👎 feedback are the question and "
                       "answer saved to the feedback file for the administrator."),
           "placeholder": "e.g. who do I report suspected abuse to?", "send": "Send", "filter": "Filter by document",
           "chat": "Chat", "docs": "Documents", "reason": "Reason (optional)", "thanks": "Thank you, feedback saved.",
           "nothing": "No answer to rate yet."},
}
EXAMPLES = {
    "Giáo viên / Teachers": ["Khi phát hiện trẻ em bị xâm hại thì phải thông báo cho ai?",
                             "giao vien can trang bi ky nang gi de phong chong xam hai tre em",
                             "Who do I report suspected child abuse to?"],
    "Cán bộ Đoàn / Youth Union": ["Tỉnh Đoàn Ninh Thuận yêu cầu báo cáo hằng năm trước ngày nào?",
                                   "Đoàn Thanh niên huyện Tuần Giáo chủ trì mô hình nào?"],
    "Cán bộ, công chức / Officers": ["Ai chịu trách nhiệm giám định pháp y cho trẻ em bị xâm hại ở Tuần Giáo?",
                                      "Chủ tịch UBND cấp xã phê duyệt kế hoạch hỗ trợ, can thiệp trong bao lâu?",
                                      "Sở Du lịch Hải Phòng có nhiệm vụ gì?"],
}


def build_app(config: Config) -> gr.Blocks:
    """The chat app over an opened knowledge base; a page that explains the problem if it cannot open."""
    from kb.pipeline import KnowledgeBase

    def progress(total: int):  # the first start on a fresh machine builds the index
        from tqdm import tqdm

        return tqdm(total=total, desc="building the index: embedding passages", unit="passage")

    try:
        kb = KnowledgeBase.open(config, progress=progress)
    except KBError as e:
        with gr.Blocks(title="kb") as broken:
            gr.Markdown(f"## kb cannot start\n\n**{e}**\n\nFix the index (for example `python -m kb ingest "
                        "--rebuild`) and start the app again.")
        return broken

    from kb.deadlines import to_ics
    from kb.duties import filter_duties

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
        return answer_for(question).to_dict()

    def respond(message, history, doc_ids):
        history = list(history or [])
        if not message or not message.strip():
            yield history, "", "", None, ""
            return
        answer = answer_for(message, doc_ids)
        terms = set(kb.search(message).terms) if not answer.abstained else set()
        history.append({"role": "user", "content": message})
        history.append({"role": "assistant", "content": ""})
        words = answer.text.replace("\n", "  \n").split(" ")  # markdown line breaks
        for i in range(0, len(words), 12):  # stream the answer in as it is read
            history[-1]["content"] = " ".join(words[: i + 12])
            yield history, banner(answer), "", None, ""
            time.sleep(0.02)
        yield history, banner(answer), citation_cards(answer, terms, config.top_k), answer.to_dict(), ""

    def feedback(rating, reason, last, lang):
        if not last:
            return TEXT[lang]["nothing"]
        record_feedback(feedback_path, last["question"], last["answer"], rating, reason,
                        [c["doc_id"] + " | " + c["section"] for c in last["citations"]])
        return TEXT[lang]["thanks"]

    def show_duties(sector, agency, doc_id):
        rows = filter_duties(duty_rows, agency or "", sector or "", doc_id or "")
        return duties_table(rows), f"{len(rows)} nhiệm vụ / duties"

    def export_duties(sector, agency, doc_id):
        import csv

        rows = filter_duties(duty_rows, agency or "", sector or "", doc_id or "")
        export_dir.mkdir(parents=True, exist_ok=True)
        path = export_dir / "trach-nhiem.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:  # BOM: Excel opens Vietnamese right
            writer = csv.DictWriter(f, fieldnames=list(rows[0].to_dict()) if rows else ["agency"])
            writer.writeheader()
            writer.writerows(r.to_dict() for r in rows)
        return str(path)

    def export_ics():
        export_dir.mkdir(parents=True, exist_ok=True)
        path = export_dir / "han-bao-cao.ics"
        path.write_bytes(to_ics(deadline_rows))
        return str(path)

    def make_handout(topic, audience):
        from kb.handout import to_docx, to_markdown, to_pptx

        if not topic or not topic.strip():
            return "", None
        handout = kb.handout(topic, audience)
        export_dir.mkdir(parents=True, exist_ok=True)
        path = export_dir / "tai-lieu-tap-huan.docx"
        to_docx(handout, path)
        if handout.refusal:
            return to_markdown(handout), None
        to_pptx(handout, path.with_suffix(".pptx"))  # the slide outline beside the handout
        return to_markdown(handout), [str(path), str(path.with_suffix(".pptx"))]

    def switch(lang_label):
        t = TEXT["en" if lang_label == "English" else "vi"]
        lang = "en" if lang_label == "English" else "vi"
        return (lang, t["title"], t["how"], t["privacy"], gr.update(placeholder=t["placeholder"]),
                gr.update(value=t["send"]), gr.update(label=t["filter"]), gr.update(label=t["reason"]))

    t = TEXT["vi"]
    with gr.Blocks(title="kb · Bảo vệ trẻ em") as app:
        lang = gr.State("vi")
        last = gr.State(None)
        with gr.Row():
            title = gr.Markdown(t["title"])
            lang_pick = gr.Radio(["Tiếng Việt", "English"], value="Tiếng Việt", show_label=False, scale=0)
        how = gr.Markdown(t["how"])
        with gr.Tabs():
            with gr.Tab(t["chat"], id="chat", elem_id="chat-tab"):
                alert = gr.HTML(elem_id="kb-banner")
                chat = gr.Chatbot(height=420, elem_id="kb-chat", show_label=False)
                with gr.Row():
                    msg = gr.Textbox(placeholder=t["placeholder"], show_label=False, scale=5, elem_id="kb-question")
                    send = gr.Button(t["send"], variant="primary", scale=1, elem_id="kb-send")
                doc_filter = gr.Dropdown(doc_choices, multiselect=True, label=t["filter"], elem_id="kb-filter")
                cards = gr.HTML(elem_id="kb-cards")
                with gr.Row():
                    up = gr.Button("👍", scale=0, elem_id="kb-up")
                    down = gr.Button("👎", scale=0, elem_id="kb-down")
                    reason = gr.Textbox(label=t["reason"], scale=4, elem_id="kb-reason")
                status = gr.Markdown(elem_id="kb-feedback-status")
                privacy = gr.Markdown(t["privacy"])
                for label, questions in EXAMPLES.items():
                    gr.Examples(questions, inputs=[msg], label=label)
            with gr.Tab("Trách nhiệm / Duties", id="duties", elem_id="duties-tab"):
                with gr.Row():
                    d_sector = gr.Dropdown(sectors, value=None, label="Lĩnh vực / Sector", elem_id="kb-duty-sector")
                    d_agency = gr.Textbox(label="Cơ quan / Agency", elem_id="kb-duty-agency")
                    d_doc = gr.Dropdown(doc_choices, value=None, label="Văn bản / Document", elem_id="kb-duty-doc")
                with gr.Row():
                    d_show = gr.Button("Lọc / Filter", elem_id="kb-duty-show")
                    d_export = gr.Button("Xuất CSV / Export CSV", elem_id="kb-duty-export")
                d_count = gr.Markdown(f"{len(duty_rows)} nhiệm vụ / duties")
                d_file = gr.File(label="CSV", elem_id="kb-duty-file")
                d_table = gr.HTML(duties_table(duty_rows), elem_id="kb-duty-table")
            with gr.Tab("Hạn báo cáo / Deadlines", id="deadlines", elem_id="deadlines-tab"):
                ics_button = gr.Button("Tải lịch .ics / Download .ics", elem_id="kb-ics")
                ics_file = gr.File(label=".ics", elem_id="kb-ics-file")
                gr.HTML(deadlines_table(deadline_rows), elem_id="kb-deadlines")
            with gr.Tab("Tài liệu tập huấn / Handouts", id="handout", elem_id="handout-tab"):
                with gr.Row():
                    h_topic = gr.Textbox(label="Chủ đề / Topic", scale=3, elem_id="kb-handout-topic",
                                         placeholder="ví dụ: báo tin khi phát hiện trẻ em bị xâm hại")
                    h_audience = gr.Radio([("Giáo viên", "teacher"), ("Cán bộ Đoàn", "cadre"),
                                           ("Cán bộ, công chức", "officer")], value="teacher",
                                          label="Đối tượng / Audience", scale=2)
                h_make = gr.Button("Tạo tài liệu / Build handout", variant="primary", elem_id="kb-handout-make")
                h_file = gr.File(label="DOCX + PPTX", file_count="multiple", elem_id="kb-handout-file")
                h_preview = gr.Markdown(elem_id="kb-handout-preview")
            with gr.Tab(t["docs"], id="docs", elem_id="docs-tab"):
                gr.HTML(docs_html, elem_id="kb-docs")

        outputs = [chat, alert, cards, last, msg]
        send.click(respond, [msg, chat, doc_filter], outputs, api_visibility="private")
        msg.submit(respond, [msg, chat, doc_filter], outputs, api_visibility="private")
        up.click(lambda r, l, g: feedback("up", r, l, g), [reason, last, lang], status, api_visibility="private")
        down.click(lambda r, l, g: feedback("down", r, l, g), [reason, last, lang], status, api_visibility="private")
        lang_pick.change(switch, lang_pick, [lang, title, how, privacy, msg, send, doc_filter, reason],
                         api_visibility="private")
        d_show.click(show_duties, [d_sector, d_agency, d_doc], [d_table, d_count], api_visibility="private")
        d_export.click(export_duties, [d_sector, d_agency, d_doc], d_file, api_visibility="private")
        ics_button.click(export_ics, None, ics_file, api_visibility="private")
        h_make.click(make_handout, [h_topic, h_audience], [h_preview, h_file], api_visibility="private")
        gr.api(ask, api_name="ask", queue=False)  # a plain POST: the queue adds ~10 ms of Python per call
    # kb answers config.answer_workers questions at once; a few more Gradio workers keep the
    # cores busy while others stream an answer out or wait on the network
    app.queue(default_concurrency_limit=4 * config.answer_workers)
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
    build_app(config).launch(server_name=args.host, server_port=args.port, css=CSS, head=HEAD,
                             footer_links=["api"], show_error=False)


if __name__ == "__main__":
    main()
