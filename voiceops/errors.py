"""The exceptions voiceops raises, one tree:

    VoiceOpsError                 anything voiceops itself reports
    ├── ConfigError               profiles or prompts are invalid (carries the diagnostics)
    ├── PromptError               a prompt cannot be rendered
    ├── CatalogError              a catalog, cache or lock file cannot be used
    ├── ProviderError             a provider's API could not be used (names the provider)
    │   ├── ProviderSetupError    the call cannot be made as set up (no base_url, bad URL)
    │   │   └── MissingKeyError   no API key: names the environment variable to set
    │   ├── AuthError             the provider refused the key (401/403); never shows the key
    │   ├── RateLimitError        still rate-limited (429) after retries
    │   ├── ProviderUnavailable   5xx or no connection, after retries
    │   ├── ProviderTimeout       no answer within the timeout, after retries
    │   ├── ProviderRequestError  any other refusal (4xx), e.g. a wrong base_url (404)
    │   └── BadResponseError      invalid JSON or an unexpected shape
    │       └── TruncatedResponseError  the body ended before its declared length
    ├── SessionError              a session frame cannot be accepted (bad JSON, too big, ...)
    ├── TelephonyError            a phone call cannot go on as the carrier asked (has a code)
    │   └── StreamTokenError      a media stream's token is missing, forged, expired or reused
    ├── DaemonConnectionError     a client's connection to a daemon failed, timed out or ended
    └── UsageError                the command line asks for something that cannot be done

Library code raises these; only the CLI turns them into messages and exit codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voiceops.diagnostics import Diagnostic


class VoiceOpsError(Exception):
    """Raised for any problem voiceops reports to the user in one line."""


class ConfigError(VoiceOpsError):
    """Raised when profiles or prompts fail validation; `diagnostics` says where and why."""

    def __init__(self, message: str, diagnostics: Sequence[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics = list(diagnostics)


class PromptError(VoiceOpsError):
    """Raised when a prompt template cannot be found or rendered."""


class CatalogError(VoiceOpsError):
    """Raised when a catalog source (lock file, cache, bundled data) cannot be used."""


class UsageError(VoiceOpsError):
    """Raised when the command line names something that does not exist."""


class SessionError(VoiceOpsError):
    """Raised when a session frame cannot be accepted; `code` goes into the `error` frame."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class TelephonyError(VoiceOpsError):
    """Raised when a phone call cannot go on as its carrier asked; `code` says why in a word."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class StreamTokenError(TelephonyError):
    """Raised when a media stream's token is malformed, forged, expired, for another call, or
    already used (telephony.tokens.verify)."""


class DaemonConnectionError(VoiceOpsError):
    """Raised when a client (`voiceops talk`) cannot reach a daemon, gets no answer in time,
    is disconnected, or receives a frame it cannot read; the message is one line."""


class ProviderError(VoiceOpsError):
    """Raised when a provider's API cannot be used; `provider` names it, `status` is the HTTP
    status when there was one, `retry_after` the seconds its `Retry-After` asked to wait
    (429s and 503s carry one). Messages never contain an API key."""

    def __init__(self, message: str, *, provider: str, status: int | None = None,
                 retry_after: float | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        self.retry_after = retry_after


class ProviderSetupError(ProviderError):
    """Raised when a call cannot be made as set up (no base_url, an invalid URL)."""


class MissingKeyError(ProviderSetupError):
    """Raised when no API key is given or set; the message names the variable to set."""

    def __init__(self, message: str, *, provider: str, env_var: str | None) -> None:
        super().__init__(message, provider=provider)
        self.env_var = env_var


class AuthError(ProviderError):
    """Raised when the provider refuses the API key (HTTP 401 or 403)."""


class RateLimitError(ProviderError):
    """Raised when the provider still answers 429 after retries; `retry_after` is its hint."""

    def __init__(
        self, message: str, *, provider: str, status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, provider=provider, status=status, retry_after=retry_after)


class ProviderUnavailable(ProviderError):
    """Raised when the provider answers 5xx, or cannot be reached, after retries."""


class ProviderTimeout(ProviderError):
    """Raised when the provider does not answer within the timeout, after retries."""


class ProviderRequestError(ProviderError):
    """Raised when the provider refuses a request with another 4xx (e.g. 404: wrong base_url)."""


class BadResponseError(ProviderError):
    """Raised when a provider's answer is not valid JSON or not shaped as its API documents."""


class TruncatedResponseError(BadResponseError):
    """Raised when a response body ends before its declared length (a cut connection)."""
