"""Per-model parameter rules: which request settings a model takes, read from the catalog data.

The facts (accepted values and defaults, parameters refused outright or only under a
condition, reasoning that eats the reply budget, disputed tuning, account-gated voices) live
in `voiceops/catalog/data/<provider>.json` under `rules`, each with its `source`, the date it
was `seen` and a `status`:

- ``verified`` / ``verified-2nd``: an official source (or live reports) says so; a breach is
  refused by the provider, so `validate` reports an error and the simulators refuse it.
- ``conflict`` / ``unverified`` / ``assumed``: sources disagree or none was found; a breach is
  a warning and the simulators let it through.

One reader for every user: `validate` (`voiceops.catalog.check`), the LLM clients (the
reasoning effort to send), the simulators (`refusal`) and `voiceops probe`.

    model = for_model("openai", "gpt-5.1")
    model.lowest_effort()                 # "none"
    model.check({"temperature": 0.3, "reasoning_effort": "low"})   # [Finding(..., firm=True)]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from typing import Any, Final, Literal

from voiceops.catalog.snapshot import bundled_data

__all__ = ["FIRM", "STATUSES", "Finding", "ModelRules", "ParamRule", "Refusal", "for_model",
           "provider_rules"]

Status = Literal["verified", "verified-2nd", "conflict", "unverified", "assumed"]
Kind = Literal["values", "only_when", "refused", "reasoning_budget", "disputed", "gated"]
STATUSES: Final[frozenset[str]] = frozenset(
    {"verified", "verified-2nd", "conflict", "unverified", "assumed"})
KINDS: Final[frozenset[str]] = frozenset(
    {"values", "only_when", "refused", "reasoning_budget", "disputed", "gated"})
#: Statuses firm enough to call a breach an error (and to have the simulators refuse it).
FIRM: Final[frozenset[str]] = frozenset({"verified", "verified-2nd"})
_KEYS: Final = frozenset({"kind", "param", "models", "values", "disputed_values", "default",
                          "wire", "when", "min", "max", "voices", "flag", "status", "source",
                          "seen", "note", "error", "api_version", "instead"})
#: The profile's word for "reasoning off", whatever a provider sends for it.
OFF: Final = "none"


@dataclass(frozen=True)
class Refusal:
    """What the provider answers to a refused request: status and its error's fields."""

    status: int
    message: str
    code: str | None = None
    type: str | None = None
    param: str | None = None


@dataclass(frozen=True)
class ParamRule:
    """One dated fact about one request parameter of some models of one provider."""

    provider: str
    kind: Kind
    param: str
    models: tuple[str, ...]
    status: Status
    source: str
    seen: str
    note: str | None = None
    values: tuple[str, ...] = ()
    disputed_values: tuple[str, ...] = ()
    default: str | None = None
    wire: Mapping[str, Any] = field(default_factory=dict)
    when: str | None = None
    min: float | None = None
    max: float | None = None
    voices: tuple[str, ...] = ()
    flag: str | None = None
    api_version: str | None = None
    instead: str | None = None  # the model to use instead (a reasoning budget's hint)
    error: Mapping[str, Any] = field(default_factory=dict)

    @property
    def firm(self) -> bool:
        return self.status in FIRM

    def matches(self, model: str) -> bool:
        return any(fnmatchcase(model, pattern) for pattern in self.models)

    def refusal(self, model: str, value: object = None, supported: str = "") -> Refusal | None:
        """The provider's answer to a breach of this rule, from the recorded error."""
        if not self.error:
            return None
        message = str(self.error["message"]).format(param=self.param, model=model,
                                                    value=value, supported=supported)
        return Refusal(int(self.error["status"]), message, self.error.get("code"),
                       self.error.get("type"), self.param)


@dataclass(frozen=True)
class Finding:
    """A setting the rules object to: `firm` ones are refused by the provider."""

    param: str
    message: str
    hint: str | None
    rule: ParamRule
    firm: bool
    refusal: Refusal | None = None


