"""OpenAI simulator: the REST API under `/v1`, as `openai.AsyncOpenAI(base_url=sim.base_url)`
or voiceops' own clients see it.

Served now: `GET /v1/models` (Bearer auth; no paging; `{object: "list", data: [{id, object,
created, owned_by}]}` with an ETag); `POST /v1/chat/completions` (streamed or not, see
`voiceops.sim.chat`) and `POST /v1/audio/transcriptions` (see `voiceops.sim.transcribe`),
both timed by the state's knobs (`voiceops.sim.knobs`). Add endpoints to `ROUTES`; they
read the `OpenAIState` through `state(request)` and check the key with `check_auth`.

The default model list is the bundled snapshot's models and their dated aliases, less the
ones shut down, plus `EXTRA_MODELS`: the non-chat models a real account lists (embeddings,
images, moderation), a fine-tuned model and models newer than the snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from voiceops.sim import transcribe
from voiceops.sim.chat import chat_route
from voiceops.sim.data import is_gone, snapshot, stable_int
from voiceops.sim.knobs import LLMKnobs, Recorder, STTKnobs
from voiceops.sim.responses import error_response, json_response
from voiceops.sim.server import SimServer

__all__ = [
    "API_KEY",
    "EXTRA_MODELS",
    "OpenAIState",
    "check_auth",
    "create_app",
    "default_models",
    "error_body",
    "serve",
]

#: The key the simulator accepts unless told otherwise.
API_KEY = "sk-sim-openai-0123456789abcdef"
#: Models a real account lists that the snapshot does not hold: id -> owned_by.
EXTRA_MODELS: dict[str, str] = {
    "gpt-6.3-sol-preview": "system",  # newer than the snapshot
    "gpt-realtime-3-preview": "system",  # a new realtime model: kind known only by its id
    "ft:gpt-4o-mini:acme-org:support:sim0001": "acme-org",  # the account's fine-tune
    "text-embedding-3-small": "system",
    "text-embedding-3-large": "system",
    "omni-moderation-latest": "system",
    "dall-e-3": "system",
    "gpt-image-1": "system",
    "babbage-002": "system",
    "davinci-002": "system",
    "gpt-3.5-turbo-instruct": "system",
}
# "created" times spread over 2023-03 .. 2026-11, fixed per id.
_CREATED_FROM = 1_680_000_000
_CREATED_SPAN = 115_000_000

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "unknown_url"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass
class OpenAIState(LLMKnobs, STTKnobs, Recorder):
    """What the simulated account holds; change it while the server runs to simulate drift.

    The mixins add the chat and transcription knobs (`llm_ttft_s`, `transcripts`, ...) and
    the log of request bodies (`received`).
    """

    api_key: str = API_KEY
    models: list[dict[str, Any]] = field(default_factory=lambda: default_models())


def default_models() -> list[dict[str, Any]]:
    """The `/v1/models` entries: the snapshot's live models and aliases, then the extras."""
    owners: dict[str, str] = {}
    for model in snapshot("openai").models:
        if is_gone(model):
            continue
        for ident in (model.id, *model.aliases):
            owners[ident] = "system"
    owners.update(EXTRA_MODELS)
    return [
        {
            "id": ident,
            "object": "model",
            "created": _CREATED_FROM + stable_int(ident, _CREATED_SPAN),
            "owned_by": owner,
        }
        for ident, owner in owners.items()
    ]


def error_body(status: int, message: str) -> dict[str, Any]:
    """An error as OpenAI shapes it: `{"error": {message, type, param, code}}`."""
    default = ("server_error" if status >= 500 else "invalid_request_error", None)
    kind, code = _ERROR_TYPES.get(status, default)
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _masked(key: str) -> str:
    # OpenAI echoes a refused key with its middle starred out; the simulator does the same,
    # so clients are tested against a body that holds part of the key.
    return key[:3] + "*" * max(len(key) - 7, 4) + key[-4:] if len(key) > 8 else "*" * len(key)


def check_auth(request: Request, api_key: str) -> Response | None:
    """None when the request carries `Authorization: Bearer <api_key>`, else OpenAI's 401."""
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        message = ("You didn't provide an API key. You need to provide your API key in an "
                   "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
        return error_response(error_body(401, message), 401)
    if given.strip() != api_key:
        message = (f"Incorrect API key provided: {_masked(given.strip())}. You can find your "
                   "API key at https://platform.openai.com/account/api-keys.")
        return error_response(error_body(401, message), 401)
    return None


def state(request: Request) -> OpenAIState:
    """The simulated account of the app serving `request`."""
    return cast(OpenAIState, request.app.state.sim)


async def list_models(request: Request) -> Response:
    """`GET /v1/models`: every model of the account, in one unpaged list."""
    sim = state(request)
    denied = check_auth(request, sim.api_key)
    if denied is not None:
        return denied
    return json_response(request, {"object": "list", "data": sim.models})


def _authorize(request: Request) -> Response | None:
    return check_auth(request, state(request).api_key)


def _error(status: int, message: str) -> Response:
    return error_response(error_body(status, message), status)


def _served(sim: OpenAIState, model: str) -> bool:
    return any(m["id"] == model for m in sim.models)


def _transcribes(sim: OpenAIState, model: str) -> bool:
    # /audio/transcriptions takes the file models; live and realtime ones stream elsewhere.
    kind_ok = ("transcribe" in model or "whisper" in model) and not any(
        word in model for word in ("live", "realtime"))
    return kind_ok and _served(sim, model)


ROUTES: list[BaseRoute] = [
    Route("/v1/models", list_models, methods=["GET"]),
    chat_route(_authorize, _error, _served),
    transcribe.openai_route(_authorize, _error, _transcribes),
]


def create_app(sim: OpenAIState | None = None, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The OpenAI simulator app over `sim` (default: a fresh `OpenAIState`)."""
    app = Starlette(routes=[*ROUTES, *routes])
    app.state.sim = sim if sim is not None else OpenAIState()
    return app


def serve(sim: OpenAIState | None = None) -> SimServer:
    """A not-yet-started `SimServer` for the OpenAI simulator (`base_url` ends in /v1)."""
    return SimServer(create_app(sim), name="openai", error_body=error_body, api_prefix="/v1")
