"""Phone audio: G.711 mu-law <-> PCM s16le.

Mu-law is table-driven with numpy: one 256-entry table decodes, one 65,536-entry table
(indexed by the sample's 16 bits) encodes, both built once from the G.711 rules that
`audioop.ulaw2lin`/`lin2ulaw` follow (the tests hold them to `audioop` byte for byte).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["pcm_to_ulaw", "ulaw_to_pcm"]

_BIAS = 0x84
_CLIP = 8159  # of the 14-bit magnitude


def _decode_table() -> npt.NDArray[np.int16]:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(codes & 0x80, -magnitude, magnitude).astype(np.int16)


def _encode_table() -> npt.NDArray[np.uint8]:
    samples = np.arange(65536, dtype=np.int32)
    samples = np.where(samples >= 32768, samples - 65536, samples) >> 2  # 14-bit, floored
    sign = np.where(samples < 0, 0x00, 0x80)  # the code's bits are inverted below
    magnitude = np.minimum(np.where(samples < 0, -samples, samples), _CLIP) + (_BIAS >> 2)
    # the segment: how far the magnitude's highest bit sits above bit 5
    segment = np.maximum(np.floor(np.log2(magnitude)).astype(np.int32) - 5, 0)
    code = np.where(segment > 7, 0x7F,  # the clipped top: past the last segment
                    (np.minimum(segment, 7) << 4) | ((magnitude >> (segment + 1)) & 0x0F))
    table: npt.NDArray[np.uint8] = (sign | (code ^ 0x7F)).astype(np.uint8)
    return table


_DECODE = _decode_table()
_ENCODE = _encode_table()


def ulaw_to_pcm(ulaw: bytes) -> bytes:
    """Mu-law bytes as PCM s16le (two bytes per sample)."""
    return _DECODE[np.frombuffer(ulaw, dtype=np.uint8)].astype("<i2").tobytes()


def pcm_to_ulaw(pcm: bytes) -> bytes:
    """PCM s16le as mu-law (one byte per sample); a trailing odd byte is dropped."""
    usable = len(pcm) - len(pcm) % 2
    encoded: bytes = _ENCODE[np.frombuffer(pcm[:usable], dtype="<u2")].tobytes()
    return encoded