def _fail(origin: str, index: int, problem: str) -> RuntimeError:
    return RuntimeError(f"bundled catalog {origin}: rules[{index}] {problem} "
                        "(a packaging bug in voiceops/catalog/data)")


def _rule(provider: str, origin: str, index: int, raw: object) -> ParamRule:
    if not isinstance(raw, dict):
        raise _fail(origin, index, "must be an object")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _fail(origin, index, f"has an unknown field {unknown[0]!r}")
    for key in ("kind", "param", "status", "source", "seen"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise _fail(origin, index, f"needs a non-empty string {key!r}")
    if raw["kind"] not in KINDS or raw["status"] not in STATUSES:
        raise _fail(origin, index, f"has kind {raw['kind']!r} / status {raw['status']!r}")
    models = raw.get("models")
    if not isinstance(models, list) or not models:
        raise _fail(origin, index, "needs a list of model ids or patterns in 'models'")
    return ParamRule(
        provider=provider, kind=raw["kind"], param=raw["param"], models=tuple(models),
        status=raw["status"], source=raw["source"], seen=raw["seen"], note=raw.get("note"),
        values=tuple(raw.get("values", ())), disputed_values=tuple(raw.get("disputed_values", ())),
        default=raw.get("default"), wire=dict(raw.get("wire", {})), when=raw.get("when"),
        min=raw.get("min"), max=raw.get("max"), voices=tuple(raw.get("voices", ())),
        flag=raw.get("flag"), api_version=raw.get("api_version"),
        instead=raw.get("instead"), error=dict(raw.get("error", {})))


@cache
def provider_rules(provider: str) -> tuple[ParamRule, ...]:
    """Every rule the bundled data records for `provider` (none for an unknown provider)."""
    origin = f"data/{provider}.json"
    data = bundled_data(provider)
    raw: list[Any] = data.get("rules", []) if data is not None else []
    return tuple(_rule(provider, origin, i, r) for i, r in enumerate(raw))


@cache
def for_model(provider: str, model: str) -> ModelRules:
    """The rules that apply to `model` of `provider`."""
    return ModelRules(provider, model,
                      tuple(r for r in provider_rules(provider) if r.matches(model)))


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(values)


@dataclass(frozen=True)
class ModelRules:
    """The rules of one model, and what they say about a set of settings."""

    provider: str
    model: str
    rules: tuple[ParamRule, ...]

    def _first(self, kind: str, param: str) -> ParamRule | None:
        return next((r for r in self.rules if r.kind == kind and r.param == param), None)

    def values(self, param: str) -> ParamRule | None:
        """The rule listing the values `param` takes on this model, if any."""
        return self._first("values", param)

    def disputed(self, param: str) -> ParamRule | None:
        """The rule saying sources disagree on whether this model takes `param`."""
        return self._first("disputed", param)

    def gated(self, voice: str) -> ParamRule | None:
        """The rule saying `voice` needs an account flag, if one does."""
        return next((r for r in self.rules if r.kind == "gated" and voice in r.voices), None)

    def lowest_effort(self) -> str | None:
        """The lowest `reasoning_effort` this model takes (for `optimization: latency`)."""
        rule = self.values("reasoning_effort")
        return rule.values[0] if rule and rule.values else None

    def wire(self, param: str, value: Any) -> Any:
        """`value` as the provider's API wants it sent (Sarvam's reasoning off is null)."""
        rule = self.values(param)
        return rule.wire.get(value, value) if rule is not None and isinstance(value, str) \
            else value

    def check(self, settings: Mapping[str, Any], *,
              api_version: str | None = None) -> list[Finding]:
        """What the rules object to in `settings` (profile names: temperature, top_p,
        max_tokens, reasoning_effort). `api_version`: the one a request names; None means
        the one the installed SDK sends, for which every rule holds."""
        found: list[Finding] = []
        for rule in self.rules:
            if rule.api_version and api_version and rule.api_version != api_version:
                continue
            checker = _CHECKS.get(rule.kind)
            finding = checker(self, rule, settings) if checker else None
            if finding is not None:
                found.append(finding)
        return found

    def effort(self, settings: Mapping[str, Any]) -> tuple[str | None, bool]:
        """(the reasoning effort in force, whether that is known firmly)."""
        given = settings.get("reasoning_effort")
        if isinstance(given, str):
            return given, True
        rule = self.values("reasoning_effort")
        if rule is None or rule.default is None:
            return None, False
        return rule.default, rule.firm


def _values(rules: ModelRules, rule: ParamRule, settings: Mapping[str, Any]) -> Finding | None:
    value = settings.get(rule.param)
    if not isinstance(value, str) or value in rule.values:
        return None
    supported = _listed(rule.values)
    if value in rule.disputed_values:
        return Finding(rule.param, f"{rules.model} {rule.param} '{value}': sources disagree "
                       "whether it is accepted", f"{rule.note or ''} Safe values: "
                       f"{supported}".strip(), rule, firm=False)
    quoted = ", ".join(f"'{v}'" for v in rule.values)
    # where sources disagree on some values (`disputed_values`), one that no source lists
    # at all is refused whatever the rule's status
    return Finding(rule.param, f"{rules.model} does not take {rule.param} '{value}'",
                   f"it takes: {supported}", rule, firm=rule.firm or bool(rule.disputed_values),
                   refusal=rule.refusal(rules.model, value, quoted))


def _refused(rules: ModelRules, rule: ParamRule, settings: Mapping[str, Any]) -> Finding | None:
    if settings.get(rule.param) is None:
        return None
    version = f" (API version {rule.api_version})" if rule.api_version else ""
    return Finding(rule.param, f"{rules.model} refuses {rule.param}{version}",
                   f"remove {rule.param}", rule, firm=rule.firm,
                   refusal=rule.refusal(rules.model, settings.get(rule.param)))


def _only_when(rules: ModelRules, rule: ParamRule, settings: Mapping[str, Any]) -> Finding | None:
    if settings.get(rule.param) is None or rule.when is None:
        return None
    effort, known = rules.effort(settings)
    if effort in rule.values:
        return None
    allowed = " or ".join(rule.values)
    said = f"{rule.when} is '{effort}'" if effort else f"{rule.when} is not set"
    effort_rule = rules.values(rule.when)
    hint = (f"set {rule.when}: {allowed}" if effort_rule is None
            or any(v in effort_rule.values for v in rule.values)
            else f"{rules.model} cannot take {rule.when} {allowed}: remove {rule.param}")
    return Finding(rule.param, f"{rules.model} takes {rule.param} only when {rule.when} is "
                   f"{allowed}, and {said}", hint, rule, firm=rule.firm and known,
                   refusal=rule.refusal(rules.model, settings.get(rule.param)))


def _budget(rules: ModelRules, rule: ParamRule, settings: Mapping[str, Any]) -> Finding | None:
    limit = settings.get(rule.param)
    effort = settings.get(rule.when or "")
    if not isinstance(limit, int) or rule.min is None or limit >= rule.min or effort == OFF:
        return None
    how = f"reasons at '{effort}'" if isinstance(effort, str) else "reasons by default"
    return Finding(rule.param, f"{rules.model} {how} and its reasoning tokens count against "
                   f"{rule.param}: {limit} can end in empty replies with finish_reason "
                   "'length'", f"for voice use {rule.instead or 'a conversational model'}, "
                   f"or set {rule.when}: {OFF}, or {rule.param} of {int(rule.min)} or more",
                   rule, firm=False)


_CHECKS = {"values": _values, "refused": _refused, "only_when": _only_when,
           "reasoning_budget": _budget}
