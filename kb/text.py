"""Pure text helpers: Unicode normalisation, diacritic folding, tokens for lexical search."""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+")

# Vietnamese function words and question words, folded. They carry no evidence on their own.
VI_STOPWORDS = frozenset("""
a ai bi boi cac cai can cho co cua da de den di do duoc gi hay hoac khi
khong la lam len luc ma may minh mot nao ne neu nguoi nhu nhung noi o phai ra roi sao se
tai thi toi trong tu va vao ve voi vi viec nay nhieu ay kia xin cam on oi
""".split())

EN_STOPWORDS = frozenset("""
a an and are as at be by can do does for from has have how i if in is it its me my of on or
our should so than that the their them there these they this to was we what when where which
who whom whose why will with you your about under into any must shall would could been being
""".split())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _fold_slow(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


# Latin letters with diacritics -> base letters, precomputed: fold runs on every passage and
# question, and the per-character NFD path dominated query time on large indexes.
_FOLD_TABLE = {cp: _fold_slow(chr(cp)) for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]}


def fold(text: str) -> str:
    """Lowercase and strip Vietnamese diacritics: 'Giám định pháp y' -> 'giam dinh phap y'."""
    out = text.lower().translate(_FOLD_TABLE)
    return out if out.isascii() else _fold_slow(out)  # combining marks, other scripts


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def squash(text: str) -> str:
    """Collapse runs of white space to one space."""
    return _SPACE.sub(" ", text).strip()


def words(text: str) -> list[str]:
    """Lowercased syllables with their diacritics, one-letter syllables kept ('pháp y')."""
    return _WORD.findall(nfc(text).lower())


def folded_words(text: str) -> list[str]:
    return _WORD.findall(fold(nfc(text)))


# Abbreviations officials write, expanded so "UBND" matches "Ủy ban nhân dân" (folded forms).
ABBREVIATIONS = {
    "ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "ldtbxh": "lao dong thuong binh va xa hoi",
    "tbxh": "thuong binh va xa hoi", "mttq": "mat tran to quoc", "bvte": "bao ve tre em",
    "gddt": "giao duc va dao tao", "tnsc": "thanh nien cong san", "hlhpn": "hoi lien hiep phu nu",
    "ctxh": "cong tac xa hoi", "tp": "thanh pho",
    "vhtt": "van hoa va thong tin", "ubmttq": "uy ban mat tran to quoc",
}


def expand(folded: list[str]) -> list[str]:
    out: list[str] = []
    for w in folded:
        out.extend(ABBREVIATIONS[w].split() if w in ABBREVIATIONS else [w])
    return out


def _num(w: str) -> str:
    return w.lstrip("0") or "0" if w.isdigit() else w


def syllables(text: str) -> list[str]:
    """Folded syllables, abbreviations expanded, numbers without leading zeros."""
    return [_num(w) for w in expand(folded_words(text))]  # "07 tuổi" matches "7 tuổi"


def with_pairs(syl: list[str]) -> list[str]:
    return syl + [f"{a}_{b}" for a, b in zip(syl, syl[1:])]


def lexical_tokens(text: str) -> list[str]:
    """Folded syllables plus syllable bigrams, so 'pháp y' and 'tảo hôn' match as words.

    Vietnamese writes words as space-separated syllables; bigrams approximate word
    segmentation without a model and keep one-letter syllables that BM25 tokenizers drop.
    lexical_tokens(a + "\n" + b) == with_pairs(syllables(a) + syllables(b)).
    """
    return with_pairs(syllables(text))


def content_terms(text: str, stopwords=VI_STOPWORDS) -> list[str]:
    """Folded syllables minus function words, order kept, duplicates dropped."""
    seen: dict[str, None] = {}
    for w in map(_num, expand(folded_words(text))):
        if w not in stopwords and (len(w) > 1 or w.isdigit()):
            seen.setdefault(w, None)
    return list(seen)


