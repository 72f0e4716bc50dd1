"""Talking to the in-process app's `/v1/sessions` as a client does, for the session tests."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import anyio
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.types import Message

from voiceops.project import Project

#: Seconds a test waits for the next frame: far more than any turn takes, so a frame that
#: never comes fails the test instead of hanging it.
DEADLINE_S = 30.0


def receive(ws: WebSocketTestSession, deadline_s: float = DEADLINE_S) -> Message:
    """The next message from the server, or TimeoutError after `deadline_s`."""
    async def within() -> Message:
        with anyio.fail_after(deadline_s):
            # what WebSocketTestSession.receive() awaits, with no deadline of its own
            message: Message = await ws._send_rx.receive()
            return message

    return ws.portal.call(within)


def frames_until(ws: WebSocketTestSession, kind: str) -> tuple[list[dict[str, Any]], int]:
    """JSON frames up to and including the first of `kind`, and the audio bytes between."""
    frames: list[dict[str, Any]] = []
    audio = 0
    while True:
        message = receive(ws)
        if message.get("bytes") is not None:
            audio += len(message["bytes"])
            continue
        frame = json.loads(message["text"])
        frames.append(frame)
        if frame["type"] == kind:
            return frames, audio


def start(ws: WebSocketTestSession, **fields: Any) -> dict[str, Any]:
    ws.send_text(json.dumps({"type": "start", **fields}))
    frames, _ = frames_until(ws, "ready")
    return frames[-1]


def say(ws: WebSocketTestSession, text: str) -> None:
    """A typed turn."""
    ws.send_text(json.dumps({"type": "text", "text": text}))


@contextlib.contextmanager
def greeted(client: TestClient, **fields: Any) -> Iterator[WebSocketTestSession]:
    """A started session whose spoken first message has been received."""
    with client.websocket_connect("/v1/sessions") as session:
        start(session, **fields)
        frames_until(session, "reply.done")
        yield session


def session_setting(project: Project, setting: str) -> None:
    """Give support_hi one `session:` setting of its own (its base's others still apply)."""
    profile = project.configs / "support_hi.yaml"
    profile.write_text(profile.read_text() + f"session:\n  {setting}\n")
