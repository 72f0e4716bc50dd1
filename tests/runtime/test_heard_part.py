"""heard_part: how much of a reply a caller heard before talking over it."""

from __future__ import annotations

from voiceops.runtime.session import heard_part

REPLY = "Your balance is 500 rupees, and your plan renews on Friday."


def test_the_heard_share_is_kept_whole_words_only_and_marked() -> None:
    assert heard_part(REPLY, 0.3) == "Your balance is... [interrupted]"
    assert heard_part(REPLY, 0.45) == "Your balance is 500 rupees... [interrupted]"
    assert heard_part(REPLY, 0.0) == "[interrupted]"
    assert heard_part(REPLY, 1.2) == REPLY


def test_text_without_spaces_is_cut_by_characters() -> None:
    assert heard_part("您好欢迎致电", 0.5) == "您好欢... [interrupted]"


def test_a_vowel_sign_is_part_of_its_word() -> None:
    text = "मैं आपकी मदद कर सकती हूँ"
    cut = text.index("हू") + 2  # between हू and its ँ
    assert heard_part(text, cut / len(text)) == "मैं आपकी मदद कर सकती... [interrupted]"
