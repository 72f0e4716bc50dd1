"""Mu-law, judged against the stdlib's audioop (Python 3.11), byte for byte."""

from __future__ import annotations

import warnings

import numpy as np

from voiceops.telephony.codec import pcm_to_ulaw, ulaw_to_pcm

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def test_every_mulaw_byte_decodes_as_audioop_does() -> None:
    codes = bytes(range(256))
    assert ulaw_to_pcm(codes) == audioop.ulaw2lin(codes, 2)


def test_every_sample_encodes_as_audioop_does() -> None:
    pcm = np.arange(-32768, 32768, dtype="<i2").tobytes()
    assert pcm_to_ulaw(pcm) == audioop.lin2ulaw(pcm, 2)
