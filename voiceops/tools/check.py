"""`voiceops validate`'s tool checks for one profile (its `tools:` list, shared files read in).

- names: unique, and legal for every LLM provider the profile may call, fallbacks included;
- parameters: valid JSON Schema (draft 2020-12), of the subset the providers take (an object
  at the root; no top-level anyOf/oneOf/allOf for Anthropic; no `$ref` out of the schema);
- http: credentials only from `${ENV}`: none in the URL (user:password@, ?key=...), and a
  credential header (Authorization, X-Api-Key, ...) takes its secret from a reference;
- transfer_call: a target that is a phone number (E.164) or a SIP address;
- the prompt: a tool it tells the model to use that is not declared, and, when it names tools
  at all, a declared tool it never names (`voiceops.tools.mentions`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from voiceops.config.loader import LoadedProfile
from voiceops.diagnostics import Diagnostic, make
from voiceops.provider_facts import title
from voiceops.tools.rules import rules_for

__all__ = ["check_tools", "llm_providers"]

#: Header names that carry a credential: their value must come from a ${VAR}.
_CREDENTIAL_HEADER = re.compile(
    r"authorization|cookie|(?:^|[-_])(?:api[-_]?key|key|token|secret|signature|password)$", re.I)
_CREDENTIAL_QUERY = re.compile(
    r"(?:^|[-_])(?:api[-_]?key|key|token|secret|signature|password|sig|access[-_]token)$", re.I)
_REFERENCE = re.compile(r"(?<!\$)\$\{[A-Za-z_][A-Za-z0-9_]*\}")
_TARGET = re.compile(r"\+[1-9][0-9]{6,14}\Z|sips?:[^\s@]+@[^\s@]+\Z")


def llm_providers(data: Mapping[str, Any]) -> list[str]:
    """The LLM providers a profile may call: its own, then its fallbacks', each once."""
    llm = data.get("llm")
    if not isinstance(llm, dict):
        return []
    sections = [llm, *(f for f in llm.get("fallbacks") or () if isinstance(f, dict))]
    providers = [s.get("provider") for s in sections]
    return list(dict.fromkeys(p for p in providers if isinstance(p, str)))


def check_tools(profile: LoadedProfile) -> list[Diagnostic]:
    """Every problem of `profile`'s tools, each at the line of the value at fault (in the
    shared tools file when the tool comes from one)."""
    tools = profile.data.get("tools")
    if not isinstance(tools, list):
        return []
    found: list[Diagnostic] = []
    seen: dict[str, int] = {}
    providers = llm_providers(profile.data)
    for index, entry in enumerate(tools):
        if not isinstance(entry, dict):
            continue  # the schema says what is wrong with it
        at = ("tools", index)
        name = entry.get("name", entry.get("builtin"))
        if isinstance(name, str):
            found += _name(profile, at, name, seen, index, providers)
        parameters = entry.get("parameters")
        if isinstance(parameters, dict):
            found += _parameters(profile, (*at, "parameters"), parameters, providers)
        http = entry.get("http")
        if isinstance(http, dict):
            found += _http(profile, (*at, "http"), http)
        target = entry.get("target")
        if entry.get("builtin") == "transfer_call" and isinstance(target, str) \
                and not _TARGET.match(target):
            found.append(_at(profile, (*at, "target"), "VO905",
                             f"tools[{index}].target '{target}' is not a phone number or SIP "
                             "address", "write an E.164 number such as +919876543210, or "
                             "sip:desk@example.com"))
    return found


def _at(profile: LoadedProfile, path: tuple[str | int, ...], code: str, message: str,
        hint: str | None = None, key: bool = False) -> Diagnostic:
    mark = profile.marks.key(path) if key else profile.marks.value(path)
    return make(code, mark.path, mark.line, mark.col, message, hint)


