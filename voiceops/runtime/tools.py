"""Running the tools a profile declares, when the LLM calls them in a turn.

    ToolRunner.specs          what the LLM is told of the tools (name, description, schema)
    ToolRunner.run(call)      one call, to an `Outcome` that goes back to the LLM

An HTTP tool is one request over the daemon's shared `httpx` client and the one transport
(`providers.transport.rest`), bounded by the tool's `timeout_s` in all (retries included).
Only idempotent methods (GET, PUT, DELETE) are retried once on a quick failure: a POST or a
PATCH may have acted (booked the slot) before its answer was lost, so it is never repeated.

Safety (issue 16, item 6):
- The response is data: its text (capped at `MAX_RESULT_CHARS`) goes to the LLM as the
  call's result and nothing in voiceops reads or obeys it.
- Bodies are capped both ways: arguments over `MAX_REQUEST_BYTES` are not sent; a response
  over `MAX_RESPONSE_BYTES` is cut off and the call fails (a truncated JSON is misleading).
- A tool URL may not point at the daemon itself: its host is resolved when the call is made
  and refused when it is the daemon's own address and port (a model talked into calling
  `/v1/...` on its own daemon). Loopback on other ports stays allowed: the simulators and
  local services live there. (httpx resolves the name again to connect: a DNS answer that
  changes in between is not caught; a daemon listening on 0.0.0.0 is recognised by its
  loopback addresses, not by every address of the machine.)
- Header values (the `${VAR}` secrets) are expanded only into the request and redacted
  from every message that leaves this module (frames, logs, the LLM's error result).

Built-ins: `end_call` lets the reply finish, then the session ends (`Turns` does it);
`transfer_call` asks the outbox (a phone call's) to hand the call over, and fails with a
clear reason where there is no such thing (a browser session, Exotel).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

import httpx

from voiceops.config.settings import ToolSettings
from voiceops.errors import ProviderError, VoiceOpsError
from voiceops.providers.base import ToolCall, ToolSpec
from voiceops.providers.http import timeout_for
from voiceops.providers.transport import rest
from voiceops.providers.transport.policy import ONE_RETRY, RetryPolicy
from voiceops.providers.transport.wording import Call

__all__ = ["MAX_REQUEST_BYTES", "MAX_RESPONSE_BYTES", "MAX_RESULT_CHARS", "MAX_TOOL_STEPS",
           "Outcome", "ToolFailed", "ToolRunner", "Transfer", "call_frame", "own_address",
           "tools_for"]

log = logging.getLogger("voiceops.tools")

#: Model -> tools -> model rounds in one turn. A voice caller waits through each round (a
#: model call plus the tools' requests): four covers "look up, then act, then confirm" with
#: room to spare, and a model that keeps calling is then made to answer without tools.
MAX_TOOL_STEPS = 4
MAX_REQUEST_BYTES = 16 * 1024
MAX_RESPONSE_BYTES = 64 * 1024
#: What the LLM gets of a response: enough for a list of slots, not a page of HTML.
MAX_RESULT_CHARS = 4000
_IDEMPOTENT = frozenset({"GET", "PUT", "DELETE"})
_NO_RETRY = RetryPolicy(attempts=1)
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_UNSPECIFIED = frozenset({"0.0.0.0", "::"})
#: A variable's value shorter than this is not redacted alone (it would blank out words).
_SECRET_MIN = 6

#: A phone call's hand-over to a number or SIP address (the outbox's `transfer`).
Transfer = Callable[[str], Awaitable[None]]


class ToolFailed(VoiceOpsError):
    """Raised when a tool call cannot be made or answered (the message is redacted)."""


@dataclass(frozen=True)
class Outcome:
    """A call's end: `content` goes to the LLM; `error` (failures) to the client too."""

    ok: bool
    content: str
    ms: float
    error: str | None = None

    def frame(self, call: ToolCall) -> dict[str, object]:
        """The `tool.result` frame."""
        frame: dict[str, object] = {"type": "tool.result", "id": call.id, "name": call.name,
                                    "ok": self.ok, "ms": round(self.ms, 1)}
        if self.error is not None:
            frame["error"] = self.error
        return frame


