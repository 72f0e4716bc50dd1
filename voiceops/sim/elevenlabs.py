"""ElevenLabs simulator: the REST API as ElevenLabs' SDK or voiceops' clients see it.

Served now (all need `xi-api-key`):
- `GET /v1/voices`: `{voices: [...]}`, every voice at once.
- `GET /v2/voices`: paged search. `page_size` 1..100 (default 10), `next_page_token`,
  `search` (name, description, labels, category), `category`, `high_quality`,
  `voice_type` (personal, workspace, default, non-default, non-community, saved,
  community; an unknown value filters nothing; values per elevenlabs 2.78's `search`),
  `sort` (name, created_at_unix), `sort_direction`, `include_total_count`.
  Answers `{voices, has_more, total_count, next_page_token}`.
- `GET /v1/models`: a bare JSON list of models.

- `POST /v1/text-to-speech/{voice_id}/stream` and `POST /v1/text-to-speech/{voice_id}`:
  synthetic speech in any `output_format` (see `voiceops.sim.elevenlabs_speech`), timed by
  the state's knobs (`voiceops.sim.knobs`).

Add endpoints to `ROUTES`; they read `ElevenLabsState` via `state(request)` and call
`check_auth`. The default account holds the snapshot's voices, the custom voices of
`voiceops.sim.voices.CUSTOM_VOICES`, and `synthetic` generated ones (0 by default).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from voiceops import languages
from voiceops.catalog.types import CUSTOM_CATEGORIES
from voiceops.sim import elevenlabs_speech
from voiceops.sim.data import is_gone, snapshot
from voiceops.sim.knobs import Recorder, TTSKnobs
from voiceops.sim.responses import error_response, json_response
from voiceops.sim.server import SimServer
from voiceops.sim.voices import custom_voices, from_catalog, synthetic_voices

__all__ = [
    "API_KEY",
    "EXTRA_MODELS",
    "ElevenLabsState",
    "check_auth",
    "create_app",
    "default_models",
    "default_voices",
    "error_body",
    "serve",
]

API_KEY = "sk_sim_elevenlabs_0123456789abcdef"
#: Models a real account lists that the snapshot's TTS list does not: speech-to-speech ones.
EXTRA_MODELS: tuple[tuple[str, str], ...] = (
    ("eleven_english_sts_v2", "Eleven English v2 (speech to speech)"),
    ("eleven_multilingual_sts_v2", "Eleven Multilingual v2 (speech to speech)"),
)
_DEFAULT_PAGE = 10
_MAX_PAGE = 100
_TOKEN_PREFIX = "sim-offset:"

_STATUS_CODES = {
    400: "invalid_request", 401: "invalid_api_key", 403: "missing_permissions",
    404: "not_found", 429: "too_many_concurrent_requests", 500: "internal_server_error",
    503: "system_busy",
}

#: voice_type -> which voices it keeps. Classification is by category: the simulated account
#: owns exactly its cloned, generated and professional voices.
_VOICE_TYPES: dict[str, Callable[[dict[str, Any]], bool]] = {
    "personal": lambda v: v["category"] in CUSTOM_CATEGORIES,
    "workspace": lambda v: v["category"] in CUSTOM_CATEGORIES,
    "default": lambda v: v["category"] == "premade",
    "non-default": lambda v: v["category"] != "premade",
    "saved": lambda v: v["category"] != "premade",
    "community": lambda v: False,  # no Voice Library voices in the simulated account
    "non-community": lambda v: True,
}


@dataclass
class ElevenLabsState(TTSKnobs, Recorder):
    """The simulated account; change `voices` / `models` while serving to simulate drift.

    The mixins add the TTS knobs (`tts_ttfb_s`, ...) and the request log (`received`).
    """

    api_key: str = API_KEY
    voices: list[dict[str, Any]] = field(default_factory=lambda: default_voices())
    models: list[dict[str, Any]] = field(default_factory=lambda: default_models())


def default_voices(synthetic: int = 0, *, seed: int = 0) -> list[dict[str, Any]]:
    """Snapshot voices, then the account's custom voices, then `synthetic` generated ones."""
    voices = [from_catalog(v) for v in snapshot("elevenlabs").voices]
    return voices + custom_voices() + synthetic_voices(synthetic, seed=seed)


def default_models() -> list[dict[str, Any]]:
    """The `/v1/models` list: the snapshot's served TTS models, then `EXTRA_MODELS`."""
    models = []
    for model in snapshot("elevenlabs").models:
        if model.kind != "tts" or is_gone(model):
            continue  # /v1/models lists TTS and speech-to-speech models, not Scribe (STT)
        models.append(_wire_model(
            model.id, model.display_name or model.id, tts=True, langs=model.languages,
            style="style" in model.tuning, speaker_boost="use_speaker_boost" in model.tuning,
        ))
    models += [_wire_model(i, name, tts=False, langs=("en",)) for i, name in EXTRA_MODELS]
    return models


def _wire_model(
    model_id: str, name: str, *, tts: bool, langs: Sequence[str] = (),
    style: bool = False, speaker_boost: bool = False,
) -> dict[str, Any]:
    return {
        "model_id": model_id,
        "name": name,
        "can_be_finetuned": False,
        "can_do_text_to_speech": tts,
        "can_do_voice_conversion": not tts,
        "can_use_style": style,
        "can_use_speaker_boost": speaker_boost,
        "serves_pro_voices": False,
        "token_cost_factor": 1.0,
        "description": f"{name} (simulated)",
        "requires_alpha_access": False,
        "max_characters_request_free_user": 2500,
        "max_characters_request_subscribed_user": 5000,
        "maximum_text_length_per_request": 10000,
        "languages": [{"language_id": tag, "name": languages.name(tag)} for tag in langs],
        "model_rates": {"character_cost_multiplier": 1.0},
        "concurrency_group": "standard",
    }


