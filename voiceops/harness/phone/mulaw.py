"""G.711 μ-law for the phone side, written from the ITU-T G.711 definition (bias 0x84,
clip 32635, eight segments) with numpy tables: the simulator encodes what a carrier would
send and decodes what it hears without sharing a line with the daemon's own codec, so a
bug in one is not hidden by the same bug in the other."""

from __future__ import annotations

import numpy as np

__all__ = ["decode", "encode"]

_BIAS = 0x84
_CLIP = 32635


def _decode_table() -> np.ndarray:
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (u >> 4) & 0x07
    mantissa = u & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    table: np.ndarray = np.where(u & 0x80, -magnitude, magnitude).astype("<i2")
    return table


def _encode_table() -> np.ndarray:
    # on 14-bit magnitudes, as Sun's g711.c (the reference every carrier's codec follows)
    value = np.arange(-32768, 32768, dtype=np.int32) >> 2
    mask = np.where(value < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(value), _CLIP >> 2) + (_BIAS >> 2)
    segment = np.floor(np.log2(magnitude)).astype(np.int32) - 5
    mantissa = (magnitude >> (segment + 1)) & 0x0F
    table: np.ndarray = (((segment << 4) | mantissa) ^ mask).astype(np.uint8)
    return table


_DECODE = _decode_table()
_ENCODE = _encode_table()


def decode(ulaw: bytes) -> bytes:
    """μ-law bytes -> PCM s16le (one sample per byte)."""
    return _DECODE[np.frombuffer(ulaw, dtype=np.uint8)].tobytes()


def encode(pcm: bytes) -> bytes:
    """PCM s16le -> μ-law bytes (an odd trailing byte is dropped)."""
    samples = np.frombuffer(pcm[: len(pcm) // 2 * 2], dtype="<i2").astype(np.int32)
    return _ENCODE[samples + 32768].tobytes()