# How questions are framed, not what they ask about: dropped before lexical matching.
QUESTION_FRAMES = sorted("""
chiu trach nhiem|chiu|co nhiem vu gi|nhiem vu gi|nhiem vu cua|phai lam gi|
can lam gi|nen lam gi|lam gi|duoc quy dinh the nao|duoc quy dinh nhu the nao|quy dinh the nao|
quy dinh nhu the nao|nhu the nao|the nao la|the nao|la gi|gom nhung gi|gom nhung|nhung gi|bao gom|
bao nhieu|bao lau|khi nao|o dau|lay tu dau|tu dau|hay cho biet|cho biet|cho toi hoi|xin hoi|
co phai|duoc khong|khong|viec gi|dieu gi|co quan nao|don vi nao|nganh nao|ai la|la ai|ai|
liet ke|hay ke|ke ra|ke ten|tat ca|
theo quy dinh|theo|duoc|nhung|cac|co""".replace("\n", "").split("|"), key=lambda f: -len(f))


def strip_frames(folded_text: str) -> str:
    """'ai chiu trach nhiem giam dinh phap y' -> 'giam dinh phap y' (input already folded)."""
    text = f" {folded_text} "
    for frame in QUESTION_FRAMES:
        text = text.replace(f" {frame} ", " ")
    return " ".join(text.split())


_DASH = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014]\s*")


def normalize_for_match(text: str) -> str:
    """What evidence matching compares: NFC, markdown marks dropped, every dash (hyphen, en
    and em dash, with or without spaces: "Lao động-Thương binh", "Lao động – Thương binh")
    written one way, spaces collapsed, lowercase."""
    return squash(_DASH.sub(" - ", nfc(text).replace("*", "").replace("#", ""))).lower()


# Notes an editor adds to a codified text: kept in passages (nothing lost), never quoted as
# the answer, a duty or a deadline.
EDITORIAL_LINE = re.compile(r"^\s*[\[(]?\s*(Ghi chú|Ghi chu|Chú thích)(\s+Pháp điển)?\s*:", re.IGNORECASE)
EDITORIAL_PAREN = re.compile(r"\s*\([^()]*\b(được|đã được)\s+(sửa đổi|bổ sung|bãi bỏ|thay thế|đính chính)[^()]*\)")


def is_editorial(sentence: str) -> bool:
    """'[Ghi chú Pháp điển: ...]', or a sentence that is only '(được sửa đổi, bổ sung bởi ...)'."""
    s = sentence.strip(" -.;")
    return bool(EDITORIAL_LINE.match(s)) or bool(s) and not EDITORIAL_PAREN.sub("", s).strip(" .;:-")


def strip_editorial(text: str) -> str:
    """The text without its note lines ('[Ghi chú Pháp điển: ...]') and '(được sửa đổi, bổ sung bởi ...)' notes."""
    return EDITORIAL_PAREN.sub("", "\n".join(l for l in text.split("\n") if not EDITORIAL_LINE.match(l)))


# One Vietnamese syllable, folded: an onset, one to three vowels, a coda. A word with diacritics
# that is not one syllable but two is two words a PDF extraction glued ("gia đìnhlà", "vàcác").
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")
_LONG_WORD = re.compile(r"[^\W\d_]{4,}")


def _unglue_word(m: re.Match) -> str:
    w = m.group()
    f = fold(w)
    if f == w.lower() or len(f) != len(w) or _SYLLABLE.fullmatch(f):
        return w
    # the first split that leaves two syllables gives the second its longest onset ("và|các")
    at = next((i for i in range(1, len(f)) if _SYLLABLE.fullmatch(f[:i]) and _SYLLABLE.fullmatch(f[i:])), None)
    return f"{w[:at]} {w[at:]}" if at else w


def unglue(text: str) -> str:
    """Split Vietnamese words that text extraction glued together ("đìnhlà" -> "đình là");
    words without diacritics (English, codes) are left alone."""
    return _LONG_WORD.sub(_unglue_word, text)
