"""Sarvam simulator: chat, text-to-speech and speech-to-text, as Sarvam serves them.

Speakers and TTS/STT models ship as bundled data (Sarvam lists no voices). Served:
- `POST /v1/chat/completions`: OpenAI-compatible, streamed as SSE (`voiceops.sim.chat`);
  models are the bundled catalog's chat models that are not retired.
- `GET /v1/models`: those chat models; `GET /v2/models` (the SDK's
  `chat_completion.list_models_v2`): the V2 chat API's models (`facts.SARVAM_V2_MODELS`;
  that API itself is not simulated). Both `{object: "list", data: [{id, object, created,
  owned_by}]}`.
- `POST /text-to-speech`, `POST /text-to-speech/stream` (`voiceops.sim.sarvam_speech`).
- `POST /speech-to-text` (`voiceops.sim.transcribe`).

Every endpoint shares the simulated account (`SarvamState`, with the knobs of
`voiceops.sim.knobs`), the auth check (`api-subscription-key: <key>` or `Authorization:
Bearer <key>`; a missing or wrong key is a 403, `facts.SARVAM_AUTH_FAILURE`) and Sarvam's
error shape. Add routes to `ROUTES`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from voiceops.sim import sarvam_speech, transcribe
from voiceops.sim.chat import chat_route
from voiceops.sim.data import is_gone, snapshot, stable_int
from voiceops.sim.facts import (
    SARVAM_AUTH_FAILURE,
    SARVAM_CHAT_MODEL_REFUSALS,
    SARVAM_V1_MODEL_LIST,
    SARVAM_V2_MODELS,
)
from voiceops.sim.knobs import LLMKnobs, Recorder, STTKnobs, TTSKnobs
from voiceops.sim.responses import error_response, json_response
from voiceops.sim.server import SimServer
from voiceops.sim.streams import authorized_body

__all__ = ["API_KEY", "SarvamState", "check_auth", "create_app", "error_body", "serve"]

API_KEY = "sk_sim_sarvam_0123456789abcdef"

# Error codes as Sarvam's docs name them (the exact set is unconfirmed; the shape is
# {"error": {"message", "code", "request_id"}}).
_CODES = {
    400: "invalid_request_error", 401: "invalid_api_key_error", 403: "invalid_api_key_error",
    404: "not_found_error", 422: "unprocessable_entity_error", 429: "insufficient_quota_error",
}


@dataclass
class SarvamState(LLMKnobs, TTSKnobs, STTKnobs, Recorder):
    """The simulated account, with the knobs of every endpoint and the request log."""

    api_key: str = API_KEY


def error_body(status: int, message: str) -> dict[str, Any]:
    """An error as Sarvam shapes it: `{"error": {"message", "code", "request_id"}}`."""
    code = _CODES.get(status, "internal_server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "code": code, "request_id": "sim"}}


def check_auth(request: Request, api_key: str) -> Response | None:
    """None when the request carries `api_key` in either accepted header, else Sarvam's
    403 (the same answer for a missing key as for a wrong one)."""
    given = request.headers.get("api-subscription-key")
    if not given:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        given = token.strip() if scheme.lower() == "bearer" else None
    if given != api_key:
        status, message, code = SARVAM_AUTH_FAILURE.value
        body = error_body(status, message)
        body["error"]["code"] = code
        return error_response(body, status)
    return None


def state(request: Request) -> SarvamState:
    """The simulated account of the app serving `request`."""
    return cast(SarvamState, request.app.state.sim)


def _authorize(request: Request) -> Response | None:
    return check_auth(request, state(request).api_key)


def _error(status: int, message: str) -> Response:
    return error_response(error_body(status, message), status)


@cache
def _chat_models() -> frozenset[str]:
    return frozenset(m.id for m in snapshot("sarvam").models
                     if m.kind == "chat" and not is_gone(m))


def _served(sim: SarvamState, model: str) -> bool:
    return model in _chat_models()


def _model_list(ids: Sequence[str]) -> Callable[[Request], Awaitable[Response]]:
    async def list_models(request: Request) -> Response:
        denied = _authorize(request)
        if denied is not None:
            return denied
        data = [{"id": ident, "object": "model", "owned_by": "sarvamai",
                 "created": 1_740_000_000 + stable_int(ident, 50_000_000)} for ident in ids]
        return json_response(request, {"object": "list", "data": data})

    return list_models


_CHAT = chat_route(_authorize, _error, _served)


async def chat(request: Request) -> Response:
    """`/v1/chat/completions`: OpenAI's endpoint, but a model Sarvam does not serve is its
    400 naming the models it does (`facts.SARVAM_CHAT_MODEL_REFUSALS`), not OpenAI's 404."""
    parsed = await authorized_body(request, _authorize, _error)
    if parsed.error is not None:
        return parsed.error
    model = parsed.data.get("model")
    if isinstance(model, str) and model and not _served(state(request), model):
        retired, unknown = SARVAM_CHAT_MODEL_REFUSALS.value
        known = model in {m.id for m in snapshot("sarvam").models if m.kind == "chat"}
        served = ", ".join(sorted(_chat_models()))
        return _error(400, (retired if known else unknown).format(model=model, models=served))
    answer: Response = await _CHAT.endpoint(request)  # it reads the body cached on `request`
    return answer


ROUTES: list[BaseRoute] = [
    Route(_CHAT.path, chat, methods=["POST"]),
    Route(SARVAM_V1_MODEL_LIST.value, _model_list(sorted(_chat_models())), methods=["GET"]),
    Route("/v2/models", _model_list(SARVAM_V2_MODELS.value), methods=["GET"]),
    *sarvam_speech.tts_routes(_authorize, _error),
    transcribe.sarvam_route(_authorize, _error, sarvam_speech.check_stt_fields),
]


def create_app(sim: SarvamState | None = None, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The Sarvam simulator app over `sim` (default: a fresh `SarvamState`)."""
    app = Starlette(routes=[*ROUTES, *routes])
    app.state.sim = sim if sim is not None else SarvamState()
    return app


def serve(sim: SarvamState | None = None) -> SimServer:
    """A not-yet-started `SimServer` for the Sarvam simulator (`base_url` is the root)."""
    return SimServer(create_app(sim), name="sarvam", error_body=error_body)
