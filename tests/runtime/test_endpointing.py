"""Endpointer: a turn ends after enough quiet following speech, never before speech."""

from __future__ import annotations

from voiceops.runtime.endpointing import Endpointer

FRAME = 0.02


def test_quiet_before_speech_never_ends_a_turn() -> None:
    ends = Endpointer(0.5)
    assert not any(ends.frame(FRAME, False) for _ in range(500))  # ten seconds of nothing
    assert not ends.started


def test_the_turn_ends_once_speech_is_followed_by_enough_quiet() -> None:
    ends = Endpointer(0.5)
    assert not ends.frame(FRAME, True)
    quiet = [ends.frame(FRAME, False) for _ in range(30)]
    assert quiet.index(True) == 24  # the 25th quiet frame makes 0.5 s
    ends.reset()
    assert not ends.started and not ends.frame(FRAME, False)


def test_a_pause_shorter_than_the_limit_keeps_the_turn_open() -> None:
    ends = Endpointer(0.5)
    ends.frame(FRAME, True)
    assert not any(ends.frame(FRAME, False) for _ in range(20))  # 0.4 s: a breath
    ends.frame(FRAME, True)  # speech again: the quiet starts over
    assert not any(ends.frame(FRAME, False) for _ in range(20))


def test_a_short_fragment_waits_for_max_silence_and_a_longer_turn_for_min() -> None:
    ends = Endpointer(0.5, 1.5)
    for _ in range(30):  # 0.6 s of speech: "um, so..."
        ends.frame(FRAME, True)
    quiet = [ends.frame(FRAME, False) for _ in range(100)]
    assert quiet.index(True) == 74  # 1.5 s
    ends.reset()
    for _ in range(60):  # 1.2 s: a sentence
        ends.frame(FRAME, True)
    quiet = [ends.frame(FRAME, False) for _ in range(100)]
    assert quiet.index(True) == 24  # 0.5 s
