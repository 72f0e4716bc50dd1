"""Anthropic simulator: the REST API as `anthropic.AsyncAnthropic(base_url=sim.url)` sees it.

Served now:
- `GET /v1/models?limit=&after_id=&before_id=`: newest first, `limit` 1..1000 (default 20),
  `{data: [{type, id, display_name, created_at, lifecycle}], has_more, first_id, last_id}`.
- `GET /v1/models/{model_id}`: one model; an alias resolves to the model it names.

- `POST /v1/messages`: streamed (SSE with `event:` lines) or not; see `voiceops.sim.messages`,
  timed by the state's knobs (`voiceops.sim.knobs`).

Every request needs the key (`x-api-key`, or `Authorization: Bearer` as anthropic SDK 2.x
sends it) and an `anthropic-version` the API knows. Add endpoints to `ROUTES`; they read
`AnthropicState` through `state(request)` and call `check_headers`.

The default list is the snapshot's models less the retired ones, plus `EXTRA_MODELS`
(models newer than the snapshot). Dates come from the id (`-YYYYMMDD`) or, for ids without
one, are fixed per id, so the newest-first order is stable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from voiceops.sim.data import is_gone, snapshot, stable_int
from voiceops.sim.facts import ANTHROPIC_VERSIONS
from voiceops.sim.knobs import LLMKnobs, Recorder
from voiceops.sim.messages import messages_route
from voiceops.sim.responses import error_response, json_response
from voiceops.sim.server import SimServer

__all__ = [
    "API_KEY",
    "EXTRA_MODELS",
    "VERSIONS",
    "AnthropicState",
    "check_headers",
    "create_app",
    "default_models",
    "error_body",
    "serve",
]

API_KEY = "sk-ant-sim-0123456789abcdef"
#: `anthropic-version` values the API accepts (dated, with sources, in `facts`).
VERSIONS = ANTHROPIC_VERSIONS.value
#: Models newer than the snapshot: (id, display name, created_at).
EXTRA_MODELS: tuple[tuple[str, str, str], ...] = (
    ("claude-sonnet-5-7-sim", "Claude Sonnet 5.7 (sim)", "2026-11-24T00:00:00Z"),
)
_DEFAULT_LIMIT = 20
_MAX_LIMIT = 1000
_DATED = re.compile(r"-(\d{4})(\d{2})(\d{2})$")
_VERSION = re.compile(r"-(\d+)(?:-(\d+))?(?:-|$)")
_EPOCH = date(2025, 6, 1)

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class AnthropicState(LLMKnobs, Recorder):
    """What the simulated account sees; change `models` while serving to simulate drift.

    `models` is kept newest first, as the API lists it; `aliases` maps alias -> model id.
    The mixins add the Messages knobs (`llm_ttft_s`, ...) and the request log (`received`).
    """

    api_key: str = API_KEY
    models: list[dict[str, Any]] = field(default_factory=lambda: default_models())
    aliases: dict[str, str] = field(default_factory=lambda: default_aliases())


def _created(model_id: str) -> str:
    dated = _DATED.search(model_id)
    if dated:
        year, month, day = (int(g) for g in dated.groups())
        return f"{date(year, month, day).isoformat()}T00:00:00Z"
    # No date in the id: place it by its version number ("opus-4-6" after "opus-4-5"), with
    # a fixed per-id offset so equal versions still sort the same way every run.
    version = _VERSION.search(model_id)
    major, minor = (int(version.group(1)), int(version.group(2) or 0)) if version else (5, 0)
    days = max(major - 4, 0) * 365 + minor * 30 + stable_int(model_id, 20)
    return f"{(_EPOCH + timedelta(days=days)).isoformat()}T00:00:00Z"


def default_models() -> list[dict[str, Any]]:
    """The `/v1/models` entries, newest first: served snapshot models plus `EXTRA_MODELS`."""
    # `lifecycle` is required in anthropic 2.14.0's `ModelInfo` (types/model_info.py,
    # checked 2026-11-30): active, deprecated or retired; listed models are never retired.
    entries = [
        {
            "type": "model",
            "id": model.id,
            "display_name": model.display_name or model.id,
            "created_at": _created(model.id),
            "lifecycle": "deprecated" if model.deprecated else "active",
        }
        for model in snapshot("anthropic").models
        if not is_gone(model)
    ]
    entries += [
        {"type": "model", "id": ident, "display_name": name, "created_at": created,
         "lifecycle": "active"}
        for ident, name, created in EXTRA_MODELS
    ]
    entries.sort(key=lambda e: (e["created_at"], e["id"]), reverse=True)
    return entries


def default_aliases() -> dict[str, str]:
    """Alias -> model id, from the snapshot (e.g. "claude-3-5-haiku-latest")."""
    return {
        alias: model.id
        for model in snapshot("anthropic").models
        if not is_gone(model)
        for alias in model.aliases
    }


def error_body(status: int, message: str) -> dict[str, Any]:
    """An error as Anthropic shapes it: `{type: "error", error: {type, message}}`."""
    kind = _ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")
    return {"type": "error", "error": {"type": kind, "message": message},
            "request_id": "req_sim"}


def _error(status: int, message: str) -> Response:
    return error_response(error_body(status, message), status)


def state(request: Request) -> AnthropicState:
    """The simulated account of the app serving `request`."""
    return cast(AnthropicState, request.app.state.sim)


def _index(models: list[dict[str, Any]], model_id: str) -> int | None:
    return next((i for i, m in enumerate(models) if m["id"] == model_id), None)


async def list_models(request: Request) -> Response:
    """`GET /v1/models`: one page, newest first, cursored by `after_id` / `before_id`."""
    sim = state(request)
    denied = check_headers(request, sim.api_key)
    if denied is not None:
        return denied
    query = request.query_params
    try:
        limit = int(query.get("limit", _DEFAULT_LIMIT))
    except ValueError:
        return _error(400, "limit: Input should be a valid integer")
    if not 1 <= limit <= _MAX_LIMIT:
        return _error(400, f"limit: Input should be between 1 and {_MAX_LIMIT}")
    models = sim.models
    after, before = query.get("after_id"), query.get("before_id")
    if after and before:
        return _error(400, "after_id and before_id cannot both be given")
    page, has_more = models[:limit], limit < len(models)
    if after or before:
        cursor = _index(models, after or before or "")
        if cursor is None:
            return _error(400, f"{'after_id' if after else 'before_id'}: unknown model id")
        if after:
            start = cursor + 1
            page, has_more = models[start:start + limit], start + limit < len(models)
        else:
            page, has_more = models[max(cursor - limit, 0):cursor], cursor - limit > 0
    return json_response(request, {
        "data": page,
        "has_more": has_more,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    })


async def get_model(request: Request) -> Response:
    """`GET /v1/models/{model_id}`: one model; aliases resolve to the model they name."""
    sim = state(request)
    denied = check_headers(request, sim.api_key)
    if denied is not None:
        return denied
    wanted = request.path_params["model_id"]
    index = _index(sim.models, sim.aliases.get(wanted, wanted))
    if index is None:
        return _error(404, f"model: {wanted}")
    return json_response(request, sim.models[index])


def check_headers(request: Request, api_key: str) -> Response | None:
    """None when the key and `anthropic-version` are right, else Anthropic's error.

    The key comes in `x-api-key` (the docs, SDKs before 2.0) or as `Authorization: Bearer`
    (what anthropic SDK 2.x sends); `x-api-key` wins when both are there
    (`facts.ANTHROPIC_AUTH_HEADERS`). The version must be one the API knows
    (`facts.ANTHROPIC_VERSIONS`: the documented ones and the SDK's); the SDK always sends
    one, so a request without it is refused as the API refuses it.
    """
    given = request.headers.get("x-api-key")
    if not given:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        given = token.strip() if scheme.lower() == "bearer" else None
    if not given:
        return _error(401, "x-api-key header is required")
    if given != api_key:
        return _error(401, "invalid x-api-key")
    version = request.headers.get("anthropic-version")
    if not version:
        return _error(400, "anthropic-version: header is required")
    if version not in ANTHROPIC_VERSIONS.value:
        return _error(400, f"anthropic-version: invalid version {version!r}")
    return None


def _authorize(request: Request) -> Response | None:
    return check_headers(request, state(request).api_key)


def _resolve_model(sim: AnthropicState, model: str) -> str | None:
    wanted = sim.aliases.get(model, model)
    return wanted if _index(sim.models, wanted) is not None else None


ROUTES: list[BaseRoute] = [
    Route("/v1/models", list_models, methods=["GET"]),
    Route("/v1/models/{model_id}", get_model, methods=["GET"]),
    messages_route(_authorize, _error, _resolve_model),
]


def create_app(sim: AnthropicState | None = None, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The Anthropic simulator app over `sim` (default: a fresh `AnthropicState`)."""
    app = Starlette(routes=[*ROUTES, *routes])
    app.state.sim = sim if sim is not None else AnthropicState()
    return app


def serve(sim: AnthropicState | None = None) -> SimServer:
    """A not-yet-started `SimServer` for the Anthropic simulator (`base_url` is the root)."""
    return SimServer(create_app(sim), name="anthropic", error_body=error_body)
