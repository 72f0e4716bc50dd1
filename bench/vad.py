"""Benchmark: how well each listener hears a phone line (issue 15, item 5).

The clip set (`tests/fixtures/speech/clips.py`: espeak-ng speech at three levels in white
and pink line noise, through the telephone band and mu-law with sox, seeded) is fed to each
listener in 20 ms frames at 8 kHz, as a call sends it. Per listener it prints:

- false barge-ins per minute of noise: speech reported where there is only line noise
  (over the agent, each would have cut it off);
- missed onsets: utterances during which no speech was reported (the caller not heard);
- the median delay from an utterance's start to speech reported (barge-in reaction);
- CPU time per minute of audio (this machine, one core).

Rows: the old RMS gate (about -36 dBFS, every frame over it is speech, as before
`session.vad`), then the engines at the profile's defaults (`session.vad`), and a few
other settings for context. Silero needs onnxruntime and its model
(`python -m voiceops.runtime.vad.model`); without them its rows say why.

    python bench/vad.py [--markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.fixtures

from tests.fixtures.speech.clips import RATE, Clip, clip_set
from tests.fixtures.speech.score import Score, score
from voiceops.config.settings import VadSettings
from voiceops.errors import SessionError
from voiceops.runtime.vad.energy import SPEECH_RMS, EnergyEngine
from voiceops.runtime.vad.listener import Listener, listener_for

DEFAULTS = VadSettings.from_session({})


def old_gate() -> Listener:
    """The runner before `session.vad`: a frame whose RMS reaches 500 is speech."""
    return Listener(EnergyEngine(RATE, SPEECH_RMS), RATE, 0.0)


def rows() -> list[tuple[str, Callable[[], Listener]]]:
    """(label, a fresh listener) for every row of the table."""
    def made(settings: VadSettings) -> Callable[[], Listener]:
        return lambda: listener_for(settings, RATE)

    d = DEFAULTS
    return [
        ("old gate (RMS -36 dBFS, no debounce)", old_gate),
        (f"energy, default ({d.energy_dbfs:.0f} dBFS, {d.min_speech_ms} ms)",
         made(replace(d, engine="energy"))),
        (f"webrtc, default (aggressiveness {d.aggressiveness}, {d.min_speech_ms} ms)",
         made(d)),
        (f"webrtc, aggressiveness 2, {d.min_speech_ms} ms", made(replace(d, aggressiveness=2))),
        (f"webrtc, aggressiveness 3, {d.min_speech_ms} ms", made(replace(d, aggressiveness=3))),
        (f"webrtc, aggressiveness {d.aggressiveness}, 100 ms",
         made(replace(d, min_speech_ms=100))),
        (f"silero, default (threshold {d.threshold}, {d.min_speech_ms} ms)",
         made(replace(d, engine="silero"))),
        (f"silero, threshold {d.threshold}, 100 ms",
         made(replace(d, engine="silero", min_speech_ms=100))),
    ]


def measure(make: Callable[[], Listener], clips: list[Clip]) -> tuple[Score, float]:
    """The score, and CPU seconds per minute of audio."""
    started = time.process_time()
    result = score(make, clips)
    minutes = sum(c.seconds for c in clips) / 60
    return result, (time.process_time() - started) / minutes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="a README table")
    args = parser.parse_args()
    clips = clip_set()
    noise_min = sum(c.seconds for c in clips if c.speech is None) / 60
    utterances = sum(c.speech is not None for c in clips)
    print(f"{len(clips)} clips at {RATE} Hz: {utterances} utterances, {noise_min:.1f} min of "
          "noise-only clips (plus the noise before each utterance)\n")
    header = ("listener", "false barge-ins / min of noise", "missed onsets",
              "median onset delay", "CPU per audio minute")
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    else:
        print(f"{header[0]:48} {'false/min':>10} {'missed':>12} {'delay':>8} {'CPU/min':>9}")
    for label, make in rows():
        try:
            result, cpu = measure(make, clips)
        except SessionError as exc:
            print(f"{label}: not measured ({exc})")
            continue
        missed = (f"{len(result.missed)}/{result.utterances} "
                  f"({100 * result.missed_share:.0f}%)")
        cells = (label, f"{result.false_per_minute:.2f}", missed,
                 f"{result.median_delay_ms:.0f} ms", f"{1000 * cpu:.0f} ms")
        if args.markdown:
            print("| " + " | ".join(cells) + " |")
        else:
            print(f"{cells[0]:48} {cells[1]:>10} {cells[2]:>12} {cells[3]:>8} {cells[4]:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
