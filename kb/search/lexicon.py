"""What the corpus's own vocabulary tells about a question: its language, its diacritics
(restored when typed without them), and how rare each of its words is."""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from kb.search.glossary import EN_VI, translate_terms
from kb.text import EN_STOPWORDS, fold, folded_words, words
from kb.tuning import RESTORE_PAIR

_EN_WORD = re.compile(r"[a-z0-9][a-z0-9'\-]*")


def english_words(text: str) -> list[str]:
    """The words of a (lower-case) English text as the glossary reads them: without the quotes
    around a term ("define 'forced labour'") or a possessive's "'s" ("Hanoi's")."""
    return [w for w in (re.sub(r"'s$", "", w).strip("'") for w in _EN_WORD.findall(text)) if w]


EN_MARKERS = EN_STOPWORDS | {w for k in EN_VI for w in k.split()} | {
    "report", "reported", "suspected", "someone", "person", "people", "tell", "call", "get", "give",
    "need", "needs", "happens", "happen", "according", "list", "name", "number", "mean", "means",
    "many", "much", "long", "within", "before", "after", "told", "said", "says", "document", "documents",
    "each", "every", "held", "hold", "did", "done", "open", "act", "acts", "office", "offices", "reduce",
    "reducing", "promote", "promotes", "besides", "also", "other", "others", "knowledge", "receive",
    "receiving", "get", "gets", "getting", "make", "makes", "take", "takes", "happen", "quickly", "must",
    "may", "might", "need", "needs", "required", "require", "requires", "handle", "handles", "deal",
    "does", "say", "tell", "about", "under", "over", "between", "during", "against", "without", "first",
    "new", "main", "key", "kind", "kinds", "type", "types", "way", "ways", "thing", "things", "should"}


@dataclass(frozen=True)
class Lexicon:
    forms: dict  # folded syllable -> Counter of its accented spellings
    bigrams: Counter  # (accented, accented) -> count
    df: Counter  # folded syllable -> number of chunks containing it
    n_docs: int

    @classmethod
    def build(cls, texts: list[str], spellings: list[str] = ()) -> "Lexicon":
        """From the passages (`texts`: spellings, word pairs and document frequencies) and other
        Vietnamese written with diacritics (`spellings`: spellings and word pairs only)."""
        forms: dict = defaultdict(Counter)
        bigrams: Counter = Counter()
        df: Counter = Counter()
        folded: dict[str, str] = {}  # a corpus has few distinct syllables: fold each once
        for n_text, text in enumerate([*texts, *spellings]):
            ws = words(text)
            for w, n in Counter(ws).items():
                f = folded.get(w)
                if f is None:
                    f = folded[w] = fold(w)
                forms[f][w] += n
            bigrams.update(zip(ws, ws[1:]))
            if n_text < len(texts):
                df.update({folded[w] for w in ws})
        return cls(dict(forms), bigrams, df, max(1, len(texts)))

    def idf(self, term: str) -> float:
        """Inverse document frequency of a folded syllable; unknown words weigh the most."""
        return math.log((self.n_docs + 1) / (self.df.get(term, 0) + 0.5))

    def known_ratio(self, folded: list[str]) -> float:
        return sum(1 for w in folded if w in self.forms) / max(1, len(folded))

    def restore(self, text: str) -> str:
        """Put back diacritics the corpus would use: 'giam dinh phap y' -> 'giám định pháp y'.

        Viterbi over each syllable's accented spellings, scored by corpus bigram and unigram
        counts. Unknown syllables pass through unchanged.
        """
        toks = folded_words(text)
        if not toks:
            return text
        cands = [[f for f, _ in self.forms[t].most_common(6)] if t in self.forms else [t] for t in toks]
        uni = {t: self.forms.get(fold(t), Counter()) for c in cands for t in c}

        def unigram(w):
            total = sum(uni[w].values()) or 1
            return math.log((uni[w].get(w, 0) + 0.1) / total)

        best = {w: (unigram(w), [w]) for w in cands[0]}
        for pos in range(1, len(cands)):
            nxt = {}
            for w in cands[pos]:
                options = []
                for prev, (score, path) in best.items():
                    pair = self.bigrams.get((prev, w), 0)
                    options.append((score + math.log(1 + pair) * RESTORE_PAIR + unigram(w), path + [w]))
                nxt[w] = max(options, key=lambda o: o[0])
            best = nxt
        return " ".join(max(best.values(), key=lambda o: o[0])[1])


@dataclass(frozen=True)
class Query:
    text: str  # as typed
    lang: str  # "vi" | "vi-nodiac" | "en"
    dense_text: str  # what the embedder sees
    lexical_text: str  # what BM25 sees (Vietnamese, diacritics optional)
    untranslated: tuple[str, ...] = ()  # English content words the glossary could not translate
    groups: tuple[str, ...] = ()  # one Vietnamese rendering per English term (alternatives inside)


