from __future__ import annotations

import pytest

from voiceops.runtime.chunker import ChunkPolicy, SentenceChunker


def run(policy: ChunkPolicy, deltas: list[str]) -> list[str]:
    chunker = SentenceChunker(policy)
    out = [piece for d in deltas for piece in chunker.feed(d)]
    last = chunker.flush()
    return [*out, last] if last else out


BALANCED = ChunkPolicy.for_optimization("balanced")


def test_sentences_are_emitted_as_soon_as_a_space_confirms_them() -> None:
    chunker = SentenceChunker(BALANCED)
    assert chunker.feed("Hello there, how are you today") == []
    assert chunker.feed("?") == []  # could still be "?!" or "?)"
    assert chunker.feed(" I am") == ["Hello there, how are you today?"]
    assert chunker.feed(" fine.") == []
    assert chunker.flush() == "I am fine."


def test_decimals_versions_and_abbreviations_stay_whole() -> None:
    text = "The plan costs 3.5 dollars on v2.5 today. Ask Dr. Rao about it tomorrow. Bye"
    assert run(BALANCED, list(text)) == [
        "The plan costs 3.5 dollars on v2.5 today.", "Ask Dr. Rao about it tomorrow.", "Bye"]


def test_short_sentences_are_merged_up_to_the_minimum() -> None:
    assert run(BALANCED, ["Yes. ", "Sure. ", "That works for me well. ", "Ok"]) == [
        "Yes. Sure. That works for me well.", "Ok"]


def test_latency_cuts_the_first_piece_at_a_comma() -> None:
    latency = ChunkPolicy.for_optimization("latency")
    pieces = run(latency, ["Thanks for calling Sunrise Dental, ", "I can help you book, ",
                           "move or cancel."])
    assert pieces[0] == "Thanks for calling Sunrise Dental,"
    assert pieces[1:] == ["I can help you book, move or cancel."]


def test_hindi_danda_and_newlines() -> None:
    assert run(BALANCED, ["नमस्ते, मैं आपकी मदद कर सकती हूँ। ", "बताइए\n", "क्या"]) == [
        "नमस्ते, मैं आपकी मदद कर सकती हूँ।", "बताइए\nक्या"]  # short: waits for more


@pytest.mark.parametrize("optimization", ["latency", "balanced", "quality"])
def test_no_text_is_lost_or_reordered(optimization: str) -> None:
    text = ("One. Two, three; four! Five? Six\nSeven 8.5 nine. " * 5).strip()
    pieces = run(ChunkPolicy.for_optimization(optimization), [text[i:i + 3]
                                                              for i in range(0, len(text), 3)])
    assert " ".join(pieces).split() == text.split()


@pytest.mark.parametrize("optimization", ["latency", "balanced", "quality"])
def test_no_piece_is_longer_than_the_limit(optimization: str) -> None:
    policy = ChunkPolicy.for_optimization(optimization)
    words = [f"word{i}" for i in range(400)]  # a reply with no punctuation at all
    text = " ".join(words)
    pieces = run(policy, [f"{w} " for w in words])
    assert len(pieces) > 1 and max(map(len, pieces)) <= policy.max_chars
    assert " ".join(pieces) == text  # cut between words, nothing lost


def test_a_run_on_sentence_is_cut_at_its_last_comma_before_the_limit() -> None:
    clause = "and then there is one more thing to say about the plan"
    text = ", ".join([clause] * 10) + ". Done here."
    pieces = run(BALANCED, list(text))
    assert max(map(len, pieces)) <= BALANCED.max_chars
    assert all(p.endswith((",", ".")) for p in pieces)
    assert " ".join(pieces) == text


def test_one_endless_word_is_cut_at_the_limit() -> None:
    pieces = run(BALANCED, ["x" * 700])
    assert [len(p) for p in pieces] == [300, 300, 100]
