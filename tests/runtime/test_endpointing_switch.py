"""Who ends the caller's turn: `session.vad.endpointing`, the older
`end_of_turn_silence_ms`, and the `endpointing=True` a phone call passes whatever the
profile says."""

from __future__ import annotations

from tests.fixtures.speech.synthetic import vowel
from voiceops.config.settings import SessionSettings, VadSettings
from voiceops.runtime.caller_audio import CallerAudio, Playback

FRAME = 640  # 20 ms at 16 kHz


def turn_end(caller: CallerAudio, pcm: bytes) -> float | None:
    """Seconds into `pcm` at which the caller's turn ended (None: it did not)."""
    for i in range(0, len(pcm), FRAME):
        frame = pcm[i:i + FRAME]
        if caller.add(frame, caller.hear(frame, 0.0, awaited=False).speech):
            return (i + FRAME) / 32000
    return None


SAID = bytes(16000) + vowel(1.2) + bytes(3 * 32000)  # 0.5 s quiet, 1.2 s speech, 3 s quiet


def test_the_defaults_leave_turns_to_the_client() -> None:
    settings = SessionSettings.from_section({})
    assert settings.vad == VadSettings.from_session({})
    assert settings.vad.engine == "webrtc" and not settings.vad.endpointing
    caller = CallerAudio.for_session(settings, 16000, Playback())
    assert turn_end(caller, SAID) is None


def test_a_phone_call_ends_turns_whatever_the_profile_says() -> None:
    settings = SessionSettings.from_section({})  # no endpointing in the profile
    caller = CallerAudio.for_session(settings, 16000, Playback(), endpointing=True)
    ended = turn_end(caller, SAID)
    # min_silence_ms (600) after the speech heard last (1.2 s is no fragment)
    assert ended is not None and 1.7 + 0.6 <= ended <= 1.7 + 0.6 + 0.2
    assert caller.utterance() is not None


def test_the_profile_can_ask_for_endpointing_with_its_own_silences() -> None:
    settings = SessionSettings.from_section(
        {"vad": {"endpointing": True, "min_silence_ms": 300, "max_silence_ms": 2000}})
    ended = turn_end(CallerAudio.for_session(settings, 16000, Playback()), SAID)
    assert ended is not None and 1.7 + 0.3 <= ended <= 1.7 + 0.3 + 0.2
    fragment = bytes(16000) + vowel(0.5) + bytes(3 * 32000)  # "um, so": waits longer
    ended = turn_end(CallerAudio.for_session(settings, 16000, Playback()), fragment)
    assert ended is not None and 0.9 + 2.0 <= ended <= 1.0 + 2.0 + 0.2  # not 1.0 + 0.3


def test_the_older_end_of_turn_silence_keeps_its_meaning() -> None:
    vad = VadSettings.from_session({"end_of_turn_silence_ms": 700})
    assert vad.endpointing and vad.min_silence_ms == vad.max_silence_ms == 700
    both = VadSettings.from_session({"end_of_turn_silence_ms": 700,
                                     "vad": {"min_silence_ms": 400}})
    assert both.min_silence_ms == 400 and both.max_silence_ms == 700  # vad: wins
