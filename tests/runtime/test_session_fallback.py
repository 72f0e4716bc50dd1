"""first_answer: a stage's choices tried in order, failures counted, dead ones skipped; and
the history's caps."""

from __future__ import annotations

import asyncio

import pytest

from voiceops.errors import ProviderError, ProviderUnavailable
from voiceops.providers.base import Message
from voiceops.runtime.fallback import AllFailed, Chain, Choice, Dead, chain_of, first_answer
from voiceops.runtime.health import ProviderHealth, choice_key
from voiceops.runtime.history import History

SARAH: Choice = {"provider": "elevenlabs", "voice": "Sarah"}
GEORGE: Choice = {"provider": "elevenlabs", "voice": "George"}


class Counted:
    def __init__(self) -> None:
        self.failed: list[tuple[str, str]] = []

    def provider_failed(self, stage: str, provider: str) -> None:
        self.failed.append((stage, provider))


def voices(sticky: bool = False) -> tuple[Chain, Counted]:
    observer = Counted()
    return Chain("tts", [SARAH, GEORGE], ProviderHealth(), observer, "test", sticky), observer


async def answer(choice: Choice) -> str:
    if choice is SARAH:
        raise ProviderUnavailable("503", provider="elevenlabs")
    return str(choice["voice"])


def test_the_first_choice_that_answers_wins_and_failures_are_counted() -> None:
    chain, observer = voices()
    dead: Dead = set()
    choice, said = asyncio.run(first_answer(chain, answer, dead))
    assert (choice, said) == (GEORGE, "George")
    assert observer.failed == [("tts", "elevenlabs")]
    assert dead == {choice_key(SARAH)}
    assert chain.choices == [SARAH, GEORGE]  # not sticky: the main choice stays first


def test_a_sticky_chain_keeps_the_fallback_that_answered() -> None:
    chain, _ = voices(sticky=True)
    asyncio.run(first_answer(chain, answer))
    assert chain.choices == [GEORGE, SARAH]


def test_dead_choices_are_not_asked_again() -> None:
    chain, observer = voices()
    asked: list[Choice] = []

    async def record(choice: Choice) -> None:
        asked.append(choice)

    with pytest.raises(AllFailed, match="no voice left to try"):
        asyncio.run(first_answer(chain, record, {choice_key(SARAH), choice_key(GEORGE)}))
    assert asked == [] and observer.failed == []


def test_every_choice_failing_quotes_each_failure() -> None:
    chain, _ = voices()

    async def refuse(choice: Choice) -> None:
        raise ProviderError(f"{choice['voice']} is down", provider="elevenlabs")

    with pytest.raises(AllFailed) as failed:
        asyncio.run(first_answer(chain, refuse))
    assert str(failed.value) == ("every voice failed: elevenlabs/Sarah: Sarah is down; "
                                 "elevenlabs/George: George is down")


def test_fallbacks_inherit_the_timeout() -> None:
    section = {"provider": "openai", "model": "a", "timeout_s": 3,
               "fallbacks": [{"provider": "anthropic", "model": "b"}]}
    assert chain_of(section) == [{"provider": "openai", "model": "a", "timeout_s": 3},
                                 {"provider": "anthropic", "model": "b", "timeout_s": 3}]


def test_history_keeps_the_newest_turns_within_both_caps() -> None:
    history = History(max_turns=2, max_chars=100)
    for n in range(4):
        history.add(Message("user", f"question {n}"))
        history.add(Message("assistant", f"answer {n}"))
    assert [m.content for m in history] == ["question 2", "answer 2", "question 3", "answer 3"]
    history.add(Message("user", "x" * 95))  # over the characters: only the newest fits
    assert [m.content for m in history] == ["x" * 95]
    history.add(Message("assistant", "ok"))
    history.add(Message("user", "y" * 10))  # the window starts at a question, not a reply
    assert [m.role for m in history] == ["user"] and history.last() == Message("user", "y" * 10)


def test_a_lone_first_message_is_kept() -> None:
    history = History(max_turns=40)
    history.add(Message("assistant", "Hello! How can I help?"))
    assert len(history) == 1
