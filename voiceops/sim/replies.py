"""The simulated chat model: a reply that is a pure function of the conversation, in tokens.

    reply(conversation, sentences=2)
    -> 'You said: "where is my order". I can help with that. Let me check the details.'

The reply echoes the last user message (so a test sees its words come back) and adds
`sentences` short sentences chosen from a fixed list by a hash of the whole conversation
(system prompt included), so the same conversation always gets the same reply and a
different one usually a different reply. Tokens are words with their leading space, as
real tokenizers split English; joined they give the reply back exactly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from voiceops.sim.data import stable_int

__all__ = ["SENTENCES", "reply", "tokens"]

SENTENCES = (
    "I can help with that.",
    "Let me check the details.",
    "That should only take a moment.",
    "Is there anything else you need?",
    "Here is what I found.",
    "Thank you for waiting.",
    "Your request is noted.",
    "I will keep this short.",
)
_ECHO_LIMIT = 200
_TOKEN = re.compile(r"\s*\S+")


def reply(conversation: Sequence[tuple[str, str]], sentences: int = 2) -> str:
    """The reply to `conversation` ((role, text) pairs, oldest first)."""
    said = next((text for role, text in reversed(conversation) if role == "user"), "")
    said = " ".join(said.split())
    if len(said) > _ECHO_LIMIT:
        said = said[:_ECHO_LIMIT].rstrip() + "..."
    seed = stable_int("\x1e".join(f"{role}\x1f{text}" for role, text in conversation), 1 << 30)
    parts = [f'You said: "{said}".' if said else "Hello."]
    parts += [SENTENCES[(seed + i) % len(SENTENCES)] for i in range(max(sentences, 0))]
    return " ".join(parts)


def tokens(text: str) -> list[str]:
    """`text` split into tokens (a word with its leading spaces); `"".join` restores it."""
    return _TOKEN.findall(text)
