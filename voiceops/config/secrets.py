"""Find API keys written into files. Keys belong in the environment, never in git.

The message never repeats the value: printing a leaked key into CI logs leaks it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from voiceops.config.interpolate import reference_name, secret_field
from voiceops.config.yamlread import Document, Key
from voiceops.diagnostics import Diagnostic, make
from voiceops.provider_facts import PROVIDERS, env_key

#: (what it looks like, pattern) for keys recognisable anywhere, in any field.
_KEY_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an Anthropic key", re.compile(r"sk-ant-[A-Za-z0-9_-]{16,}")),
    ("an OpenAI key", re.compile(r"sk-(?:proj-|svcacct-)?[A-Za-z0-9_-]{20,}")),
    ("an ElevenLabs key", re.compile(r"sk_[0-9a-f]{40,}")),
)
#: Fields whose name says they hold a credential.
_KEY_FIELD = re.compile(r"(?:^|_)(?:api_?key|key|token|secret|password|subscription_key)\Z", re.I)
#: 32+ characters of hex or base64 alphabet: the shape of most provider keys.
_OPAQUE = re.compile(r"[A-Za-z0-9+/=_-]{32,}\Z")
#: Variables whose name says they hold a credential.
_CREDENTIAL_VARIABLE = re.compile(
    r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|AUTH)\Z", re.I)
_PROVIDER_KEYS = frozenset(info.env_key for info in PROVIDERS.values() if info.env_key)
_REFERENCES = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")


def find_literal_secrets(doc: Document) -> list[Diagnostic]:
    """Every value in `doc` that is, or sits where there should be, a literal key."""
    found = []
    for path, value in _strings(doc.data, ()):
        what = _what_secret(path, value)
        if what is None:
            continue
        mark = doc.values.get(path) or doc.values[()]
        field = ".".join(str(p) for p in path)
        env = _env_name(doc.data, path)
        found.append(
            make(
                "VO320",
                mark.path,
                mark.line,
                mark.col,
                f"{field} holds {what}; secrets must come from the environment",
                f"write {field.rsplit('.', 1)[-1]}: ${{{env}}} and set {env}; "
                "rotate the key if it was ever committed",
            )
        )
    return found


def find_misplaced_credentials(doc: Document) -> list[Diagnostic]:
    """Every reference to a credential variable outside a field made to hold one.

    `description: "${OPENAI_API_KEY}"` would be expanded like any value and then travel
    wherever that field goes: HTTP responses, session frames, the LLM's prompt."""
    found = []
    for path, value in _strings(doc.data, ()):
        if secret_field(path):
            continue
        for name in _REFERENCES.findall(value):
            if not (_CREDENTIAL_VARIABLE.search(name) or name in _PROVIDER_KEYS):
                continue
            mark = doc.values.get(path) or doc.values[()]
            field = ".".join(str(p) for p in path)
            found.append(make(
                "VO321", mark.path, mark.line, mark.col,
                f"{field} references ${{{name}}}, a credential, outside a secret field; its "
                "value would reach responses, session frames and prompts",
                "credentials belong only in api_key (or a tool's http.headers); remove the "
                "reference or rename the variable if it holds no secret"))
    return found


def key_shapes(text: str) -> Iterator[tuple[str, int]]:
    """(what it looks like, offset) for each recognisable API key in free text, such as a
    knowledge file; an Anthropic key is not also reported as an OpenAI one."""
    taken: set[int] = set()
    for what, shape in _KEY_SHAPES:
        for match in shape.finditer(text):
            if not taken.intersection(range(match.start(), match.end())):
                taken.update(range(match.start(), match.end()))
                yield what, match.start()


def _what_secret(path: Key, value: str) -> str | None:
    value = value.strip()
    if not value or reference_name(value):
        return None
    for what, shape in _KEY_SHAPES:
        if shape.search(value):
            return what
    name = str(path[-1]) if path and isinstance(path[-1], str) else ""
    if name == "api_key":
        return "a literal value"
    if _KEY_FIELD.search(name) and _OPAQUE.match(value):
        return "what looks like a key"
    return None


def _env_name(data: Any, path: Key) -> str:
    """The variable to suggest: the provider's own (OPENAI_API_KEY) when the map names one."""
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    provider = parent.get("provider") if isinstance(parent, dict) else None
    known = env_key(provider)
    if known:
        return known
    return "_".join(str(p).upper() for p in path if isinstance(p, str))


def _strings(value: Any, path: Key) -> Iterator[tuple[Key, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*path, i))
    elif isinstance(value, str):
        yield path, value
