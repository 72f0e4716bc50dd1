"""Sound keys: a Latin-script spelling and a Devanagari one of the same word share a key."""

from __future__ import annotations

import pytest

from voiceops.knowledge.phonetic import sound_key


@pytest.mark.parametrize(("latin", "devanagari"), [
    ("roaming", "रोमिंग"), ("pack", "पैक"), ("plan", "प्लान"), ("sim", "सिम"), ("card", "कार्ड"),
    ("keemat", "कीमत"), ("premium", "प्रीमियम"), ("recharge", "रिचार्ज"), ("fail", "फेल"),
    ("paisa", "पैसा"), ("wapas", "वापस"), ("kitne", "कितने"), ("family", "फैमिली"),
    ("kho", "खो"), ("balance", "बैलेंस"), ("zaroor", "ज़रूर"),
])
def test_one_word_in_two_scripts_has_one_key(latin: str, devanagari: str) -> None:
    assert sound_key(latin) is not None
    assert sound_key(latin) == sound_key(devanagari)


@pytest.mark.parametrize(("one", "other"), [("kho", "ko"), ("card", "guard"), ("pack", "park"),
                                            ("खो", "को")])
def test_different_words_keep_different_keys(one: str, other: str) -> None:
    assert sound_key(one) != sound_key(other)


def test_words_with_too_little_to_say_have_no_key() -> None:
    assert [sound_key(w) for w in ("ka", "का", "app", "499", "café")] == [None] * 5
