"""What the app serves from: the live registry, providers, settings, metrics, sessions."""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from voiceops.catalog.resolve import Catalog
from voiceops.project import Project
from voiceops.providers.registry import ProviderPool
from voiceops.runtime.health import ProviderHealth
from voiceops.runtime.registry import LiveRegistry
from voiceops.runtime.session import ResolveTarget, Session
from voiceops.server.metrics import Metrics
from voiceops.telephony.live import LiveCall


@dataclass(frozen=True)
class Settings:
    """Limits and switches of one daemon."""

    default_profile: str | None = None
    token: str | None = None  # required from clients when set
    max_frame_bytes: int = 256 * 1024  # 8 s of 16 kHz audio per frame is plenty
    max_messages_per_s: float = 100.0  # sustained, per session; bursts of twice that
    max_sessions: int = 1000
    max_session_s: float = 3600.0  # a cap over each profile's session.max_duration_s
    simulated: bool = False
    reload: bool = True
    overlay: str | None = None  # the environment (configs/env/<name>.yaml) being served
    bind_host: str | None = None  # what it listens on; None when embedded (no Host check)
    allow_origins: tuple[str, ...] = ()  # browser origins allowed besides its own and loopback
    max_body_bytes: int = 64 * 1024  # a POST body (a preview's text and tuning)
    max_connections: int = 2000  # open sockets, sessions included; more are closed at once
    header_timeout_s: float = 10.0  # a connection must finish its request headers by then
    start_timeout_s: float = 10.0  # a session socket must send `start` by then
    max_idle_s: float = 3600.0  # a cap over each profile's session.idle_timeout_s
    public_url: str | None = None  # how carriers reach it (--public-url): https://host[/prefix]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class Runner:
    project: Project
    registry: LiveRegistry
    providers: ProviderPool
    resolve: ResolveTarget
    env: Mapping[str, str]
    settings: Settings
    metrics: Metrics = field(default_factory=Metrics)
    health: ProviderHealth = field(default_factory=ProviderHealth)
    sessions: set[Session] = field(default_factory=set)
    sockets: int = 0  # session sockets open, started or not: what the session cap counts
    calls: dict[str, LiveCall] = field(default_factory=dict)  # phone calls by stream id
    reload_task: asyncio.Task[None] | None = None  # the reloader's, while the app runs

    def __post_init__(self) -> None:
        self.metrics.providers_down.set_function(lambda: len(self.health.down()))
        self.registry.subscribe(self.metrics.reloaded)

    def catalog(self) -> Catalog:
        """The offline catalog (lock, then bundled) the live config version was checked
        against."""
        return self.registry.current.catalog

    def status(self) -> dict[str, Any]:
        version = self.registry.current
        rejection = self.registry.last_rejection
        failure = self.registry.last_failure
        return {
            "config_version": version.label,
            "config_digest": version.digest,  # of the files it was made of (runtime/config.py)
            "environment": self.settings.overlay,
            "profiles": sorted(version.profiles),
            "loaded_at": version.created_at,
            "sessions_live": len(self.sessions),
            # phone calls in progress (their sessions count in sessions_live too)
            "calls": [call.row() for call in self.calls.values()],
            "simulated": self.settings.simulated,
            "reloads": {"accepted": self.registry.accepted, "rejected": self.registry.rejected,
                        "failed": self.registry.failed},
            "reloader": self._reloader_state(),
            "providers_down": self.health.down(),
            # error frames sent since start, by code (internal_error: a bug, in the log)
            "session_errors": dict(sorted(self.metrics.error_counts.items())),
            "last_rejection": None if rejection is None else {
                "at": rejection.at,
                "diagnostics": [d.__dict__ for d in rejection.diagnostics],
            },
            # a rebuild that raised (not a config error): what, when, and how often in a row
            "last_reload_failure": None if failure is None else asdict(failure),
        }

    def _reloader_state(self) -> str:
        """"watching" while the reloader runs, "stopped" if it ended, "off" without reload."""
        if not self.settings.reload:
            return "off"
        task = self.reload_task
        return "watching" if task is not None and not task.done() else "stopped"
