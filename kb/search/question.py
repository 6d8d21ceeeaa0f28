"""A question read once, against the corpus's own vocabulary, into the `Question` every later
step uses: its language and the texts each retriever sees (kb.search.lexicon), what it asks for
(kb.search.intent), the documents it names, its content words, what a definition question
defines, the short names it uses and the words the corpus never writes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from kb.ingest.aliases import declared_aliases, expand_aliases, mentions_short_name
from kb.records import Chunk, DocMeta
from kb.search.intent import asked_values, counted_nouns, definition_subject, detect_intents
from kb.search.lexicon import QUESTION_PHRASES, Lexicon, Query, analyze
from kb.text import content_terms, fold, folded_words, lexical_tokens, strip_frames

# Words that name one specific thing by its number: "phường 3", "năm 2024", "Điều 25".
QUESTION_WORDS = set(folded_words(QUESTION_PHRASES))
NUMBERED_THINGS = {"phuong", "xa", "quan", "nam", "dieu", "khoan", "chuong", "thon", "ap", "to", "lop", "khu"}


@dataclass(frozen=True)
class Question:
    query: Query  # as typed, its language, the dense and lexical texts (names taken out of the latter)
    intents: frozenset[str]  # what kind of answer it wants (kb.search.intent)
    named: tuple[str, ...] = ()  # documents it names by locality, number or alias, in order of mention
    terms: tuple[str, ...] = ()  # its content words (folded), names and framing removed
    subject: str = ""  # what a definition question asks to define (folded)
    unknown: tuple[str, ...] = ()  # words (and number pairs) the corpus never writes
    short_names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "111" -> the words of its name
    asked: tuple[str, ...] = ()  # kinds of value it asks for (a duration, an amount, ...)
    counted: tuple[str, ...] = ()  # what a "how many" question counts ("buoc" for "mấy bước")

    @property
    def text(self) -> str:
        return self.query.text


class QuestionReader:
    """Reads questions against one corpus: its lexicon, its vocabulary, the aliases of its
    documents and the short names its passages declare."""

    def __init__(self, chunks: list[Chunk], docs: dict[str, DocMeta], lexicon: Lexicon, vocab: dict[str, int]):
        self.chunks = chunks
        self.lexicon = lexicon
        self.vocab = vocab
        self.aliases = sorted(((f" {' '.join(folded_words(a))} ", d.id)
                               for d in docs.values() for a in d.aliases if a.strip()),
                              key=lambda a: -len(a[0]))
        self.alias_words = {w for alias, _ in self.aliases for w in alias.split()}

    def read(self, text: str) -> Question:
        query = self.analyze(text)
        intents = detect_intents(query)
        named, rest = self.named_docs(query)
        subject = definition_subject(replace(query, lexical_text=rest)) if "definition" in intents else ""
        query = replace(query, lexical_text=strip_frames(rest) or rest or query.lexical_text)
        terms = content_terms(query.lexical_text)
        shorts = self.short_names(terms) if mentions_short_name(text) else {}
        counted = tuple(counted_nouns(text, query.lang == "en")) if "count" in intents else ()
        return Question(query, intents, named, tuple(terms), subject, self.unknown_terms(query), shorts,
                        asked_values(query.text), counted)

    @cached_property
    def declared_aliases(self) -> dict[str, str]:
        """Short names the passages declare ("... trẻ em (số 111)"), read on first need."""
        return declared_aliases(c.text for c in self.chunks)

    def analyze(self, question: str) -> Query:
        """The question read against this corpus's lexicon, a short name the documents declare
        written out ("Tổng đài 111" -> "Tổng đài điện thoại quốc gia bảo vệ trẻ em"; not in
        English questions, whose Vietnamese words would change how they are read)."""
        query = analyze(question, self.lexicon)
        if query.lang != "en" and mentions_short_name(question):
            expanded = expand_aliases(question, self.declared_aliases)
            if expanded != question:  # the words are searched as asked; the meaning with the name
                query = replace(query, dense_text=analyze(expanded, self.lexicon).dense_text)
        return query

    @cached_property
    def _short_name_words(self) -> dict[str, tuple[str, ...]]:
        return {fold(short): tuple(folded_words(name)) for short, name in self.declared_aliases.items()}

    def short_names(self, terms: list[str]) -> dict[str, tuple[str, ...]]:
        """The question's words that are declared short names, with the words of their names."""
        return {t: self._short_name_words[t] for t in terms if t in self._short_name_words}

    def named_docs(self, query: Query) -> tuple[tuple[str, ...], str]:
        """Documents the question names by locality, number or title alias, and the
        question's remaining words (the names are handled by searching those documents)."""
        asked = f" {' '.join(folded_words(query.text))} "
        rest = f" {' '.join(folded_words(query.lexical_text))} "
        found: list[str] = []
        for alias, doc_id in self.aliases:
            if alias in asked:
                if doc_id not in found:
                    found.append(doc_id)
                asked = asked.replace(alias, " ")
                rest = rest.replace(alias, " ")
        return tuple(found), " ".join(rest.split())

    @cached_property
    def written_pairs(self) -> frozenset[str]:
        """'phuong_3' for each numbered thing the documents write within a line ('phường 3'),
        computed once; a list number after a line break ('... địa phương.\n3. Đề nghị') is
        not one, though the bigram index pairs them."""
        rx = re.compile(rf"\b({'|'.join(sorted(NUMBERED_THINGS))})\s+0*(\d+)\b")
        return frozenset(f"{m.group(1)}_{m.group(2) or '0'}" for c in self.chunks
                         for line in c.text.split("\n") for m in rx.finditer(fold(line)))

    def unknown_terms(self, query: Query) -> tuple[str, ...]:
        """Words of the question the corpus never uses, and number pairs ('phường 3') it never
        writes: a question about something the documents do not cover."""
        if query.lang == "en":
            return tuple(w for w in query.untranslated if w not in self.alias_words)
        terms = content_terms(query.lexical_text)
        missing = [w for w in terms if w not in self.vocab and w not in QUESTION_WORDS
                   and not w.isdigit()]
        syl = lexical_tokens(query.lexical_text)
        pairs = [p for p in syl if "_" in p and p not in self.written_pairs
                 and p.split("_")[0] in NUMBERED_THINGS and p.split("_")[1].isdigit()]
        return tuple(missing + pairs)
