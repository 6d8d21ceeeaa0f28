"""What kind of answer a question wants (an agency, a number, a date, a definition, a phone
number, the signer), read from its wording in Vietnamese (folded) or English. Pure."""
from __future__ import annotations

import re

from kb.search.lexicon import Query
from kb.text import folded_words

INTENTS = {
    "agency": re.compile(r"\b(ai|co quan nao|don vi nao|nganh nao|phong nao|so nao|to chuc nao|ben nao|"
                         r"chu tri|who|whom|which agency|which department|which office|which body|"
                         r"responsible|in charge)\b"),
    "number": re.compile(r"(bao nhieu|\bmay\b|ty le|phan tram|%|how many|how much|percent|how old|"
                         r"\btuoi\b|\bage\b|what number|so dien thoai|phone number|hotline|share)"),
    "date": re.compile(r"(khi nao|bao gio|thoi han|truoc ngay|ngay nao|bao lau|han chot|\bwhen\b|deadline|"
                       r"by when|how long|how quickly|how often|how frequently|within|hieu luc|effective|take effect)"),
    "phone": re.compile(r"(so dien thoai|duong day nong|tong dai.*\bso\b|\bso\b.*tong dai|phone|hotline|"
                        r"helpline|call)"),
    "definition": re.compile(r"(\bla gi\b|the nao la|dinh nghia|duoc hieu|la hanh vi gi|\bwhat is\b|"
                             r"\bwhat are\b|\bdefine|definition|\bmeaning\b|\bmean\b|\bcounts? as\b|"
                             r"\b(is|are) (considered|regarded)\b)"),
    # "report to whom?": the answer names who receives a report or notification
    "recipient": re.compile(r"((bao|thong bao|bao cao|to giac|lien he|goi|gui|trinh)\b.{0,25}\b(cho ai|ai|dau|co quan nao)\b"
                            r"|\b(report|notify|tell|call|contact|inform|send)\b.{0,40}\bto\b|\bwhom\b"
                            r"|who (do|should|must|can) (i|we|teachers?|schools?) (report|tell|call|contact|inform))"),
    # who signed: folded "ký" is also "kỳ"/"kỹ" ("định kỳ", "kỹ năng") and part of "đăng ký",
    # so it counts only after who signs or before what was signed
    "signer": re.compile(r"(\b(ai|nguoi|da|duoc|do) ky\b(?! (nang|luat|thuat|niem|han|thi|hop|vong|cong|la))|"
                         r"\bky (boi|ten|ngay|van ban|quyet dinh|ke hoach|thong tu|nghi dinh)\b|"
                         r"who signed|signed|signer|noi nhan|recipients)"),
    # How many items of a kind ("mấy cấp độ", "how many steps"): not an amount of time, money,
    # age or a share, which are values the documents write as numbers
    "count": re.compile(r"\b(bao nhieu|may|how many|number of)\s+(?!(ngay|gio|thang|nam|tuan|phut|tuoi|tien|dong|"
                        r"phan tram|lan|ty|trieu|days?|hours?|months?|years?|weeks?|minutes?|times?|percent|"
                        r"old|cho|de|la|thi|va|o|tai|trong|duoc|khi|ma|voi|nua|vay|a|the|of|do|does|is|are|mot|moi|per|each)\b)[a-z]"),
    # A question across documents ("những địa phương nào", "các kế hoạch", "which plans",
    # "list the hotlines"): one passage of one document cannot answer it
    "across": re.compile(r"(\b(nhung|cac) (dia phuong|ke hoach|van ban|tinh|thanh pho|huyen|tai lieu|nghi dinh|"
                         r"thong tu)\b|\bliet ke\b|\b(which|what|all( the)?|list( all)?( the)?) (documents|plans|"
                         r"localities|provinces|cities|districts|texts|decrees|circulars|hotlines)\b|\bacross\b)"),
    # A list asked for ("gồm những gì", "có những biện pháp nào", "what are the steps"): the
    # answer is a lead-in with its items, not one sentence
    "list": re.compile(r"(\bnhung( \w+){1,7} (gi|nao)\b|\bnhung gi\b|\bgom (nhung )?(gi|nao)\b|\bbao gom\b|"
                       r"\bcac \w+( \w+)? nao\b|\bliet ke\b|\bwhat are the\b|\blist\b|"
                       r"\b(what|which) (steps|measures|tasks|duties|activities|contents|information|papers|"
                       r"documents|conditions|forms|kinds|types|groups|rights|responsibilities|components|parts|"
                       r"elements|items|criteria|principles|stages|services|skills|topics|requirements|obligations)\b|"
                       # "what must the programme include", "what does a file consist of"
                       r"\bwhat\b.*\b(include|includes|consist of|consists of|comprise|comprises)\b)"),
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


EN_DEFINITION = [re.compile(p, re.IGNORECASE) for p in (
    # "what information counts as a child's personal secrets", "what is considered child abuse"
    r"^\s*what\s+(?:\w+\s+){0,2}(?:counts?\s+as|qualifies\s+as|(?:is|are)\s+(?:considered|regarded)(?:\s+as)?)\s+"
    r"(?:a |an |the )?(.+?)\s*\??\s*$",
    r"\b(?:meant by|meaning of)\s+(?:a |an |the )?(.+?)\s*\??\s*$",
    r"^\s*what(?:'s| is| are)\s+(?:the term\s+)?(?:a |an |the )?(.+?)\s*\??\s*$",  # what is X
    r"\bdefin(?:e|es|ed|ition of)\s+(?:the term\s+)?(?:a |an |the )?(.+?)\s*\??\s*$",  # (how does the law) define X
    r"^\s*what does\s+(?:a |an |the )?(.+?)\s+mean\s*\??\s*$",
)]

EN_QUOTED = re.compile(r"[‘'\"“]([^’'\"”]{3,80})[’'\"”]")
# where a term is defined is not part of it: "what is X according to the law / under Decree 56"
EN_QUALIFIER = re.compile(r"\s+(?:according to|under|in|as (?:defined|used) (?:in|by)|by|within|for the purposes? of|"
                          r"that|which|who)\b.*$", re.IGNORECASE)  # or a clause about it: "... that must be protected"


def definition_subject(query: Query) -> str:
    """'Chăm sóc thay thế là gì?' -> 'cham soc thay the' (folded), for definition questions; in
    English, the glossary's rendering of the whole term ("What is alternative care?" -> 'cham soc
    thay the'), when the glossary renders every word of it."""
    if query.lang == "en":
        m = next((m for rx in EN_DEFINITION if (m := rx.search(query.text))), None)
        if not m:
            return ""
        from kb.search.glossary import translate_terms
        from kb.search.lexicon import english_words

        quoted = EN_QUOTED.search(m.group(1))  # "what is 'forced labour' under the law": the quoted term
        term = quoted.group(1) if quoted else EN_QUALIFIER.sub("", m.group(1))
        rendered, missing = translate_terms(english_words(term.lower()))
        missing = [w for w in missing if w not in ("a", "an", "the", "and", "or", "of")]
        return " ".join(folded_words(" ".join(rendered))) if rendered and not missing and len(rendered) <= 2 else ""
    text = " ".join(folded_words(query.lexical_text))
    text = re.sub(r"^(theo )?(luat tre em|nghi dinh 56)\s+", "", text)
    m = (re.search(r"^(?:the nao la|dinh nghia)\s+(.+?)(?:\s+(?:nhu the nao|la gi|theo .*))?$", text)
         or re.search(r"^(.+?)\s+(?:(?:co |duoc hieu )?nghia la gi|la gi|duoc hieu|la hanh vi gi|duoc dinh nghia)", text))
    # where it is defined is not part of the term: "bạo lực trẻ em theo Luật Trẻ em là gì"
    subject = re.sub(r"\s+(?:theo|trong|tai) .*$", "", m.group(1)) if m else ""
    return subject if 1 <= len(subject.split()) <= 24 else ""


def sentence_start(sentence: str) -> str:
    """How a sentence starts, folded, numbering dropped: what `defines` reads."""
    return " ".join(w for w in folded_words(sentence)[:30] if not w.isdigit())  # terms run to ~25 words


def defines(start: str, subject: str) -> bool:
    """Whether a sentence start (folded, numbering dropped) defines what a question asks about:
    "X là …" where the defined term holds the subject's words ("bỏ rơi, bỏ mặc trẻ em là …"
    defines "bỏ mặc trẻ em", and the glossary's "trẻ em bỏ mặc" for "child neglect") or is part
    of the subject. The term is short: "… không phải là …" later in a sentence defines nothing."""
    term, sep, _ = start.partition(" la ")
    words = term.split()
    if not sep or not subject or not words or len(words) > len(subject.split()) + 4 or words[-1] in ("phai", "khong"):
        return False
    wanted = subject.split()
    return set(wanted) <= set(words) or (len(words) >= 2 and f" {term} " in f" {subject} ")


# The kind of value a question asks for (folded question text) and how the documents write that
# kind of value (passage text). A question asking for an amount of money, a share, a date, a
# duration, a phone number or an age is answered only by a passage holding one: the abstention
# model (kb/answer/abstain.py) weighs "asked and found" against "asked and absent".
ASKED_VALUE = {
    "money": re.compile(r"(bao nhieu tien|\bphat (tien )?bao nhieu|(tro cap|phu cap|kinh phi|muc chuan|muc phat)\b.*"
                        r"\bbao nhieu\b|\bhow much\b|\bfines?\b|\bbudget\b|\bvnd\b)"),
    "percent": re.compile(r"(phan tram|%|\bty le\b|percent|\bshare\b|proportion)"),
    "date": re.compile(r"(ngay nao|khi nao|bao gio|han chot|truoc ngay|\bwhen\b|what date|deadline|by when|"
                       r"nam nao|which year|how often|how frequently|bao lau (mot|1) lan|may lan mot)"),
    "duration": re.compile(r"((bao nhieu|\bmay\b|how many)\s+(ngay|gio|thang|nam|tuan|phut|days|hours|months|years|"
                           r"weeks)|bao lau(?! (mot|1) lan)|how long|how quickly|within how)"),
    "phone": re.compile(r"(so dien thoai|(duong day nong|tong dai)\b.*\bso (may|nao)\b|phone number|what number|"
                        r"(hotline|helpline) number|number of the (hotline|helpline)|\bwhat is the (hotline|helpline)\b)"),
    "age": re.compile(r"(bao nhieu tuoi|\bmay tuoi|how old|what age|duoi bao nhieu)"),
    "count": INTENTS["count"],  # how many items of a kind: answered by a passage that lists them
}
WRITTEN_VALUE = {
    "money": re.compile(r"(\d[\d.,]*\s*(đồng|triệu|tỷ|nghìn|ngàn|vnd)|mức chuẩn)", re.IGNORECASE),
    "percent": re.compile(r"(\d+([.,]\d+)?\s*%|phần trăm)", re.IGNORECASE),
    "date": re.compile(r"(\d{1,2}/\d{1,2}(/\d{2,4})?|ngày \d{1,2} tháng \d{1,2}|trước ngày|h[ằà]ng (năm|quý)|định kỳ|"
                       r"quý [IV\d]|năm \d{4})", re.IGNORECASE),
    "duration": re.compile(r"(\d+|một|hai|ba|bảy|mười)\s*(ngày|giờ|tháng|năm|tuần|phút)", re.IGNORECASE),
    "phone": PHONE,
    "age": re.compile(r"\d+\s*(tháng\s*)?tuổi", re.IGNORECASE),
    "count": re.compile(r"(^|\n)\s*(1[.)]|a\))\s[^\n]*\n(.*\n)*?\s*(2[.)]|b\))\s"),  # an enumeration
}


def asked_values(question: str) -> tuple[str, ...]:
    """The kinds of value the question asks for ("money", "date", ...), possibly none."""
    text = " ".join(folded_words(question.replace("%", " phan tram ")))
    return tuple(kind for kind, rx in ASKED_VALUE.items() if rx.search(text))


def values_found(kinds: tuple[str, ...], texts: list[str]) -> bool:
    """Every asked-for kind of value is written in at least one of the passages."""
    return all(any(WRITTEN_VALUE[k].search(t) for t in texts) for k in kinds)


# what a "how many" question counts: the words after "bao nhiêu" / "mấy" / "how many"
COUNTED = re.compile(r"\b(?:bao nhieu|may|how many|number of)\s+(?:the\s+|cac\s+)?(\w+(?:\s+\w+)?)")


def counted_nouns(question: str, en: bool) -> list[str]:
    """What a "how many" question counts, folded ("mấy cấp độ" -> ["cap do", "cap"]; English
    through the glossary: "how many levels" -> ["cap do", ...]); [] when it names nothing."""
    m = COUNTED.search(" ".join(folded_words(question)))
    if not m:
        return []
    words = m.group(1).split()
    if en:
        from kb.search.glossary import translate_terms

        found = []
        for n in (2, 1):
            found += [" ".join(folded_words(t)) for t in translate_terms(words[:n])[0]]
        return [f for f in dict.fromkeys(found) if f]
    return [" ".join(words[:2]), words[0]]
