"""The simulators' building blocks: deterministic replies and speech, G.711 and MP3
encoding, and the multipart reader the STT endpoints use."""

from __future__ import annotations

import struct

import httpx
import pytest

from voiceops.sim import codecs, replies, speech
from voiceops.sim.multipart import FormError, parse_form


def test_a_reply_echoes_the_last_user_message_and_adds_n_sentences() -> None:
    conversation = [("system", "Be kind."), ("user", "first"), ("assistant", "ok"),
                    ("user", "  where   is it? ")]
    text = replies.reply(conversation, 3)
    assert text.startswith('You said: "where is it?". ')
    assert sum(text.count(s) for s in replies.SENTENCES) == 3
    assert replies.reply(conversation, 3) == text
    assert replies.reply([], 0) == "Hello."
    assert "".join(replies.tokens(text)) == text


def test_speech_is_deterministic_lasts_as_the_text_and_differs_by_voice() -> None:
    one = speech.synthesize("Hello there", 16000, voice="anushka")
    assert one == speech.synthesize("Hello there", 16000, voice="anushka")
    assert len(one) == round(11 * 0.070 * 16000) * 2
    assert speech.pitch_hz("anushka") != speech.pitch_hz("shubh")
    faster = speech.synthesize("Hello there", 16000, voice="anushka", pace=2.0)
    assert len(faster) == len(one) // 2
    samples = struct.unpack(f"<{len(one) // 2}h", one)
    assert max(samples) > 5000 and min(samples) < -5000  # audible, not silence
    louder = speech.synthesize("Hello there", 16000, voice="anushka", loudness=2.0)
    assert max(struct.unpack(f"<{len(louder) // 2}h", louder)) > max(samples) * 1.9


@pytest.mark.parametrize(("sample", "ulaw", "alaw"), [
    (0, 0xFF, 0xD5), (32767, 0x80, 0xAA), (-32768, 0x00, 0x2A), (1000, 0xCE, 0xFA),
    (-1000, 0x4E, 0x7A),
])
def test_g711_matches_the_reference_encoder(sample: int, ulaw: int, alaw: int) -> None:
    pcm = struct.pack("<h", sample)
    assert codecs.mulaw(pcm) == bytes([ulaw]) and codecs.alaw(pcm) == bytes([alaw])


def test_mp3_silence_has_valid_headers_and_the_duration_asked_for() -> None:
    data = codecs.mp3_silence(1.0, 22050, 32)  # MPEG-2 Layer III, 576 samples a frame
    frame = 72 * 32000 // 22050
    assert data[:4] == bytes((0xFF, 0xF3, 0x40, 0xC0)) and len(data) % frame == 0
    assert len(data) // frame == 39  # ceil(22050 / 576)
    with pytest.raises(ValueError, match="bitrate"):
        codecs.mp3_silence(1.0, 44100, 33)


def test_multipart_forms_are_read_exactly() -> None:
    audio = bytes(range(256)) * 4 + b"\r\n--\r\n"  # binary, with CRLFs and dashes inside
    request = httpx.Request("POST", "http://sim/", data={"model": "saaras:v3"},
                            files={"file": ("u.wav", audio, "audio/wav")})
    form = parse_form(request.read(), request.headers["content-type"])
    assert form["model"].text == "saaras:v3" and form["model"].filename is None
    assert form["file"].data == audio and form["file"].filename == "u.wav"
    assert form["file"].content_type == "audio/wav"
    with pytest.raises(FormError):
        parse_form(b"{}", "application/json")
