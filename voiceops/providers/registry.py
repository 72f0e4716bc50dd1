"""Build provider clients from profile sections: which class serves which provider, how a
section becomes a callable `Target`, and the pool that owns the shared connections.

    target = resolve_target(profile["tts"], os.environ, default_timeout_s=10, language="hi-IN")
    async with ProviderPool() as pool:
        tts = pool.tts(target, sample_rate=16000)
        async for pcm in tts.synthesize("Namaste!"):
            ...

The registries map a provider to `"module:Class"` and import it on first use: the SDKs cost
0.6 s (`openai`) and 1.35 s (`anthropic`) to import, and nothing that only validates may
pay that. Clients are cached per (provider, model, key, base URL, timeout, options), so
sessions on one profile share one client and its connections; the least recently used go
first once the pool holds `MAX_CLIENTS`.
"""

from __future__ import annotations

import importlib
import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, cast

from voiceops.config.interpolate import reference_name
from voiceops.errors import MissingKeyError, ProviderSetupError
from voiceops.provider_facts import PROVIDERS, Capability, base_url_override, env_key, title
from voiceops.providers.base import LLM, STT, TTS, Target
from voiceops.providers.http import SharedHttp, SharedTls
from voiceops.providers.transport.endpoint import base_url_for

__all__ = [
    "LLM_CLIENTS",
    "MAX_CLIENTS",
    "STT_CLIENTS",
    "TTS_CLIENTS",
    "PoolShard",
    "ProviderPool",
    "client_class",
    "preload",
    "resolve_target",
]

LLM_CLIENTS: Final[Mapping[str, str]] = {
    "openai": "voiceops.providers.openai.llm:OpenAILLM",
    "openai_compatible": "voiceops.providers.openai.llm:OpenAICompatibleLLM",
    "sarvam": "voiceops.providers.sarvam.llm:SarvamLLM",
    "anthropic": "voiceops.providers.anthropic.llm:AnthropicLLM",
}
TTS_CLIENTS: Final[Mapping[str, str]] = {
    "sarvam": "voiceops.providers.sarvam.tts:SarvamTTS",
    "elevenlabs": "voiceops.providers.elevenlabs.tts:ElevenLabsTTS",
}
STT_CLIENTS: Final[Mapping[str, str]] = {
    "sarvam": "voiceops.providers.sarvam.stt:SarvamSTT",
    "openai": "voiceops.providers.openai.stt:OpenAISTT",
}
_REGISTRIES: Final[Mapping[Capability, Mapping[str, str]]] = {
    "llm": LLM_CLIENTS, "tts": TTS_CLIENTS, "stt": STT_CLIENTS,
}
#: Settings that make the Target itself; everything else in a section is an option.
_TARGET_KEYS = frozenset({"provider", "model", "api_key", "base_url", "timeout_s", "fallbacks"})
#: Clients a pool keeps: every target of a large project on every shard (20 profiles of
#: 4 targets on 8 shards is 640), while a few KB each stays a few MB at most.
MAX_CLIENTS = 1024
#: The pip package each SDK-backed module needs, for the install hint.
_PACKAGES = {"openai": "openai", "anthropic": "anthropic", "httpx2": "openai"}


def resolve_target(
    section: Mapping[str, Any], env: Mapping[str, str], default_timeout_s: float, *,
    language: str | None = None,
) -> Target:
    """The `Target` of one profile section (`llm`, `tts`, `stt` or one of their fallbacks).

    - api_key: the `${VAR}` the section names, else the provider's usual variable
      (OPENAI_API_KEY...); `MissingKeyError` naming the variable when it is unset. An
      OpenAI-compatible server may need none.
    - base_url: the section's, else `<PROVIDER>_BASE_URL` from `env`, else the provider's.
    - timeout: the section's `timeout_s`, else `default_timeout_s`.
    - options: every other setting as written; `language` (the profile's) is added for
      the clients that send one, unless the section sets its own.
    """
    provider = section.get("provider")
    if not isinstance(provider, str) or not provider:
        raise ProviderSetupError("the section names no provider", provider=str(provider))
    model = section.get("model")
    timeout = section.get("timeout_s", default_timeout_s)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ProviderSetupError(f"{title(provider)}: timeout_s must be a positive number of "
                                 f"seconds, not {timeout!r}", provider=provider)
    written = section.get("base_url")
    base_url = (written if isinstance(written, str) and written else None) or \
        base_url_override(provider, env)
    if provider in PROVIDERS:  # the public root, or ProviderSetupError when there is none
        base_url = base_url_for(provider, base_url)
    extra = {k: v for k, v in section.items() if k not in _TARGET_KEYS}
    if language and "language" not in extra:
        extra["language"] = language
    return Target(
        provider=provider,
        model=model if isinstance(model, str) else "",
        api_key=_api_key(provider, section.get("api_key"), env),
        base_url=base_url,
        timeout_s=float(timeout),
        options=extra,
    )


def _api_key(provider: str, written: object, env: Mapping[str, str]) -> str | None:
    if written is not None:
        variable = reference_name(written)
        if variable is None:
            # Never echo the value: it may be a real key pasted into a file.
            example = env_key(provider) or "API_KEY"
            raise ProviderSetupError(
                f"{title(provider)}: api_key must be a reference such as ${{{example}}}, "
                "not a literal value", provider=provider)
    else:
        variable = env_key(provider)
    key = env.get(variable, "").strip() if variable else ""
    if key:
        return key
    if provider == "openai_compatible" and written is None:
        return None  # a local server (vLLM, Ollama) often needs no key
    raise MissingKeyError(
        f"{title(provider)}: no API key: set {variable}" if variable else
        f"{title(provider)}: no API key: write api_key: ${{VAR}} in the section",
        provider=provider, env_var=variable)


