"""The PCM/WAV helpers agree with the stdlib `wave` module, skip the chunks real WAV files
carry, take streamed headers of unknown length, and keep chunks to whole samples."""

from __future__ import annotations

import io
import struct
import wave

import pytest

from voiceops.providers.audio import (
    SampleAligner,
    WavFormatError,
    duration_s,
    pcm_to_wav,
    split_wav_header,
    wav_to_pcm,
)

PCM = struct.pack("<6h", 0, 1000, -1000, 32767, -32768, 7)


def stdlib_wav(pcm: bytes, rate: int, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(pcm)
    return out.getvalue()


def test_pcm_to_wav_is_what_the_stdlib_reads_and_writes() -> None:
    assert pcm_to_wav(PCM, 16000) == stdlib_wav(PCM, 16000)
    with wave.open(io.BytesIO(pcm_to_wav(PCM, 22050))) as reader:
        assert reader.getframerate() == 22050 and reader.readframes(99) == PCM
    assert wav_to_pcm(stdlib_wav(PCM, 24000)) == (PCM, 24000)


def test_other_chunks_before_the_audio_are_skipped() -> None:
    plain = stdlib_wav(PCM, 16000)
    listing = b"LIST" + struct.pack("<I", 5) + b"INFOx\x00"  # odd size: padded to even
    with_list = plain[:36] + listing + plain[36:]
    with_list = with_list[:4] + struct.pack("<I", len(with_list) - 8) + with_list[8:]
    assert wav_to_pcm(with_list) == (PCM, 16000)


def test_a_streamed_header_of_unknown_length_is_understood() -> None:
    header = stdlib_wav(b"", 8000)
    streamed = header[:4] + b"\xff\xff\xff\xff" + header[8:40] + b"\xff\xff\xff\xff" + PCM
    assert split_wav_header(streamed) == (8000, 44)
    assert split_wav_header(streamed[:30]) is None  # not all there yet
    assert wav_to_pcm(streamed) == (PCM, 8000)


@pytest.mark.parametrize(("data", "problem"), [
    (b"ID3\x04" + bytes(60), "not a WAV"),
    (stdlib_wav(PCM, 16000, channels=2), "mono"),
    (stdlib_wav(bytes(6), 16000, width=1), "16-bit"),
])
def test_what_is_not_pcm_mono_is_refused(data: bytes, problem: str) -> None:
    with pytest.raises(WavFormatError, match=problem):
        wav_to_pcm(data)


def test_duration_and_whole_samples() -> None:
    assert duration_s(bytes(32000), 16000) == 1.0
    aligner = SampleAligner()
    pieces = [aligner.push(part) for part in (b"\x01", b"\x02\x03", b"\x04\x05\x06", b"")]
    assert pieces == [b"", b"\x01\x02", b"\x03\x04\x05\x06", b""]
    assert aligner.pending == 0
