"""Stream tokens: what the voice webhook hands Twilio and the stream's `start` hands back."""

from __future__ import annotations

import pytest

from voiceops.errors import StreamTokenError, TelephonyError, VoiceOpsError
from voiceops.telephony import tokens
from voiceops.telephony.tokens import StreamTokens, env_secret

CALL = "CA" + "0" * 32


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def book(secret: bytes = b"k" * 32, clock: Clock | None = None) -> StreamTokens:
    return StreamTokens(lambda: secret, clock or Clock())


def code_of(book_: StreamTokens, token: str, call_sid: str = CALL) -> str:
    with pytest.raises(StreamTokenError) as caught:
        book_.verify(token, call_sid)
    return caught.value.code


def test_a_token_verifies_for_its_call_and_names_its_profile() -> None:
    tokens_ = book()
    assert tokens_.verify(tokens_.issue(CALL, "support.en-IN"), CALL) == "support.en-IN"


def test_a_token_is_accepted_once() -> None:
    tokens_ = book()
    token = tokens_.issue(CALL, "support")
    tokens_.verify(token, CALL)
    assert code_of(tokens_, token) == "token_reused"


def test_a_token_for_another_call_is_refused_and_stays_usable_for_its_own() -> None:
    tokens_ = book()
    token = tokens_.issue(CALL, "support")
    assert code_of(tokens_, token, "CA" + "1" * 32) == "token_wrong_call"
    assert tokens_.verify(token, CALL) == "support"


def test_a_token_expires_after_its_ttl() -> None:
    clock = Clock()
    tokens_ = book(clock=clock)
    token = tokens_.issue(CALL, "support", ttl_s=30)
    clock.now += 30
    assert code_of(tokens_, token) == "token_expired"


def test_a_token_signed_with_another_secret_is_forged() -> None:
    token = book(b"a" * 32).issue(CALL, "support")
    assert code_of(book(b"b" * 32), token) == "token_forged"


def test_a_tampered_profile_breaks_the_signature() -> None:
    import base64
    import json

    tokens_ = book()
    body, _, signature = tokens_.issue(CALL, "support").partition(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["p"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert code_of(tokens_, f"{forged}.{signature}") == "token_forged"


@pytest.mark.parametrize("junk", ["", "nodot", ".", "abc.", ".abc", "a.b.c", "€.€"])
def test_junk_is_refused_with_a_code_not_a_crash(junk: str) -> None:
    assert code_of(book(), junk) in {"token_malformed", "token_forged"}


def test_token_errors_belong_to_the_voiceops_tree() -> None:
    assert issubclass(StreamTokenError, TelephonyError)
    assert issubclass(TelephonyError, VoiceOpsError)


def test_replicas_sharing_voiceops_token_accept_each_others_tokens() -> None:
    env = {"VOICEOPS_TOKEN": "shared-daemon-token"}
    one = StreamTokens(lambda: env_secret(env))
    other = StreamTokens(lambda: env_secret(env))
    assert other.verify(one.issue(CALL, "support"), CALL) == "support"


def test_the_secret_comes_from_voiceops_token_then_twilio_auth_token_and_is_derived() -> None:
    by_daemon = env_secret({"VOICEOPS_TOKEN": "d", "TWILIO_AUTH_TOKEN": "t"})
    by_twilio = env_secret({"TWILIO_AUTH_TOKEN": "t"})
    assert by_daemon != by_twilio
    assert by_daemon == env_secret({"VOICEOPS_TOKEN": "d"})
    assert by_daemon != b"d" and len(by_daemon) == 32  # derived, never the token itself


def test_without_shared_tokens_the_secret_is_random_per_process() -> None:
    assert env_secret({}) == env_secret({})
    assert env_secret({}) != env_secret({"TWILIO_AUTH_TOKEN": "t"})


def test_module_functions_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "first")
    monkeypatch.delenv("VOICEOPS_TOKEN", raising=False)
    token = tokens.issue(CALL, "support")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "rotated")
    with pytest.raises(StreamTokenError):
        tokens.verify(token, CALL)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "first")
    assert tokens.verify(token, CALL) == "support"


def test_a_ttl_must_be_positive() -> None:
    with pytest.raises(ValueError, match="ttl_s"):
        book().issue(CALL, "support", ttl_s=0)