def client_class(capability: Capability, provider: str) -> type[Any]:
    """The client class serving `provider` for `capability`, imported now."""
    registry = _REGISTRIES[capability]
    spec = registry.get(provider)
    if spec is None:
        known = ", ".join(sorted(registry))
        raise ProviderSetupError(f"no {capability.upper()} client for provider {provider!r}; "
                                 f"choose one of {known}", provider=provider)
    module_name, _, class_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        package = _PACKAGES.get((exc.name or "").split(".")[0])
        if package is None:
            raise
        raise ProviderSetupError(
            f"{title(provider)} needs the {package!r} package: pip install {package}",
            provider=provider) from exc
    found: type[Any] = getattr(module, class_name)
    return found


def preload(profiles: Iterable[Mapping[str, Any]]) -> None:
    """Import now the client of every LLM, TTS and STT choice (fallbacks too) the effective
    `profiles` make, so no session pays for an SDK's import on the event loop.

    Raises ProviderSetupError when a provider's package is not installed.
    """
    from voiceops.catalog.references import targets

    for data in profiles:
        for target in targets(dict(data)):
            provider = target.data.get("provider")
            if isinstance(provider, str):
                client_class(cast(Capability, target.section), provider)


def _freeze(value: Any) -> str:
    # Options hold nested maps (tuning): JSON with sorted keys is a stable, hashable form.
    return json.dumps(value, sort_keys=True, default=repr)


class ProviderPool:
    """Builds and caches provider clients over shared connections; close it once at the end.

    `llm(target)`, `tts(target, sample_rate)` and `stt(target)` return the client for the
    target, building it on first use. Closing the pool closes every connection.

    It holds at most `max_clients`, dropping the least recently used: every reload that
    tweaks a setting and every preview with new tuning makes a new target, and a daemon
    that kept a client for each would grow for as long as it runs.

    Connections are split over `shards` pools: httpx's pool scans all of its connections
    for every request it assigns, so one pool serving hundreds of sessions spent more CPU
    on that scan than on the requests (measured at 200 sessions). `for_session()` hands a
    session one shard (the next in turn) for all of its calls, so each turn reuses the
    warm connections the session's earlier turns opened (a new TLS connection to a
    distant API costs 50-150 ms); calls made on the pool itself rotate over the shards.
    """

    def __init__(self, http: SharedHttp | None = None, shards: int = 8,
                 max_clients: int = MAX_CLIENTS) -> None:
        if max_clients < 1:
            raise ValueError(f"max_clients must be at least 1, not {max_clients}")
        tls = SharedTls()
        self._shards = [http] if http is not None else \
            [SharedHttp(tls) for _ in range(shards)]
        self.http = self._shards[0]
        self._turn = 0
        self._max_clients = max_clients
        # Least recently used first: each use moves a client to the end.
        self._clients: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    @property
    def clients(self) -> int:
        """How many clients the pool holds now (at most `max_clients`)."""
        return len(self._clients)

    def for_session(self) -> PoolShard:
        """The clients of one shard, for everything one session asks."""
        return PoolShard(self, self._next_shard())

    def llm(self, target: Target, *, shard: int | None = None) -> LLM:
        """The streaming LLM client for `target`."""
        client: LLM = self._client("llm", target, shard=shard)
        return client

    def tts(self, target: Target, sample_rate: int, *, shard: int | None = None) -> TTS:
        """The TTS client for `target`, producing PCM s16le mono at `sample_rate`."""
        client: TTS = self._client("tts", target, sample_rate, shard=shard)
        return client

    def stt(self, target: Target, *, shard: int | None = None) -> STT:
        """The STT client for `target`."""
        client: STT = self._client("stt", target, shard=shard)
        return client

    def _next_shard(self) -> int:
        self._turn = (self._turn + 1) % len(self._shards)
        return self._turn

    def _client(self, capability: Capability, target: Target, *extra: Any,
                shard: int | None) -> Any:
        index = self._next_shard() if shard is None else shard % len(self._shards)
        key = (capability, target.provider, target.model, target.api_key, target.base_url,
               target.timeout_s, _freeze(dict(target.options)), *extra, index)
        client = self._clients.get(key)
        if client is not None:
            self._clients.move_to_end(key)
            return client
        cls = client_class(capability, target.provider)
        client = cls(target, *extra, self._shards[index])
        self._clients[key] = client
        if len(self._clients) > self._max_clients:
            # Only the pool's reference goes: a session streaming from the client holds its
            # own and finishes. Nothing is closed, since clients own no connections (the
            # shards do, until `aclose`); an SDK client's close() would close its shard's.
            self._clients.popitem(last=False)
        return client

    async def aclose(self) -> None:
        """Close the shared connections; the pool's clients cannot be used afterwards."""
        self._clients.clear()
        for shard in self._shards:
            await shard.aclose()

    async def __aenter__(self) -> ProviderPool:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


@dataclass(frozen=True)
class PoolShard:
    """One shard of a `ProviderPool`: the same clients, always over the same connections."""

    pool: ProviderPool
    index: int

    def llm(self, target: Target) -> LLM:
        """The streaming LLM client for `target`, on this shard."""
        return self.pool.llm(target, shard=self.index)

    def tts(self, target: Target, sample_rate: int) -> TTS:
        """The TTS client for `target` at `sample_rate`, on this shard."""
        return self.pool.tts(target, sample_rate, shard=self.index)

    def stt(self, target: Target) -> STT:
        """The STT client for `target`, on this shard."""
        return self.pool.stt(target, shard=self.index)
