"""What kind of answer a question wants (an agency, a number, a date, a definition, a phone
number, the signer), read from its wording in Vietnamese (folded) or English. Pure."""
from __future__ import annotations

import re

from .lexicon import Query
from .text import folded_words

INTENTS = {
    "agency": re.compile(r"\b(ai|co quan nao|don vi nao|nganh nao|phong nao|so nao|to chuc nao|ben nao|"
                         r"chu tri|who|whom|which agency|which department|which office|which body|"
                         r"responsible|in charge)\b"),
    "number": re.compile(r"(bao nhieu|\bmay\b|ty le|phan tram|%|how many|how much|percent|how old|"
                         r"\btuoi\b|\bage\b|what number|so dien thoai|phone number|hotline|share)"),
    "date": re.compile(r"(khi nao|bao gio|thoi han|truoc ngay|ngay nao|bao lau|han chot|\bwhen\b|deadline|"
                       r"by when|how long|how quickly|within|hieu luc|effective|take effect)"),
    "phone": re.compile(r"(so dien thoai|duong day nong|tong dai.*\bso\b|\bso\b.*tong dai|phone|hotline|"
                        r"helpline|call)"),
    "definition": re.compile(r"(\bla gi\b|the nao la|dinh nghia|duoc hieu|la hanh vi gi|\bwhat is\b|"
                             r"\bwhat are\b|\bdefine|definition|\bmeaning\b|\bmean\b)"),
    # "report to whom?": the answer names who receives a report or notification
    "recipient": re.compile(r"((bao|thong bao|bao cao|to giac|lien he|goi|gui|trinh)\b.{0,25}\b(cho ai|ai|dau|co quan nao)\b"
                            r"|\b(report|notify|tell|call|contact|inform|send)\b.{0,40}\bto\b|\bwhom\b"
                            r"|who (do|should|must|can) (i|we|teachers?|schools?) (report|tell|call|contact|inform))"),
    "signer": re.compile(r"(\bky\b|nguoi ky|who signed|signed|signer|noi nhan|recipients)"),
    # Counts of events (cases, victims): the documents are plans and laws, not statistics.
    "statistic": re.compile(r"((bao nhieu|so luong|how many|number of)\s+(vu|truong hop|ca\b|nan nhan|cases|"
                            r"incidents|victims|tre em (da )?bi|em bi|children (were|have been|are)))"),
}
NUMBER = re.compile(r"\d")
DATE = re.compile(r"(\d{1,2}/\d{1,2}(/\d{2,4})?|ngày làm việc|\d+\s*giờ|trước ngày|hằng năm|hàng năm|"
                  r"tháng \d+|năm \d{4}|định kỳ)", re.IGNORECASE)
PHONE = re.compile(r"(\(số \d{3,}\)|\(\d{3,}[\d.]*\)|\bsố \d{3,}|\b1[089]\d{6,}\b|\b0\d{2,}[\d.]{6,}|\b11[1-5]\b)")
RECIPIENT = re.compile(r"(thông báo|báo cáo|tố giác|gửi|liên hệ|chuyển)( ngay)?( thông tin)? (cho|về|tới|đến) ",
                       re.IGNORECASE)
COUNT = re.compile(r"\d+\s+(vụ|trường hợp|ca|nạn nhân|trẻ em)\b", re.IGNORECASE)


def detect_intents(query: Query) -> frozenset[str]:
    text = query.text.lower() if query.lang == "en" else " ".join(folded_words(query.lexical_text))
    return frozenset(name for name, rx in INTENTS.items() if rx.search(text))


def definition_subject(query: Query) -> str:
    """'Chăm sóc thay thế là gì?' -> 'cham soc thay the' (folded), for definition questions."""
    text = " ".join(folded_words(query.lexical_text))
    text = re.sub(r"^(theo )?(luat tre em|nghi dinh 56)\s+", "", text)
    m = (re.search(r"^(?:the nao la|dinh nghia)\s+(.+?)(?:\s+(?:nhu the nao|la gi|theo .*))?$", text)
         or re.search(r"^(.+?)\s+(?:la gi|duoc hieu|la hanh vi gi|duoc dinh nghia)", text))
    subject = m.group(1) if m else ""
    return subject if 1 <= len(subject.split()) <= 8 else ""
