"""The shared HTTP pieces on their own: backoff, Retry-After, redaction, ETag tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from voiceops.catalog.live import etags
from voiceops.catalog.live.http import require_key
from voiceops.errors import MissingKeyError
from voiceops.providers.transport.endpoint import base_url_for
from voiceops.providers.transport.policy import RetryPolicy, retry_after
from voiceops.providers.transport.wording import detail, redact


def test_backoff_doubles_up_to_the_cap_and_jitter_only_shortens() -> None:
    exact = RetryPolicy(base_delay=0.5, max_delay=3.0, rand=lambda: 0.0)
    assert [exact.backoff(n) for n in (1, 2, 3, 4)] == [0.5, 1.0, 2.0, 3.0]
    jittered = RetryPolicy(base_delay=1.0, jitter=0.25, rand=lambda: 1.0)
    assert jittered.backoff(1) == 0.75


def test_retry_after_reads_seconds_dates_and_milliseconds() -> None:
    assert retry_after(httpx.Headers({"retry-after": "7"})) == 7.0
    assert retry_after(httpx.Headers({"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < (retry_after(httpx.Headers({"retry-after": later})) or 0) <= 30
    assert retry_after(httpx.Headers({"retry-after": "soon"})) is None
    assert retry_after(httpx.Headers()) is None


def test_redact_removes_the_key_and_masked_forms_of_it() -> None:
    text = "Incorrect API key provided: sk-ab************wxyz; also sk-secret-123"
    cleaned = redact(text, "sk-secret-123")
    assert "wxyz" not in cleaned and "sk-secret-123" not in cleaned


def test_detail_finds_each_providers_message() -> None:
    assert detail(b'{"error": {"message": "openai says"}}', None) == "openai says"
    assert detail(b'{"type": "error", "error": {"type": "x", "message": "anthropic"}}',
                  None) == "anthropic"
    assert detail(b'{"detail": {"status": "s", "message": "eleven"}}', None) == "eleven"
    assert detail(b'{"detail": [{"msg": "bad page_size"}]}', None) == "bad page_size"
    assert detail(b"<html>gateway</html>", None) == "<html>gateway</html>"


def test_etag_tokens_round_trip() -> None:
    root = etags.request_key("/v1/models", {"limit": 10})
    assert root == "/v1/models?limit=10"
    assert etags.pack({root: '"a"'}) == '"a"'  # one request: the server's own ETag
    assert etags.unpack('"a"', root) == {root: '"a"'}
    several = {root: '"a"', "/v1/models?after_id=x&limit=10": '"b"'}
    token = etags.pack(several)
    assert token is not None and etags.unpack(token, root) == several
    assert etags.pack({root: '"a"', "/other": None}) is None  # one without: no token
    assert etags.unpack("voiceops-etags:{broken", root) == {}


def test_require_key_prefers_the_argument_then_the_variable() -> None:
    assert require_key("openai", "given", {"OPENAI_API_KEY": "env"}) == "given"
    assert require_key("openai", None, {"OPENAI_API_KEY": " env "}) == "env"
    with pytest.raises(MissingKeyError) as caught:
        require_key("openai", "  ", {})
    assert caught.value.env_var == "OPENAI_API_KEY"


def test_base_url_defaults_to_the_providers_api() -> None:
    assert base_url_for("anthropic", None) == "https://api.anthropic.com"
    assert base_url_for("openai", "http://127.0.0.1:1/v1") == "http://127.0.0.1:1/v1"