def call_frame(call: ToolCall) -> dict[str, object]:
    """The `tool.call` frame (arguments are the model's: no secret is in them)."""
    return {"type": "tool.call", "id": call.id, "name": call.name,
            "arguments": dict(call.arguments)}


class ToolRunner:
    """The tools of one session. `own` is the daemon's listening (host, port), refused as a
    tool target; `transfer` is the phone call's hand-over (None: not a phone call)."""

    def __init__(self, tools: Sequence[ToolSettings], env: Mapping[str, str],
                 http: httpx.AsyncClient, *, own: tuple[str, int] | None = None,
                 transfer: Transfer | None = None) -> None:
        self.tools = {t.name: t for t in tools}
        self.specs = tuple(ToolSpec(t.name, t.description, t.parameters) for t in tools)
        self._env = env
        self._http = http
        self._own = own
        self._transfer = transfer
        self.ending = False  # end_call was called: the session ends after this reply

    def get(self, name: str) -> ToolSettings | None:
        return self.tools.get(name)

    async def run(self, call: ToolCall) -> Outcome:
        """Make `call`; every failure is an `Outcome` with ok False (the LLM is told)."""
        started = time.perf_counter()
        try:
            content = await self._run(call)
        except ToolFailed as exc:
            ms = (time.perf_counter() - started) * 1000
            log.info("tool %s failed after %.0f ms: %s", call.name, ms, exc)  # redacted
            return Outcome(False, f"error: {exc}", ms, str(exc))
        return Outcome(True, content, (time.perf_counter() - started) * 1000)

    async def _run(self, call: ToolCall) -> str:
        tool = self.tools.get(call.name)
        if tool is None:
            raise ToolFailed(f"there is no tool {call.name!r}")
        if call.problem is not None:
            raise ToolFailed(f"bad arguments: {call.problem}")
        if tool.builtin == "end_call":
            self.ending = True
            return "The call will end once your reply has been spoken: say goodbye now."
        if tool.builtin == "transfer_call":
            return await self._hand_over(tool)
        if tool.http is None:
            raise ToolFailed(f"tool {tool.name!r} has nothing to run")
        return await self._request(tool, call.arguments)

    async def _hand_over(self, tool: ToolSettings) -> str:
        if self._transfer is None:
            raise ToolFailed("this conversation is not a phone call, so it cannot be "
                             "transferred; tell the caller how to reach a person instead")
        if not tool.target:
            raise ToolFailed("transfer_call has no target configured")
        try:
            await self._transfer(tool.target)
        except ProviderError as exc:  # Exotel (no API), an ended call, Twilio refusing
            raise ToolFailed(f"the call could not be transferred: {exc}") from exc
        return f"The call is being transferred to {tool.target}."

    # -- HTTP tools ----------------------------------------------------------------------

    async def _request(self, tool: ToolSettings, arguments: Mapping[str, object]) -> str:
        assert tool.http is not None
        spec = tool.http
        headers = {k: self._expand(v) for k, v in spec.headers.items()}
        # the values the headers' ${VARS} stand for, and each whole header value
        secrets = [v for v in headers.values() if v] + [
            value for v in spec.headers.values() for m in _REFERENCE.finditer(v)
            if len(value := self._env.get(m[1]) or "") >= _SECRET_MIN]
        url = self._expand(spec.url)
        try:
            async with asyncio.timeout(spec.timeout_s):
                await self._refuse_self(url)
                return await self._send(tool, url, headers, arguments, secrets)
        except TimeoutError as exc:
            raise ToolFailed(f"{tool.name} timed out after {spec.timeout_s:g} s") from exc
        except ProviderError as exc:
            raise ToolFailed(_redacted(str(exc), secrets)) from exc

    async def _send(self, tool: ToolSettings, url: str, headers: dict[str, str],
                    arguments: Mapping[str, object], secrets: list[str]) -> str:
        assert tool.http is not None
        method = tool.http.method
        timeout = timeout_for(tool.http.timeout_s)
        content: dict[str, object] = {}
        if method in ("GET", "DELETE"):
            params = {k: v if isinstance(v, str) else json.dumps(v)
                      for k, v in arguments.items()}
            size = len(urllib.parse.urlencode(params))
            content["params"] = params
        else:
            body = json.dumps(dict(arguments)).encode()
            size = len(body)
            content["content"] = body
            headers = {"Content-Type": "application/json", **headers}
        if size > MAX_REQUEST_BYTES:
            raise ToolFailed(f"the arguments are {size} bytes, over the "
                             f"{MAX_REQUEST_BYTES}-byte limit for a tool request")

        def build() -> httpx.Request:
            return self._http.build_request(method, url, headers=headers, timeout=timeout,
                                            **content)  # type: ignore[arg-type]

        wording = Call(tool.name, f"{method} {url}", secrets[0] if secrets else None, None,
                       timeout)
        retry = ONE_RETRY if method in _IDEMPOTENT else _NO_RETRY
        async with rest.open_response(self._http, wording, build, retry=retry) as response:
            answer = bytearray()
            async for chunk in rest.iter_body(response, wording):
                answer += chunk
                if len(answer) > MAX_RESPONSE_BYTES:
                    raise ToolFailed(f"{tool.name} answered more than {MAX_RESPONSE_BYTES} "
                                     "bytes; the response was cut off")
        text = _redacted(answer.decode("utf-8", "replace"), secrets)
        if len(text) > MAX_RESULT_CHARS:
            text = text[:MAX_RESULT_CHARS] + " ...[truncated]"
        return text

    async def _refuse_self(self, url: str) -> None:
        """ToolFailed when `url` resolves to the daemon's own address and port."""
        if self._own is None:
            return
        parsed = urllib.parse.urlsplit(url)
        host = parsed.hostname or ""
        try:
            port = parsed.port or (443 if parsed.scheme == "https" else 80)
        except ValueError as exc:
            raise ToolFailed(f"bad tool URL {url!r}: {exc}") from exc
        own_host, own_port = self._own
        if port != own_port or not host:
            return
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, port)
        except OSError as exc:
            raise ToolFailed(f"cannot resolve {host!r}: {exc}") from exc
        addresses = {str(info[4][0]) for info in found}
        if any(_same_host(a, own_host) for a in addresses):
            raise ToolFailed(f"a tool may not call the voiceops daemon itself ({host}:{port} "
                             "is where it listens)")

    def _expand(self, text: str) -> str:
        """`${VAR}` and `${VAR:-default}` from the session's environment."""
        return _REFERENCE.sub(lambda m: self._env.get(m[1]) or (m[2] or ""), text)


