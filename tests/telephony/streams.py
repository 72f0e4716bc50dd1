"""The phone network's side of a media stream, for the stream tests: an in-process daemon
(the real app on starlette's test client, providers on the simulators), frames written as
the carriers' docs show them, and a recorder standing in for the REST hang-up."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession

from tests.server.wsclient import receive
from voiceops.project import Project
from voiceops.project.scaffold import scaffold
from voiceops.providers.registry import ProviderPool, resolve_target
from voiceops.runtime.config import build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.server.app import create_app
from voiceops.server.state import Runner, Settings
from voiceops.sim.stack import SimStack
from voiceops.telephony.types import CallInfo

CALL_SID = "CA" + "a" * 32
STREAM_SID = "MZ" + "b" * 32
ACCOUNT_SID = "AC" + "c" * 32
CALLER = "+919812345678"
DIALLED = "+18005550199"


#: A profile whose greeting is short and whose silence limit is the shortest allowed
QUICK = """version: 1
extends: support_hi
first_message: "Hello."
session: {silence_timeout_s: 1}
phone: {dtmf: {mode: %s, finish_on_key: "#", timeout_ms: 2000}}
"""


@dataclass
class HangUps:
    """Stands in for the carriers' REST hang-up: records each call it was asked to end."""

    calls: list[CallInfo] = field(default_factory=list)
    delay_s: float = 0.0  # how long the carrier takes to answer

    async def __call__(self, call: CallInfo) -> None:
        await asyncio.sleep(self.delay_s)
        self.calls.append(call)


@dataclass
class Daemon:
    client: TestClient
    runner: Runner
    hang_ups: HangUps


MakeDaemon = Callable[..., Daemon]


@pytest.fixture
def make_daemon(tmp_path: Path, sims: SimStack) -> Iterator[MakeDaemon]:
    """A daemon over the starter project and the `quick` profile."""
    clients: list[TestClient] = []

    def build(settings: Settings | None = None, *, env: dict[str, str] | None = None,
              rest: bool = False, dtmf: str = "turn") -> Daemon:
        """`rest`: hang up through the carriers' REST simulators instead of the recorder;
        `dtmf`: the quick profile's phone.dtmf.mode."""
        scaffold(tmp_path)
        (tmp_path / "configs" / "quick.yaml").write_text(QUICK % dtmf, encoding="utf-8")
        built = build_version(Project(tmp_path), 1)
        assert built.version is not None, built.diagnostics
        runner = Runner(Project(tmp_path), LiveRegistry(built.version), ProviderPool(),
                        resolve_target, {**sims.env(), **(env or {})},
                        settings or Settings(default_profile="support_hi", reload=False))
        app = create_app(runner)
        hang_ups = HangUps()
        if not rest:
            app.state.hang_up = hang_ups
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return Daemon(client, runner, hang_ups)

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def frame(ws: WebSocketTestSession, deadline_s: float = 30.0) -> dict[str, Any] | None:
    """The next text frame from the daemon as JSON; None when it closed the socket."""
    message = receive(ws, deadline_s)
    if message["type"] == "websocket.close":
        return None
    return json.loads(message["text"])  # type: ignore[no-any-return]


def media_payload(sent: dict[str, Any]) -> bytes:
    return base64.b64decode(sent["media"]["payload"])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
