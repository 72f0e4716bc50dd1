"""Check a profile's models, voices, languages and tuning against the provider catalogs.

Runs on the effective profile after the schema check; it tolerates values of the wrong
type (the schema has reported them) so one run still shows every problem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace

from voiceops import languages
from voiceops.catalog import rules
from voiceops.catalog.endpoints import PROVIDER as ENDPOINTS
from voiceops.catalog.endpoints import endpoint_of
from voiceops.catalog.references import SECTION_APIS, SECTION_KINDS, Key, Target, targets
from voiceops.catalog.resolve import Catalog
from voiceops.catalog.types import Api, Model
from voiceops.config.loader import LoadedProfile
from voiceops.config.settings import schema_default
from voiceops.diagnostics import Diagnostic, make
from voiceops.project import LOCK
from voiceops.provider_facts import PROVIDERS, title
from voiceops.suggest import closest, did_you_mean

_LOCK_HINT = "if it is new or your account's own, pin it with `voiceops lock`"


def check_catalog(profile: LoadedProfile, catalog: Catalog,
                  env: Mapping[str, str] | None = None) -> list[Diagnostic]:
    """Every catalog problem of `profile`'s LLM, TTS and STT choices and their fallbacks;
    `env` gives OPENAI_COMPATIBLE_BASE_URL to choices that name no server."""
    checker = _Checker(profile, catalog, os.environ if env is None else env)
    for target in targets(profile.data):
        checker.target(target)
    return checker.found


class _Checker:
    def __init__(self, profile: LoadedProfile, catalog: Catalog,
                 env: Mapping[str, str]) -> None:
        self.profile = profile
        self.catalog = catalog
        self.env = env
        self.found: list[Diagnostic] = []
        language = profile.data.get("language")
        self.language = language if isinstance(language, str) else None
        optimization = (profile.data.get("optimization") or schema_default("optimization"))
        self.optimization = optimization if isinstance(optimization, str) else "balanced"

    def report(self, code: str, path: Key, message: str, hint: str | None = None) -> None:
        self.found.append(make(code, *self.profile.marks.place(path), message, hint))

    def target(self, target: Target) -> None:
        provider = target.data.get("provider")
        if not isinstance(provider, str) or provider not in PROVIDERS:
            return  # the schema reported it
        info = PROVIDERS[provider]
        if target.section not in info.capabilities:
            self.report("VO400", (*target.path, "provider"),
                        f"{info.title} offers no {target.section.upper()} service",
                        did_you_mean(provider, [p for p, i in PROVIDERS.items()
                                                if target.section in i.capabilities]))
            return
        if provider == ENDPOINTS:
            self.served(target)
            return
        if not info.has_catalog or self.catalog.provider(provider) is None:
            return
        model = self.model(target, provider)
        if model is None:
            return
        if target.section == "tts":
            self.voice(target, provider, model)
            self.tuning(target, model)
        elif target.section == "llm":
            self.settings(target, model)
        speaks = not self.language or languages.supports(model.languages, self.language)
        if target.section in ("tts", "stt") and not speaks:
            self.report("VO403", (*target.path, "model"),
                        f"{model.id} does not speak {self.language} "
                        f"({languages.name(self.language or '')})",
                        _other_models(self.catalog, provider, model.kind, self.language or ""))
        if target.main:
            self.speed(target, model)

    def model(self, target: Target, provider: str) -> Model | None:
        model_id = target.data.get("model")
        if not isinstance(model_id, str):
            return None
        kind = SECTION_KINDS[target.section]
        model = self.catalog.model(provider, model_id)
        path = (*target.path, "model")
        if model is None:
            names = [m.id for m in self.catalog.models(provider, kind)]
            hint = did_you_mean(model_id, names) or _LOCK_HINT
            self.report("VO401", path, f"unknown {title(provider)} {_noun(kind)} '{model_id}'",
                        hint)
            return None
        if model.kind != kind and not (kind == "chat" and model.kind == "realtime"):
            self.report("VO401", path,
                        f"'{model_id}' is {_a(_noun(model.kind))}, not {_a(_noun(kind))}",
                        did_you_mean(model_id, [m.id for m in self.catalog.models(provider,
                                                                                   kind)]))
            return None
        model = self.facts(model)
        needed = SECTION_APIS[target.section]
        if model.apis and needed not in model.apis:
            self.report("VO401", path,
                        f"{model_id} works only on {_either(model.apis)}, but voiceops "
                        f"{_CALLS[needed]}",
                        self._on_api(model, needed))
            return None
        self.pinned(target, "model", model_id)
        if model.retired:
            self.report("VO401", path, f"{title(provider)} no longer serves {model_id}",
                        model.deprecated)
        elif model.deprecated:
            self.report("VO405", path, f"{model_id} is deprecated", model.deprecated)
        return model

    def facts(self, model: Model) -> Model:
        """`model` with what any source says about calls to it failing."""
        return _with_newest_facts(model, self.catalog.entries(model.provider, model.id))

    def _on_api(self, model: Model, api: Api) -> str | None:
        """A hint naming current models of the section's kind that work on `api`."""
        kind = "chat" if api == "chat" else model.kind
        able = [m.id for m in map(self.facts, self.catalog.models(model.provider, kind))
                if (not m.apis or api in m.apis) and not m.deprecated
                and (kind == "chat" or not self.language
                     or languages.supports(m.languages, self.language))]
        return (f"{title(model.provider)} models that {_ABLE[api]}: {', '.join(able[:3])}"
                if able else None)

    def served(self, target: Target) -> None:
        """An OpenAI-compatible choice: is its model on its server's list (when asked)?"""
        endpoint = endpoint_of(target.data, self.env)
        listing = self.catalog.served(endpoint.base_url) if endpoint else None
        model_id = target.data.get("model")
        if endpoint is None or listing is None or not isinstance(model_id, str):
            return
        path = (*target.path, "model")
        chat = [m.id for m in listing.models if m.kind in ("chat", "realtime")]
        found = next((m for m in listing.models if m.id == model_id), None)
        if found is None:
            listed = f"it serves: {', '.join(chat[:6])}" if chat else "it lists no chat models"
            self.report("VO401", path,
                        f"the server at {endpoint.base_url} serves no model '{model_id}'",
                        did_you_mean(model_id, chat) or listed)
        elif found.id not in chat:
            self.report("VO401", path, f"'{model_id}' is {_a(_noun(found.kind))}, not a "
                        f"{_noun('chat')}", did_you_mean(model_id, chat))

    def voice(self, target: Target, provider: str, model: Model) -> None:
        ref = target.data.get("voice")
        if not isinstance(ref, str):
            return
        path = (*target.path, "voice")
        voice = self.catalog.voice(provider, ref)
        if voice is None:
            retired = self.catalog.retired_voice(provider, ref)
            if retired:
                self.report("VO402", path, f"{title(provider)} retired the voice '{ref}'",
                            retired)
                return
            self.report("VO402", path, f"no {title(provider)} voice '{ref}'",
                        _close_voices(self.catalog, provider, ref) or _LOCK_HINT)
            return
        self.pinned(target, "voice", ref)
        gated = rules.for_model(provider, model.id).gated(voice.id)
        if gated is not None:
            self.report("VO414", path, f"voice '{voice.name}' needs the {gated.flag} flag on "
                        f"the {title(provider)} account ({gated.status}, seen {gated.seen})",
                        f"{gated.note or ''} Ask {title(provider)} for {gated.flag}; "
                        "`voiceops probe` shows whether your key can use it".strip())
        if voice.models and model.id not in voice.models:
            self.report("VO402", path,
                        f"voice '{voice.name}' is not available on {model.id}",
                        f"it works with {', '.join(voice.models)}")
        if (self.language and voice.languages
                and not languages.speaks(voice.languages, self.language)):
            self.report("VO408", path,
                        f"voice '{voice.name}' is not verified for {self.language}",
                        f"it is verified for {', '.join(voice.languages)}")

    def pinned(self, target: Target, what: str, ref: str) -> None:
        provider = str(target.data["provider"])
        if not self.catalog.is_pinned(provider, what, ref):
            self.report("VO410", (*target.path, what),
                        f"{title(provider)} {what} '{ref}' is not in {LOCK}",
                        "run `voiceops lock` to pin it")

    def tuning(self, target: Target, model: Model) -> None:
        tuning = target.data.get("tuning")
        if not isinstance(tuning, dict) or not model.tuning:
            return
        provider_keys = {k for m in self.catalog.models(model.provider, "tts") for k in m.tuning}
        for key, value in tuning.items():
            path = (*target.path, "tuning", key)
            disputed = rules.for_model(model.provider, model.id).disputed(key)
            if key not in model.tuning and disputed is not None:
                self.report("VO414", path, f"{model.id} '{key}': sources disagree whether it "
                            f"is accepted ({disputed.status}, seen {disputed.seen})",
                            f"{disputed.note or ''} voiceops has it not sent to {model.id} "
                            "until a probe shows the API takes it".strip())
                continue
            if key not in model.tuning:
                if key in provider_keys:  # keys unknown to the provider: the schema said so
                    accepted = ", ".join(model.tuning) or "none"
                    self.report("VO404", path, f"{model.id} does not accept '{key}'",
                                f"{model.id} accepts: {accepted}")
                continue
            limits = model.tuning[key]
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            if is_number and not limits.contains(float(value)):
                self.report("VO404", path,
                            f"{key} {value} is outside {model.id}'s range "
                            f"{limits.min:g}..{limits.max:g}")
        rate = target.data.get("sample_rate")
        if isinstance(rate, int) and model.sample_rates and rate not in model.sample_rates:
            self.report("VO404", (*target.path, "sample_rate"),
                        f"{model.id} cannot produce {rate} Hz",
                        f"choose one of {', '.join(map(str, model.sample_rates))}")

    def settings(self, target: Target, model: Model) -> None:
        """LLM settings the model's parameter rules refuse (errors) or doubt (warnings)."""
        for finding in rules.for_model(model.provider, model.id).check(target.data):
            where = finding.param if finding.param in target.data else "model"
            source = "" if finding.firm else f" [{finding.rule.status}, seen {finding.rule.seen}]"
            self.report("VO413" if finding.firm else "VO414", (*target.path, where),
                        finding.message + source, finding.hint)

    def speed(self, target: Target, model: Model) -> None:
        if self.optimization != "latency":
            return
        path = (*target.path, "model")
        faster = _fast_models(self.catalog, model)
        if not model.streaming:
            self.report("VO406", path,
                        f"{model.id} cannot stream, but optimization is latency",
                        faster or "choose a streaming model or `optimization: balanced`")
        elif model.latency == "high":
            self.report("VO407", path, f"{model.id} is slow for optimization: latency",
                        faster)


