"""Every text the web app shows, in Vietnamese and English (the page's language switch), and the
starter questions offered to each audience in the empty chat."""
from __future__ import annotations

# A question longer than this is refused with a message before any search: real questions are a
# few lines (the longest in eval/qa.jsonl is under 200 characters), a pasted letter fits in 2,000,
# and a 50,000-character paste took 23 s of embedding that other users waited behind.
MAX_QUESTION_CHARS = 2000

TEXT = {
    "vi": {
        "title": "# Hỏi đáp Bảo vệ trẻ em",
        "how": ("Trả lời câu hỏi về phòng, chống bạo lực, xâm hại trẻ em, trích nguyên văn từ luật, nghị định "
                "và kế hoạch của địa phương. **Trẻ em đang gặp nguy hiểm: gọi 111** (miễn phí, 24/7)."),
        "privacy": ("Quyền riêng tư: câu hỏi không được lưu. Chỉ khi bạn bấm đánh giá, câu hỏi và câu trả lời "
                    "được lưu vào tệp phản hồi để quản trị viên cải thiện hệ thống."),
        "language": "Ngôn ngữ",
        "question": "Câu hỏi của bạn",
        "placeholder": "Nhập câu hỏi…", "send": "Gửi", "clear": "Xóa hội thoại",
        "filter": "Chỉ tìm trong các văn bản", "reason": "Lý do (không bắt buộc)",
        "up": "Hữu ích", "down": "Chưa đúng", "rate": "Câu trả lời này có giúp bạn không?",
        "thanks_up": "Đã lưu đánh giá: Hữu ích. Bạn có thể đổi ý: bấm nút kia.",
        "thanks_down": "Đã lưu đánh giá: Chưa đúng. Bạn có thể đổi ý: bấm nút kia.",
        "nothing": "Chưa có câu trả lời để đánh giá.",
        "too_long": ("Câu hỏi dài {n} ký tự, vượt giới hạn {cap} ký tự. Hãy rút gọn: chỉ giữ đoạn mô tả "
                     "sự việc và điều bạn muốn hỏi."),
        "empty_api": "Câu hỏi trống: hãy nhập một câu hỏi. (The question is empty.)",
        "widened": "Câu hỏi nêu {places}: đã tìm cả trong văn bản của địa phương này, ngoài các văn bản bạn chọn.",
        "you": "Bạn hỏi", "bot": "Trả lời", "wait": "Đang tìm trong các văn bản…", "start": "Bắt đầu với một câu hỏi mẫu (bấm để gửi):",
        "marker": "Mở nguồn {n}", "viewer_hint": "Bấm vào [1], [2]… trong câu trả lời hoặc vào một nguồn để xem đoạn văn bản ở đây.",
        "close": "Đóng", "viewer": "Đoạn văn bản được trích",
        "tab_chat": "Hỏi đáp", "tab_duties": "Trách nhiệm", "tab_deadlines": "Hạn báo cáo",
        "tab_handout": "Tài liệu tập huấn", "tab_docs": "Văn bản",
        "sector": "Lĩnh vực", "agency": "Cơ quan", "document": "Văn bản", "show": "Lọc",
        "export": "Xuất CSV", "duties_count": "{n} nhiệm vụ", "ics": "Tải lịch .ics",
        "topic": "Chủ đề", "topic_hint": "ví dụ: báo tin khi phát hiện trẻ em bị xâm hại",
        "audience": "Đối tượng", "make": "Tạo tài liệu", "audiences": ["Giáo viên", "Cán bộ Đoàn", "Cán bộ, công chức"],
    },
    "en": {
        "title": "# Child Protection Q&A",
        "how": ("Answers questions on preventing violence against and abuse of children, quoting laws, decrees "
                "and local plans word for word. **A child in danger: call 111** (free, 24/7)."),
        "privacy": ("Privacy: questions are not stored. Only when you rate an answer are the question and the "
                    "answer saved to the feedback file for the administrator."),
        "language": "Language",
        "question": "Your question",
        "placeholder": "Type your question…", "send": "Send", "clear": "Clear chat",
        "filter": "Search only these documents", "reason": "Reason (optional)",
        "up": "Helpful", "down": "Not right", "rate": "Did this answer help you?",
        "thanks_up": "Saved your rating: Helpful. Changed your mind? Press the other button.",
        "thanks_down": "Saved your rating: Not right. Changed your mind? Press the other button.",
        "nothing": "No answer to rate yet.",
        "too_long": ("Your question is {n} characters long; the limit is {cap}. Please shorten it to what "
                     "happened and what you want to know."),
        "empty_api": "The question is empty: please type a question.",
        "widened": "Your question names {places}: its documents were searched too, besides the ones you chose.",
        "you": "You asked", "bot": "Answer", "wait": "Searching the documents…", "start": "Start with an example (tap to send):",
        "marker": "Open source {n}", "viewer_hint": "Press [1], [2]… in an answer or a source to read the passage here.",
        "close": "Close", "viewer": "Cited passage",
        "tab_chat": "Chat", "tab_duties": "Duties", "tab_deadlines": "Deadlines",
        "tab_handout": "Handouts", "tab_docs": "Documents",
        "sector": "Sector", "agency": "Agency", "document": "Document", "show": "Filter",
        "export": "Export CSV", "duties_count": "{n} duties", "ics": "Download .ics calendar",
        "topic": "Topic", "topic_hint": "e.g. reporting suspected child abuse",
        "audience": "Audience", "make": "Build handout", "audiences": ["Teachers", "Youth Union cadres", "Officers"],
    },
}

STARTERS = {
    "vi": [("Giáo viên", ["Khi phát hiện trẻ em bị xâm hại thì phải thông báo cho ai?",
                          "giao vien can trang bi ky nang gi de phong chong xam hai tre em"]),
           ("Cán bộ Đoàn", ["Tỉnh Đoàn Ninh Thuận yêu cầu báo cáo hằng năm trước ngày nào?",
                            "Đoàn Thanh niên huyện Tuần Giáo chủ trì mô hình nào?"]),
           ("Cán bộ, công chức", ["Ai chịu trách nhiệm giám định pháp y cho trẻ em bị xâm hại ở Tuần Giáo?",
                                  "Chủ tịch UBND cấp xã phê duyệt kế hoạch hỗ trợ, can thiệp trong bao lâu?"])],
    "en": [("Teachers", ["Who do I report suspected child abuse to?",
                         "What skills should teachers have to prevent child abuse?"]),
           ("Youth Union cadres", ["When must the Ninh Thuan Provincial Youth Union report each year?"]),
           ("Officers", ["Who is responsible for forensic examination of abused children in Tuan Giao?",
                         "How long does the commune chairman have to approve a support and intervention plan?"])],
}


def too_long(question: str, lang: str = "vi") -> str:
    """The message for a question over MAX_QUESTION_CHARS, or "" when it fits."""
    if len(question) <= MAX_QUESTION_CHARS:
        return ""
    sep = "." if lang == "vi" else ","
    count = (lambda n: f"{n:,}".replace(",", sep))
    return TEXT[lang]["too_long"].format(n=count(len(question)), cap=count(MAX_QUESTION_CHARS))