def error_body(status: int, message: str) -> dict[str, Any]:
    """An error as ElevenLabs shapes it: `{"detail": {"status", "message"}}`."""
    code = _STATUS_CODES.get(status, "internal_server_error" if status >= 500 else "error")
    return {"detail": {"status": code, "message": message}}


def _error(status: int, message: str) -> Response:
    return error_response(error_body(status, message), status)


def _invalid(field_name: str, message: str, given: str) -> Response:
    # Query validation errors are 422 with a list of problems (FastAPI's shape).
    detail = [{"type": "value_error", "loc": ["query", field_name], "msg": message,
               "input": given}]
    return error_response({"detail": detail}, 422)


def check_auth(request: Request, api_key: str) -> Response | None:
    """None when `xi-api-key` holds `api_key`, else ElevenLabs' 401."""
    given = request.headers.get("xi-api-key")
    if not given:
        return _error(401, "Missing xi-api-key header: an API key is needed for this request")
    if given != api_key:
        return _error(401, "Invalid API key")
    return None


def state(request: Request) -> ElevenLabsState:
    """The simulated account of the app serving `request`."""
    return cast(ElevenLabsState, request.app.state.sim)


async def list_voices_v1(request: Request) -> Response:
    """`GET /v1/voices`: every voice of the account, unpaged."""
    sim = state(request)
    denied = check_auth(request, sim.api_key)
    return denied or json_response(request, {"voices": sim.voices})


def _matches_search(voice: dict[str, Any], needle: str) -> bool:
    haystack = [voice.get("name"), voice.get("description"), voice.get("category"),
                *voice.get("labels", {}).values()]
    return any(needle in str(text).casefold() for text in haystack if text)


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset}".encode()).decode()


def _offset(token: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not text.startswith(_TOKEN_PREFIX) or not text[len(_TOKEN_PREFIX):].isdigit():
        return None
    return int(text[len(_TOKEN_PREFIX):])


async def search_voices_v2(request: Request) -> Response:
    """`GET /v2/voices`: one page of the filtered, sorted voices, token-paged."""
    sim = state(request)
    denied = check_auth(request, sim.api_key)
    if denied is not None:
        return denied
    query = request.query_params
    raw_size = query.get("page_size", str(_DEFAULT_PAGE))
    if not raw_size.isdigit() or not 1 <= int(raw_size) <= _MAX_PAGE:
        return _invalid("page_size", f"Input should be an integer in 1..{_MAX_PAGE}", raw_size)
    size = int(raw_size)
    voices = sim.voices
    if search := query.get("search", "").strip().casefold():
        voices = [v for v in voices if _matches_search(v, search)]
    if category := query.get("category"):
        if category not in ("premade", "cloned", "generated", "professional"):
            return _invalid("category", "Input should be premade, cloned, generated or "
                            "professional", category)
        voices = [v for v in voices if v["category"] == category]
    if query.get("high_quality", "").lower() == "true":
        voices = [v for v in voices if v["category"] == "high_quality"]
    keep = _VOICE_TYPES.get(query.get("voice_type", ""))
    if keep is not None:  # an unknown voice_type filters nothing, as the API does
        voices = [v for v in voices if keep(v)]
    sort = query.get("sort")
    if sort in ("name", "created_at_unix"):
        descending = query.get("sort_direction", "asc" if sort == "name" else "desc") == "desc"
        blank = "" if sort == "name" else 0  # a voice may have no name
        voices = sorted(voices, key=lambda v: (v.get(sort) or blank, v["voice_id"]),
                        reverse=descending)
    start = 0
    if token := query.get("next_page_token"):
        found = _offset(token)
        if found is None:
            return _error(400, "Invalid next_page_token")
        start = found
    page = voices[start:start + size]
    has_more = start + size < len(voices)
    payload: dict[str, Any] = {
        "voices": page,
        "has_more": has_more,
        "total_count": len(voices),
        "next_page_token": _token(start + size) if has_more else None,
    }
    if query.get("include_total_count", "true").lower() == "false":
        payload["total_count"] = None
    return json_response(request, payload)


async def list_models(request: Request) -> Response:
    """`GET /v1/models`: every model, as a bare JSON list."""
    sim = state(request)
    denied = check_auth(request, sim.api_key)
    return denied or json_response(request, sim.models)


def _authorize(request: Request) -> Response | None:
    return check_auth(request, state(request).api_key)


ROUTES: list[BaseRoute] = [
    Route("/v1/voices", list_voices_v1, methods=["GET"]),
    Route("/v2/voices", search_voices_v2, methods=["GET"]),
    Route("/v1/models", list_models, methods=["GET"]),
    *elevenlabs_speech.tts_routes(_authorize, _error),
]


def create_app(sim: ElevenLabsState | None = None, routes: Sequence[BaseRoute] = ()) -> Starlette:
    """The ElevenLabs simulator app over `sim` (default: a fresh `ElevenLabsState`)."""
    app = Starlette(routes=[*ROUTES, *routes])
    app.state.sim = sim if sim is not None else ElevenLabsState()
    return app


def serve(sim: ElevenLabsState | None = None) -> SimServer:
    """A not-yet-started `SimServer` for the ElevenLabs simulator (`base_url` is the root)."""
    return SimServer(create_app(sim), name="elevenlabs", error_body=error_body)