def _same_host(address: str, own: str) -> bool:
    """Whether `address` reaches a daemon listening on `own` (an unspecified `own` listens
    on every address of the machine: loopback and the unspecified address at least)."""
    if address == own:
        return True
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if own in _UNSPECIFIED or own == "localhost":
        return ip.is_loopback or ip.is_unspecified
    try:
        return ip == ipaddress.ip_address(own)
    except ValueError:
        return False


def _redacted(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):  # "Bearer KEY" before "KEY"
        text = text.replace(secret, "[redacted]")
    return text


def tools_for(data: Mapping[str, object], env: Mapping[str, str], http: httpx.AsyncClient,
              *, own: tuple[str, int] | None = None,
              transfer: Transfer | None = None) -> ToolRunner | None:
    """The runner of a profile's `tools:` (None when it declares none)."""
    tools = ToolSettings.all_of(data)
    return ToolRunner(tools, env, http, own=own, transfer=transfer) if tools else None


def own_address(scope: Mapping[str, object]) -> tuple[str, int] | None:
    """The daemon's listening (host, port) from an ASGI connection's scope (its `server`)."""
    server = scope.get("server")
    if isinstance(server, (tuple, list)) and len(server) == 2 and isinstance(server[1], int):
        return str(server[0]), server[1]
    return None
