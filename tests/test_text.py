from kb.search.lexicon import Lexicon, analyze
from kb.text import fold, lexical_tokens, normalize_for_match, strip_frames, unglue


def test_fold_strips_diacritics_and_d_bar():
    assert fold("Giám định pháp y, Đoàn Thanh niên") == "giam dinh phap y, doan thanh nien"


def test_lexical_tokens_keep_one_letter_syllables_and_pairs():
    toks = lexical_tokens("Giám định pháp y")
    assert "y" in toks and "phap_y" in toks


def test_abbreviations_match_their_long_form():
    assert set(lexical_tokens("UBND cấp xã")) >= set(lexical_tokens("Ủy ban nhân dân")) - {"_"}


def test_leading_zeros_do_not_block_a_match():
    assert "7_tuoi" in lexical_tokens("trẻ em từ 07 tuổi") and "7_tuoi" in lexical_tokens("7 tuoi")


def test_question_framing_is_dropped():
    assert strip_frames("cong an huyen co nhiem vu gi") == "cong an huyen"
    assert strip_frames("ai chiu trach nhiem giam dinh phap y") == "giam dinh phap y"


def test_evidence_matching_ignores_wraps_and_markdown():
    assert normalize_for_match("**Trẻ em** là người\ndưới 16 tuổi") == "trẻ em là người dưới 16 tuổi"


def test_evidence_matching_writes_every_dash_one_way():
    said = normalize_for_match("Sở Lao động – Thương binh và Xã hội")
    assert normalize_for_match("Lao động-Thương binh") in said and normalize_for_match("Lao động - Thương binh") in said
    assert normalize_for_match("Lao động Thương binh") not in said  # a dash is still a dash


def test_diacritics_restored_from_corpus_vocabulary():
    lex = Lexicon.build(["Phối hợp với các tổ chức giám định pháp y ưu tiên giám định cho trẻ em.",
                         "Trẻ em là người dưới 16 tuổi."])
    assert lex.restore("giam dinh phap y cho tre em") == "giám định pháp y cho trẻ em"


def test_everyday_words_the_documents_lack_are_restored_from_everyday_spellings():
    """The documents write "bị bạo lực", not "bị bố đánh bầm tím"; everyday spellings
    (kb/search/everyday.txt) teach the restorer, while word weights stay the documents' own."""
    from kb.search.lexicon import everyday_texts

    docs = ["Trẻ em bị bạo lực, xâm hại được hỗ trợ, can thiệp kịp thời.", "Báo cho cơ quan công an."]
    assert Lexicon.build(docs).restore("tre bi bo danh bam tim") != "trẻ bị bố đánh bầm tím"
    lex = Lexicon.build(docs, spellings=everyday_texts())
    assert lex.restore("tre bi bo danh bam tim") == "trẻ bị bố đánh bầm tím"
    assert lex.n_docs == 2 and lex.df == Lexicon.build(docs).df  # idf from the documents alone


def test_language_detection():
    lex = Lexicon.build(["Trẻ em là người dưới 16 tuổi. Tổng đài quốc gia bảo vệ trẻ em 111."])
    assert analyze("Trẻ em là ai?", lex).lang == "vi"
    assert analyze("tre em la nguoi duoi bao nhieu tuoi", lex).lang == "vi-nodiac"
    q = analyze("Who do I report suspected child abuse to?", lex)
    assert q.lang == "en" and "xâm hại" in q.lexical_text


def test_short_english_words_that_spell_vietnamese_syllables():
    lex = Lexicon.build(["Mỹ, đồ, tô, a, i, bây"])
    assert analyze("My daughter was touched by a neighbour, what do I do?", lex).lang == "en"


def test_english_questions_carrying_vietnamese_names_stay_english():
    from kb.search.lexicon import Lexicon, analyze

    lexicon = Lexicon.build(["Thành phố Tây Ninh tổ chức giáo dục giới tính cho trẻ em.",
                             "Bóc lột trẻ em là hành vi bắt trẻ em lao động trái pháp luật."])
    q = analyze("In Tây Ninh city, which office must bring sex education into school?", lexicon)
    assert q.lang == "en" and "Tây Ninh" in q.groups  # the name stays a Vietnamese term
    q = analyze("What counts as child exploitation (bóc lột trẻ em) under the law?", lexicon)
    assert q.lang == "en" and "bóc lột trẻ em" in q.groups
    assert analyze("Luật Trẻ em định nghĩa child abuse là gì?", lexicon).lang == "vi"
    assert analyze("Tỉnh Đoàn Ninh Thuận có nhiệm vụ gì?", lexicon).lang == "vi"


def test_phone_shorthand_is_read_as_the_words_it_stands_for():
    from kb.search.lexicon import Lexicon, analyze

    lexicon = Lexicon.build(["Giáo viên phát hiện học sinh bị xâm hại có trách nhiệm thông báo ngay."])
    q = analyze("gv phat hien hs bi xam hai thi lam j", lexicon)
    assert q.lang == "vi-nodiac" and "giáo viên" in q.dense_text and "học sinh" in q.dense_text


def test_who_is_responsible_is_framing():
    """"ai chịu trách nhiệm X": the search is for X, not for passages about responsibility in
    general (an article titled "Trách nhiệm của nhà trường" ranked first for "giám định")."""
    from kb.text import content_terms, strip_frames

    assert strip_frames("don vi nao chiu trach nhiem cap giay khai sinh cho tre") == "cap giay khai sinh cho tre"
    assert "trach" in content_terms(strip_frames("trach nhiem cua nha truong la gi"))  # the topic stays


def test_words_glued_by_text_extraction_are_split():
    assert unglue("gia đìnhlà sự tôn trọng") == "gia đình là sự tôn trọng"
    assert unglue("vàcác thành viên; tronggiáo dục") == "và các thành viên; trong giáo dục"
    assert unglue("HỌPCỦA") == "HỌP CỦA"
    # one syllable each, however long; words without diacritics (English, codes) stay whole
    text = "người nghiêng khuyến khích quyền giường khoảng Facebook internet UBND 1.001234"
    assert unglue(text) == text


def test_child_labour_is_not_the_labour_ministry():
    lexicon = Lexicon.build(["Bóc lột trẻ em là hành vi bắt trẻ em lao động."])
    groups = analyze("What does the law say about child labour?", lexicon).groups
    assert "lao động trẻ em bóc lột sức lao động" in groups
    assert "lao động thương binh xã hội" not in groups
