"""The exceptions voiceops raises, one tree:

    VoiceOpsError                 anything voiceops itself reports
    ├── ConfigError               profiles or prompts are invalid (carries the diagnostics)
    ├── PromptError               a prompt cannot be rendered
    ├── CatalogError              a catalog, cache or lock file cannot be used
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
