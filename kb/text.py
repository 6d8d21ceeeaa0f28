"""Pure text helpers: Unicode normalisation, diacritic folding, tokens for lexical search."""
from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+")

# Vietnamese function words and question words, folded. They carry no evidence on their own.
VI_STOPWORDS = frozenset("""
a ai bao bi boi cac cai can cho chu co con cua da dang de den di do duoc gi hay hoac khi
khong la lam len luc ma may minh mot nao ne neu nguoi nhu nhung noi o phai ra roi sao se
tai the thi toi trong tu va vao ve voi vi viec nay nhieu ay kia hoi xin cam on oi
""".split())

EN_STOPWORDS = frozenset("""
a an and are as at be by can do does for from has have how i if in is it its me my of on or
our should so than that the their them there these they this to was we what when where which
who whom whose why will with you your about under into any must shall would could been being
""".split())


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase and strip Vietnamese diacritics: 'Giám định pháp y' -> 'giam dinh phap y'."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


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


def lexical_tokens(text: str) -> list[str]:
    """Folded syllables plus syllable bigrams, so 'pháp y' and 'tảo hôn' match as words.

    Vietnamese writes words as space-separated syllables; bigrams approximate word
    segmentation without a model and keep one-letter syllables that BM25 tokenizers drop.
    """
    syl = folded_words(text)
    return syl + [f"{a}_{b}" for a, b in zip(syl, syl[1:])]


def content_terms(text: str, stopwords=VI_STOPWORDS) -> list[str]:
    """Folded syllables minus function words, order kept, duplicates dropped."""
    seen: dict[str, None] = {}
    for w in folded_words(text):
        if w not in stopwords and (len(w) > 1 or w.isdigit()):
            seen.setdefault(w, None)
    return list(seen)


def normalize_for_match(text: str) -> str:
    """What evidence matching compares: NFC, markdown marks dropped, spaces collapsed, lowercase."""
    return squash(nfc(text).replace("*", "").replace("#", "")).lower()