def _name(profile: LoadedProfile, at: tuple[str | int, ...], name: str, seen: dict[str, int],
          index: int, providers: list[str]) -> list[Diagnostic]:
    where = (*at, "name") if "name" in profile.data["tools"][index] else (*at, "builtin")
    found = []
    if name in seen:
        found.append(_at(profile, where, "VO901",
                         f"tool name '{name}' is declared twice (tools[{seen[name]}] and "
                         f"tools[{index}])", "rename one: the LLM calls tools by name"))
    else:
        seen[name] = index
    refused = [p for p in providers if not rules_for(p).name.match(name)]
    if refused:
        names = ", ".join(title(p) for p in refused)
        found.append(_at(profile, where, "VO902",
                         f"tool name '{name}' is not valid for {names} "
                         f"({rules_for(refused[0]).name_rule})",
                         "use a name such as " + (re.sub(r"[^a-zA-Z0-9_-]+", "_", name)[:64]
                                                  or "check_availability")))
    return found


def _parameters(profile: LoadedProfile, at: tuple[str | int, ...], schema: dict[str, Any],
                providers: list[str]) -> list[Diagnostic]:
    from jsonschema import Draft202012Validator  # only for profiles that declare arguments

    found = []
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    for error in meta.iter_errors(schema):
        path = (*at, *error.absolute_path)
        found.append(_at(profile, path, "VO903",
                         f"{_dotted(path)}: not valid JSON Schema: {error.message}",
                         "see https://json-schema.org/understanding-json-schema/"))
    if found:
        return found
    if schema.get("type") != "object":
        found.append(_at(profile, (*at, "type") if "type" in schema else at, "VO904",
                         f"{_dotted(at)}: the LLM providers take an object schema at the "
                         "root (type: object)",
                         "write type: object with the arguments under properties:"))
    for provider in providers:
        for keyword in rules_for(provider).top_level_refused:
            if keyword in schema:
                found.append(_at(profile, (*at, keyword), "VO904",
                                 f"{_dotted(at)}: {title(provider)} refuses {keyword} at the "
                                 "root of a tool's schema", "move it into a property, or "
                                 "describe the choice in the description", key=True))
    for path, ref in _refs(schema, at):
        if not ref.startswith("#"):
            found.append(_at(profile, path, "VO904",
                             f"{_dotted(path)}: '{ref}' points outside the schema; the "
                             "providers resolve only local references (#/$defs/...)",
                             "copy the definition under $defs and refer to #/$defs/NAME"))
    required = schema.get("required")
    properties = schema.get("properties")
    if isinstance(required, list) and isinstance(properties, dict):
        for number, name in enumerate(required):
            if name not in properties:
                found.append(_at(profile, (*at, "required", number), "VO904",
                                 f"{_dotted(at)}: '{name}' is required but not among the "
                                 "properties: the model cannot know what to send",
                                 f"add {name} under properties:, or remove it from required"))
    return found


def _refs(node: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield (*path, key), value
            else:
                yield from _refs(value, (*path, key))
    elif isinstance(node, list):
        for number, value in enumerate(node):
            yield from _refs(value, (*path, number))


def _http(profile: LoadedProfile, at: tuple[str | int, ...],
          http: dict[str, Any]) -> list[Diagnostic]:
    found = []
    url = http.get("url")
    if isinstance(url, str):
        parts = urlsplit(url)
        if parts.username or parts.password:
            found.append(_at(profile, (*at, "url"), "VO906",
                             f"{_dotted(at)}.url carries credentials (user:password@); "
                             "secrets come only from the environment",
                             "send them in http.headers, e.g. Authorization: "
                             "\"Basic ${BOOKING_API_BASIC}\""))
        for key, _ in parse_qsl(parts.query, keep_blank_values=True):
            if _CREDENTIAL_QUERY.search(key):
                found.append(_at(profile, (*at, "url"), "VO906",
                                 f"{_dotted(at)}.url carries a credential in its query "
                                 f"('{key}='); secrets come only from the environment",
                                 "send it in http.headers from a ${VAR} instead"))
    headers = http.get("headers")
    for name, value in (headers.items() if isinstance(headers, dict) else ()):
        if isinstance(value, str) and _CREDENTIAL_HEADER.search(str(name)) \
                and not _REFERENCE.search(value):
            found.append(_at(profile, (*at, "headers", name), "VO906",
                             f"{_dotted(at)}.headers.{name} is a credential written into the "
                             "file; secrets come only from the environment",
                             f"write {name}: \"... ${{BOOKING_API_TOKEN}}\" and set the "
                             "variable where the profile is served"))
    return found


def _dotted(path: tuple[str | int, ...]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text