def vietnamese_spans(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Runs of Vietnamese words inside an English sentence, as written: words with diacritics,
    joined by unaccented syllables the corpus uses that are not English ("Tây Ninh", "trẻ em");
    punctuation ends a run."""
    spans, run, accented = [], [], False
    for m in re.finditer(r"[^\W_]+|[^\w\s]", text + " ."):
        word = m.group()
        marks = fold(word) != word.lower()
        if word[0].isalnum() and (marks or (fold(word) in lexicon.forms and word.lower() not in EN_MARKERS)):
            run.append(word)
            accented |= marks
            continue
        if run and accented:
            spans.append(" ".join(run))
        run, accented = [], False
    return tuple(spans)


def analyze(question: str, lexicon: Lexicon) -> Query:
    """Decide the question's language and the texts each retriever should see."""
    q = question.strip()
    lower = q.lower()
    folded = folded_words(q)
    en_words = english_words(lower)
    en_hits = sum(1 for w in en_words if w in EN_MARKERS)
    accented = [w for w in q.split() if fold(w) != w.lower()]
    if accented:
        # An English sentence may carry Vietnamese names and terms ("In Tây Ninh city, which
        # office ...", "child exploitation (bóc lột trẻ em)"): English when its unaccented words
        # are mostly English and outnumber the accented ones; those stay Vietnamese terms.
        plain = [w for w in _EN_WORD.findall(fold(lower)) if w not in {fold(a).lower() for a in accented}]
        english = [w for w in plain if w in EN_MARKERS]
        if not (len(english) >= max(3, 0.4 * len(plain)) and len(plain) > 1.5 * len(accented)):
            return Query(q, "vi", q, q)
        # English words only: not the Vietnamese runs ("Ninh Thuận"), nor fragments of their words
        span_words = {w.lower() for span in vietnamese_spans(q, lexicon) for w in span.split()}
        en_words = [w for w in english_words(" ".join(w for w in lower.split() if fold(w) == w))
                    if w not in span_words]
    # Short English words often spell Vietnamese syllables ("my", "do", "to"): a clear majority
    # of English words decides alone; a weaker one needs words the corpus does not know.
    if en_words and (accented or en_hits >= max(2, 0.5 * len(en_words)) or
                     (en_hits >= max(1, 0.35 * len(en_words)) and lexicon.known_ratio(folded) < 0.9)):
        vi_terms, missing = translate_terms(en_words)
        numbers = " ".join(w for w in en_words if any(c.isdigit() for c in w))
        vi_spans = vietnamese_spans(q, lexicon)
        return Query(q, "en", q, f"{' '.join(vi_terms)} {' '.join(vi_spans)} {numbers}".strip(),
                     tuple(w for w in missing if w not in EN_MARKERS and len(w) > 2 and not w.isdigit()),
                     tuple(t for t in vi_terms if fold(t) not in ("ai", "la")) + vi_spans + tuple(numbers.split()))
    restored = lexicon.restore(expand_shorthand(q))
    return Query(q, "vi-nodiac", restored, restored)


# How Vietnamese is typed on a phone without diacritics: shorthand for common words, which the
# documents never use, so the corpus cannot restore them.
SHORTHAND = {"hs": "học sinh", "gv": "giáo viên", "ko": "không", "k": "không", "kh": "không",
             "dc": "được", "đc": "được", "j": "gì", "ntn": "như thế nào", "bn": "bao nhiêu",
             "vs": "với", "tp": "thành phố", "ubnd": "ủy ban nhân dân", "ldtbxh": "lao động thương binh xã hội",
             "bvte": "bảo vệ trẻ em", "te": "trẻ em", "sn": "sinh nhật", "ng": "người", "cq": "cơ quan",
             "qd": "quy định", "nd": "nghị định", "tt": "thông tư", "mn": "mọi người", "ctv": "cộng tác viên"}


def expand_shorthand(text: str) -> str:
    """'thay co phat hien hs bi xam hai thi lam j' -> '... học sinh ... gì' (whole words only)."""
    return re.sub(r"[^\W_]+", lambda m: SHORTHAND.get(m.group().lower(), m.group()), text)

# Question words never appear in the documents, so the corpus cannot restore them: teach the
# restorer the common ones (they weigh as if seen many times).
EVERYDAY = Path(__file__).with_name("everyday.txt")


def everyday_texts() -> list[str]:
    """Everyday Vietnamese with diacritics (kb/search/everyday.txt): spellings the documents lack."""
    lines = EVERYDAY.read_text(encoding="utf-8").splitlines()
    return [l for l in lines if l.strip() and not l.startswith("#")]


QUESTION_PHRASES = (
    "bao nhiêu là gì về việc mấy tuổi nào khi nào ở đâu thế nào như thế nào ai làm gì có phải "
    "bao lâu trong bao lâu những gì của ai cơ quan nào đơn vị nào ai chịu trách nhiệm phải làm gì "
    "được không có được không bao giờ gì ở đâu báo cho ai gọi số nào tôi em con cháu bị đánh "
    "nên làm gì cần làm gì được hưởng gì được quy định ở đâu có những quyền gì hạn chót mấy giờ "
    "tháng mấy năm nào ngày nào bao nhiêu phần trăm tỷ lệ bao nhiêu")