def _with_newest_facts(model: Model, entries: list[Model]) -> Model:
    """`model` (as the first source has it) with what any source says about calls failing:
    a lock pinned before a retirement, or before APIs were recorded, must not hide them."""
    retired = next((m for m in entries if m.retired), None)
    apis = model.apis or next((m.apis for m in entries if m.apis), ())
    if retired is not None and not model.retired:
        model = replace(model, deprecated=retired.deprecated, replaced_by=retired.replaced_by)
    return replace(model, apis=apis) if apis != model.apis else model


def _close_voices(catalog: Catalog, provider: str, ref: str) -> str | None:
    """"did you mean 'Rachel' (21m00Tcm4TlvDq8ikWAM)?", matching names and ids alike."""
    pool = catalog.voices(provider)
    by_key = {v.name: v for v in pool} | {v.id: v for v in pool}
    shown: list[str] = []
    for key in closest(ref, by_key):
        voice = by_key[key]
        label = f"'{voice.name}'" + ("" if voice.id.casefold() == voice.name.casefold()
                                     else f" ({voice.id})")
        if label not in shown:
            shown.append(label)
    return "did you mean " + " or ".join(shown) + "?" if shown else None


_API_NOUNS: dict[str, str] = {
    "chat": "chat completions", "file": "transcription of recorded files",
    "stream": "live audio streams", "realtime": "the Realtime API (speech to speech)",
    "speech": "speech synthesis"}
