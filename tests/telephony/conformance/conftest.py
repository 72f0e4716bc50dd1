"""The conformance harness: the carriers' documented frames (fixtures/, each with its source
URL), and a real daemon (`voiceops run`, its own process) on the provider simulators, which
the phone simulator (voiceops.harness.phone, written from the same docs) calls.

The daemon serves `phone_test`, a profile of the starter project with a short greeting, a
short silence limit (so a test can wait for the daemon to hang up) and a number of its own.
The simulated Twilio account (its sid and auth token, TWILIO_* in the simulators'
environment) is the daemon's, so the test signs webhooks and owns calls as Twilio would.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from voiceops.harness.daemon import DaemonProcess
from voiceops.harness.phone import CallerTurn, CallReport, PhoneOptions, from_text, place_call
from voiceops.project.scaffold import scaffold
from voiceops.sim.stack import SimStack
from voiceops.sim.twilio import ACCOUNT_SID, AUTH_TOKEN

FIXTURES = Path(__file__).parent / "fixtures"
DAEMON_TOKEN = "conformance-daemon-token"
NUMBER = "+14155550177"
SHORT_NUMBER = "+14155550178"  # phone_short: calls last 10 s (max_duration_s)
PROFILE = "phone_test"
PROFILE_YAML = f"""\
version: 1
extends: support_hi
description: Conformance calls
first_message: "Hello, Acme here."
session: {{silence_timeout_s: 2}}
phone:
  numbers: ["{NUMBER}"]
"""

SHORT_YAML = f"""\
version: 1
extends: support_hi
description: Conformance calls cut at max_duration_s
first_message: "Hello."
session: {{silence_timeout_s: 60, max_duration_s: 10}}
phone:
  numbers: ["{SHORT_NUMBER}"]
"""


def doc_frame(carrier: str, name: str) -> dict[str, Any]:
    """The frame the carrier's docs show for `name` (connected, start, media_out, ...)."""
    document = json.loads((FIXTURES / carrier / f"{name}.json").read_text(encoding="utf-8"))
    assert document["source"].startswith("https://"), "every fixture names its source"
    frame: dict[str, Any] = document["frame"]
    return frame


@pytest.fixture(scope="session")
def sims() -> Iterator[SimStack]:
    with SimStack() as stack:
        stack.reply_sentences(0)  # the echo of what was heard: short replies, short calls
        yield stack


@pytest.fixture(scope="session")
def project() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        scaffold(root)
        (root / "configs" / f"{PROFILE}.yaml").write_text(PROFILE_YAML, encoding="utf-8")
        (root / "configs" / "phone_short.yaml").write_text(SHORT_YAML, encoding="utf-8")
        yield root


def _daemon(project: Path, sims: SimStack, *profile: str, **env: str) -> DaemonProcess:
    return DaemonProcess(project, [*profile, "--no-reload"], env={**sims.env(), **env})


@pytest.fixture(scope="session")
def daemon(project: Path, sims: SimStack) -> Iterator[DaemonProcess]:
    """The daemon on loopback with no VOICEOPS_TOKEN (open to loopback callers)."""
    with _daemon(project, sims, PROFILE, VOICEOPS_TOKEN="") as running:
        yield running


@pytest.fixture(scope="session")
def guarded(project: Path, sims: SimStack) -> Iterator[DaemonProcess]:
    """The same daemon with VOICEOPS_TOKEN set: Exotel must authenticate."""
    with _daemon(project, sims, PROFILE, VOICEOPS_TOKEN=DAEMON_TOKEN) as running:
        yield running


@pytest.fixture(scope="session")
def no_default(project: Path, sims: SimStack) -> Iterator[DaemonProcess]:
    """The daemon with no default profile: a number no profile lists is refused."""
    with _daemon(project, sims, VOICEOPS_TOKEN="") as running:
        yield running


def speech(text: str, rate: int = 8000) -> CallerTurn:
    return from_text(text, rate)


async def call(daemon: DaemonProcess, carrier: str, turns: list[CallerTurn],
               **options: Any) -> CallReport:
    """A call from the phone simulator to `daemon`, with the test's defaults."""
    settings: dict[str, Any] = {"auth_token": AUTH_TOKEN, "account_sid": ACCOUNT_SID,
                                "to_number": NUMBER,
                                "greeting_timeout_s": 10.0, "reply_timeout_s": 20.0,
                                **options}
    return await place_call(PhoneOptions(daemon.http_url, carrier,  # type: ignore[arg-type]
                                         turns, **settings))
