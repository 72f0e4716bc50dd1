"""The read-only HTTP API: profiles, prompts, knowledge, catalogs, voice previews, health,
metrics."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from voiceops.catalog.listing import filter_voices, model_row, voice_row
from voiceops.errors import MissingKeyError, ProviderError, ProviderSetupError
from voiceops.provider_facts import PROVIDERS
from voiceops.providers.preview import apply_settings, preview, unusable
from voiceops.runtime.config import LiveProfile
from voiceops.runtime.retrieval import RetrievalFailed
from voiceops.server.state import Runner
from voiceops.suggest import did_you_mean
from voiceops.validation.render import redact


def _runner(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def problem(status: int, code: str, message: str, hint: str | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, **({"hint": hint} if hint else {})}}
    return JSONResponse(body, status_code=status)


async def healthz(request: Request) -> Response:
    runner = _runner(request)
    return JSONResponse({"status": "ok", "config_version": runner.registry.current.label})


async def status(request: Request) -> Response:
    return JSONResponse(_runner(request).status())


async def metrics(request: Request) -> Response:
    return Response(_runner(request).metrics.render(),
                    media_type="text/plain; version=0.0.4; charset=utf-8")


async def profiles(request: Request) -> Response:
    version = _runner(request).registry.current
    rows = []
    for profile in version.profiles.values():
        llm, tts, stt = (profile.section(s) for s in ("llm", "tts", "stt"))
        rows.append({
            "name": profile.name, "description": profile.data.get("description"),
            "language": profile.language, "optimization": profile.optimization,
            "llm": {"provider": llm.get("provider"), "model": llm.get("model")},
            "tts": {"provider": tts.get("provider"), "model": tts.get("model"),
                    "voice": tts.get("voice")},
            "stt": {"provider": stt.get("provider"), "model": stt.get("model")},
            "config_version": version.label,
        })
    return JSONResponse(sorted(rows, key=lambda r: r["name"]))


def _profile(request: Request) -> LiveProfile | Response:
    version = _runner(request).registry.current
    name = request.path_params["name"]
    profile = version.profiles.get(name)
    if profile is None:
        return problem(404, "unknown_profile", f"no profile '{name}'",
                       did_you_mean(name, version.profiles))
    return profile


async def profile_detail(request: Request) -> Response:
    profile = _profile(request)
    if isinstance(profile, Response):
        return profile
    data = redact(dict(profile.data))
    return JSONResponse({"name": profile.name, "path": profile.path,
                         "config_version": _runner(request).registry.current.label,
                         "profile": data})


async def profile_prompt(request: Request) -> Response:
    profile = _profile(request)
    if isinstance(profile, Response):
        return profile
    return JSONResponse({"name": profile.name, "system": profile.prompt.system,
                         "first_message": profile.prompt.first_message})


MAX_QUERY_CHARS = 2000  # a question, or a transcript with its last exchange


async def profile_knowledge(request: Request) -> Response:
    """`?q=`: the passages the profile's turns would get for q, as `voiceops knowledge
    PROFILE Q --format json` prints them ({"passages": [{id, source, line, score, text}]});
    without q: its `rag` settings and the files each source glob matches."""
    profile = _profile(request)
    if isinstance(profile, Response):
        return profile
    retrieval = profile.retrieval
    if retrieval is None:
        return problem(404, "no_knowledge", f"profile '{profile.name}' has no knowledge",
                       "set rag: {enabled: true, sources: [knowledge/*.md]} in its file")
    query = request.query_params.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        return problem(400, "bad_request", f"q is limited to {MAX_QUERY_CHARS} characters")
    if not query:
        s = retrieval.settings
        globs = retrieval.base.globs if retrieval.base is not None else {}
        return JSONResponse({
            "enabled": s.enabled, "top_k": s.top_k, "max_chars": s.max_chars,
            "retriever": s.retriever.url if s.retriever else None,
            "sources": [{"glob": g, "files": list(globs.get(g, ()))} for g in s.sources],
            "passages": []})
    try:
        passages = await retrieval.passages(query, profile.name, _runner(request).env)
    except RetrievalFailed as exc:
        return problem(502, "retrieval_failed", str(exc))
    return JSONResponse({"passages": [asdict(p) for p in passages]})


def _providers(capability: str) -> list[dict[str, Any]]:
    return [{"name": p.name, "title": p.title, "env_key": p.env_key,
             "has_catalog": p.has_catalog}
            for p in PROVIDERS.values() if capability in p.capabilities]


async def llm_providers(request: Request) -> Response:
    return JSONResponse(_providers("llm"))


async def tts_providers(request: Request) -> Response:
    return JSONResponse(_providers("tts"))


def _asked(request: Request, capability: str) -> list[str]:
    """The providers a listing covers: `?provider=`, else all with the capability."""
    wanted = request.query_params.get("provider")
    return [wanted] if wanted else [p["name"] for p in _providers(capability)]


async def llm_models(request: Request) -> Response:
    catalog = _runner(request).catalog()
    rows = [model_row(m) for name in _asked(request, "llm") for m in catalog.models(name)
            if m.kind in ("chat", "realtime") and not m.retired]
    return JSONResponse(rows)


async def tts_models(request: Request) -> Response:
    """TTS models with the tuning each accepts ({name: {min, max, default}})."""
    catalog = _runner(request).catalog()
    return JSONResponse([model_row(m) for name in _asked(request, "tts")
                         for m in catalog.models(name, "tts") if not m.retired])


async def tts_voices(request: Request) -> Response:
    catalog = _runner(request).catalog()
    query = request.query_params
    names = _asked(request, "tts")
    voices = filter_voices((v for n in names for v in catalog.voices(n)),
                           custom=query.get("custom") in ("1", "true", "yes"),
                           gender=query.get("gender") or None,
                           language=query.get("language") or None,
                           search=query.get("search") or None)
    return JSONResponse([voice_row(v) for v in voices])


async def tts_preview(request: Request) -> Response:
    """POST {profile?, provider?, model?, voice?, tuning?, text?, sample_rate?} -> audio/wav.

    Voices may be named ("Sarah"): they are resolved through the catalog as profiles are.
    Input no provider could take is a 400 with one line saying where it is.
    """
    runner = _runner(request)
    try:
        body = await request.json()
    except ValueError:
        return problem(400, "bad_json", "the body must be a JSON object")
    if not isinstance(body, dict):
        return problem(400, "bad_json", "the body must be a JSON object")
    if (wrong := unusable(body) or _mistyped(body)) is not None:
        return problem(400, "bad_request", wrong)
    section: dict[str, Any] = {}
    text = body.get("text")
    language = body.get("language")
    if body.get("profile"):
        profile = runner.registry.current.profiles.get(body["profile"])
        if profile is None:
            return problem(404, "unknown_profile", f"no profile '{body['profile']}'")
        section = dict(profile.section("tts"))
        text = text or profile.prompt.first_message
        language = language or profile.language
    overrides = {k: body[k] for k in ("provider", "model", "voice", "tuning") if k in body}
    if "voice" in overrides:
        section.pop("voice_name", None)  # the profile's voice, resolved: not this one
    section = apply_settings(section, overrides)
    if not section.get("provider") or not section.get("voice"):
        return problem(400, "bad_request", "name a profile, or a provider and a voice")
    if not text or not text.strip():
        text = "Hello! This is how I sound."
    rate = body.get("sample_rate", 22050)
    if rate not in (8000, 16000, 22050, 24000) or isinstance(rate, bool):
        return problem(400, "bad_request", "sample_rate must be 8000, 16000, 22050 or 24000")
    try:
        wav = await preview(section, text, providers=runner.providers, resolve=runner.resolve,
                            env=runner.env, sample_rate=rate, language=language,
                            catalog=runner.catalog())
    except MissingKeyError as exc:
        runner.metrics.error("preview_failed")
        return problem(502, "provider_failed", str(exc))
    except ProviderSetupError as exc:  # the request as set up cannot be made
        return problem(400, "bad_request", str(exc))
    except ProviderError as exc:
        runner.metrics.error("preview_failed")
        return problem(502, "provider_failed", str(exc))
    return Response(wav, media_type="audio/wav")


_PREVIEW_FIELDS = {"profile": str, "provider": str, "model": str, "voice": str, "text": str,
                   "language": str, "tuning": dict}


def _mistyped(body: dict[str, Any]) -> str | None:
    """The first preview field of the wrong type, as a message; None when all are right."""
    for name, kind in _PREVIEW_FIELDS.items():
        value = body.get(name)
        if value is not None and not isinstance(value, kind):
            wanted = "a mapping" if kind is dict else "a string"
            return f"{name} must be {wanted}, not {type(value).__name__}"
    return None


async def not_found(request: Request) -> Response:
    return problem(404, "not_found", f"no route {request.url.path}")


ROUTES = [
    Route("/healthz", healthz),
    Route("/metrics", metrics),
    Route("/v1/status", status),
    Route("/v1/profiles", profiles),
    Route("/v1/profiles/{name}", profile_detail),
    Route("/v1/profiles/{name}/prompt", profile_prompt),
    Route("/v1/profiles/{name}/knowledge", profile_knowledge),
    Route("/v1/llm/providers", llm_providers),
    Route("/v1/llm/models", llm_models),
    Route("/v1/tts/providers", tts_providers),
    Route("/v1/tts/models", tts_models),
    Route("/v1/tts/voices", tts_voices),
    Route("/v1/tts/preview", tts_preview, methods=["POST"]),
]