#: What voiceops's clients do on each API they call (the values of SECTION_APIS).
_CALLS: dict[str, str] = {
    "chat": "asks chat completions for each reply",
    "file": "sends each spoken turn as a recorded file",
    "speech": "asks for speech synthesis"}
_ABLE: dict[str, str] = {"chat": "answer chat completions",
                         "file": "transcribe recorded files", "speech": "synthesize speech"}


def _either(apis: tuple[Api, ...]) -> str:
    return " or ".join(_API_NOUNS[a] for a in apis)


def _noun(kind: str) -> str:
    return {"chat": "chat model", "realtime": "realtime model", "stt": "speech-to-text model",
            "tts": "text-to-speech model", "embedding": "embedding model"}.get(kind, "model")


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _fast_models(catalog: Catalog, model: Model) -> str | None:
    fast = [m.id for m in catalog.models(model.provider, model.kind)
            if m.streaming and m.latency == "low" and not m.deprecated]
    return f"low-latency {title(model.provider)} options: {', '.join(fast[:4])}" if fast else None


def _other_models(catalog: Catalog, provider: str, kind: str, language: str) -> str | None:
    able = [m.id for m in catalog.models(provider) if m.kind == kind
            and languages.supports(m.languages, language) and not m.deprecated]
    return f"models that do: {', '.join(able[:4])}" if able else None
