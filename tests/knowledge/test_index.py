"""The FTS5 index: English, Hindi (Devanagari) and Hinglish questions find the passage that
answers them, and Devanagari words with vowel signs stay whole words."""

from __future__ import annotations

import pytest

from voiceops.knowledge.index import Index, Row, query_terms

PASSAGES = [
    Row("plans.md#basic", "plans.md", 3,
        "The Basic 199 plan costs ₹199 and is valid for 28 days, with 1.5 GB of data per day."),
    Row("plans.md#family", "plans.md", 9,
        "The Family 999 plan costs ₹999 a month for up to four SIM cards sharing 150 GB."),
    Row("faq.md#refund", "faq.md", 4,
        "A failed recharge is refunded to the original payment method within 5 working days."),
    Row("faq_hi.md#sim", "faq_hi.md", 3,
        "सिम कार्ड खो जाने पर तुरंत 198 पर कॉल करके अपना नंबर ब्लॉक करवाएं। नया सिम कार्ड "
        "24 घंटे के अंदर मिल जाता है, और इसका शुल्क ₹25 है।"),
    Row("faq_hi.md#roaming", "faq_hi.md", 8,
        "अंतरराष्ट्रीय रोमिंग Acme ऐप में चालू होती है। ₹599 का रोमिंग पैक लेना सस्ता पड़ता है।"),
    Row("faq_hi.md#premium", "faq_hi.md", 12,
        "प्रीमियम प्लान की कीमत 499 रुपये प्रति माह है।"),
    Row("faq_hi.md#rules", "faq_hi.md", 15, "कंपनी के नियमों का पालन करें।"),
    Row("faq_hi.md#dont", "faq_hi.md", 18, "इस सवाल का मत जवाब दीजिए।"),
    Row("hinglish.txt#p1", "hinglish.txt", 1,
        "Agar aapka recharge fail ho gaya aur paisa kat gaya, to paisa 5 din mein wapas aa "
        "jayega."),
    Row("hinglish.txt#p2", "hinglish.txt", 4,
        "Naya SIM lene ke liye apna ID proof lekar kisi bhi Acme store par jaiye."),
]


@pytest.fixture(scope="module")
def index() -> Index:
    made = Index()
    made.replace({}, [], PASSAGES)
    return made


@pytest.mark.parametrize(("query", "expected"), [
    ("how much does the family plan cost?", "plans.md#family"),
    ("my recharge failed, when do I get a refund", "faq.md#refund"),
    ("मेरा सिम कार्ड खो गया है, क्या करूं?", "faq_hi.md#sim"),
    ("रोमिंग पैक कितने का है?", "faq_hi.md#roaming"),
    ("प्लान की कीमत क्या है", "faq_hi.md#premium"),
    ("recharge fail ho gaya, paisa kab wapas aayega?", "hinglish.txt#p1"),
    ("naya sim kaise milega", "hinglish.txt#p2"),
])
def test_english_hindi_and_hinglish_questions_find_their_answer(
        index: Index, query: str, expected: str) -> None:
    assert index.search(query, 1, None)[0].id == expected


def test_a_devanagari_word_with_vowel_signs_is_one_term(index: Index) -> None:
    # unicode61 alone splits words at vowel signs and viramas: "कीमत" (price) became "क" "मत",
    # which is also "का मत" (a passage saying "don't"), and "प्लान" became "प" "ल" "न"
    assert [p.id for p in index.search("कीमत", 5, None)] == ["faq_hi.md#premium"]
    # "plan" and "follow" sound alike (`pln`): the word as written comes first
    assert index.search("प्लान", 5, None)[0].id == "faq_hi.md#premium"
    assert index.search("पालन", 5, None)[0].id == "faq_hi.md#rules"


def test_a_vowel_sign_alone_matches_nothing(index: Index) -> None:
    # "क" is no word of any passage; split-at-matra indexing made it match every "की", "का"
    assert index.search("क", 5, None) == []


def test_the_same_word_typed_two_ways_is_one_term() -> None:
    made = Index()
    # ड़ as one code point (U+095C) and as ड + nukta; a zero-width joiner inside a conjunct
    made.replace({}, [], [Row("a#1", "a", 1, "पहाड़ी रास्ता"), Row("b#1", "b", 1, "क्‍या बात")])
    assert [p.id for p in made.search("पहाड़ी", 5, None)] == ["a#1"]
    assert [p.id for p in made.search("पहा\u0921\u093cी", 5, None)] == ["a#1"]
    assert query_terms("क्\u200dया") == []  # क्या, a stopword once the joiner is gone


def test_only_the_named_files_are_searched(index: Index) -> None:
    assert index.search("plan costs", 5, ["faq.md"]) == []
    assert {p.source for p in index.search("plan costs", 5, ["plans.md"])} == {"plans.md"}


def test_scores_are_positive_and_best_first(index: Index) -> None:
    found = index.search("family plan cost month", 3, None)
    assert found[0].id == "plans.md#family"
    assert all(p.score > 0 for p in found)
    assert [p.score for p in found] == sorted((p.score for p in found), reverse=True)


def test_a_query_of_stopwords_or_punctuation_finds_nothing(index: Index) -> None:
    assert index.search("what is the", 3, None) == []
    assert index.search('"*) OR NEAR(', 3, None) == []  # FTS5 syntax is quoted, never parsed


def test_english_words_are_stemmed(index: Index) -> None:
    assert index.search("refunds", 1, None)[0].id == "faq.md#refund"


def test_common_words_do_not_drown_the_rare_one() -> None:
    # a query skips its commonest words once they would match too many chunks; the rarest
    # word always stays, and a query of common words alone still finds passages
    made = Index()
    made.replace({}, [], [Row(f"d#{n}", "d", n, f"The Saver {n} plan costs ₹{n} for a month.")
                          for n in range(3000)]
                 + [Row("f#1", "f", 1, "The Family plan costs ₹999 for four SIM cards.")])
    assert made.search("how much do family plans cost", 1, None)[0].id == "f#1"
    assert len(made.search("plans costing", 3, None)) == 3


@pytest.mark.parametrize(("query", "expected", "within"), [
    # a Hindi caller's words transcribed in Latin script, the answer written in Devanagari
    ("roaming pack kitne ka hai", "faq_hi.md#roaming", 1),
    ("premium plan ki keemat", "faq_hi.md#premium", 1),
    ("mera sim card kho gaya", "faq_hi.md#sim", 3),  # "SIM cards" (English) is a near miss
    # and the other way: Devanagari loanwords finding Hinglish and English text
    ("रिचार्ज फेल हो गया पैसा वापस", "hinglish.txt#p1", 1),
    ("फैमिली प्लान", "plans.md#family", 3),  # after प्रीमियम प्लान, written as asked
])
def test_latin_and_devanagari_spellings_of_one_word_meet(index: Index, query: str,
                                                          expected: str, within: int) -> None:
    assert expected in [p.id for p in index.search(query, within, None)]
