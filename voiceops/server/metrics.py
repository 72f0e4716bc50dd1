"""Prometheus metrics of one runner (its own registry: two apps in a test never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from voiceops.runtime.registry import Failure, Outcome, Rejection
from voiceops.runtime.session import TurnMetrics

_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10)
_LAG_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.error_counts: dict[str, int] = {}  # the error frames by code, for /v1/status
        r = self.registry
        self.sessions_live = Gauge("voiceops_sessions_live", "Sessions open now", registry=r)
        self.sessions = Counter("voiceops_sessions", "Sessions started", registry=r)
        self.turns = Counter("voiceops_turns", "Turns answered", registry=r)
        self.errors = Counter("voiceops_errors", "Error frames sent, by code", ["code"],
                              registry=r)
        self.reloads = Counter("voiceops_reloads", "Config reloads, by result", ["result"],
                               registry=r)
        self.reload_failures = Counter(
            "voiceops_reload_failures", "Rebuilds that raised instead of answering (not config "
            "errors): the reloader logs them, shows the last in /v1/status, keeps watching",
            registry=r)
        self.latency = Histogram("voiceops_stage_latency_seconds", "Latency per turn stage",
                                 ["stage"], buckets=_BUCKETS, registry=r)
        self.provider_failures = Counter(
            "voiceops_provider_failures", "Provider calls that failed before answering (each "
            "then handed over to the next in its fallback chain), by stage and provider",
            ["stage", "provider"], registry=r)
        self.providers_down = Gauge(
            "voiceops_providers_down", "Provider choices failing often enough that every "
            "session tries them last (see /v1/status)", registry=r)
        self.loop_lag = Histogram("voiceops_event_loop_lag_seconds",
                                  "How late the event loop ran a timer that was due "
                                  "(sampled every 50 ms): the runner's own queueing",
                                  buckets=_LAG_BUCKETS, registry=r)
        self.refused_requests = Counter(
            "voiceops_refused_requests", "Requests refused before any route ran (a foreign "
            "Host or Origin, a body not JSON or too large), by reason", ["reason"], registry=r)
        self.calls_live = Gauge("voiceops_calls_live", "Phone calls in progress now",
                                registry=r)
        self.calls = Counter("voiceops_calls", "Phone calls answered, by carrier", ["carrier"],
                             registry=r)
        self.refused_connections = Counter(
            "voiceops_refused_connections", "Connections closed before a request (over the "
            "connection cap, headers not finished in time), by reason", ["reason"], registry=r)

    def turn(self, metrics: TurnMetrics) -> None:
        self.turns.inc()
        for stage in ("stt_ms", "retrieval_ms", "llm_ttft_ms", "tts_ttfb_ms", "first_audio_ms"):
            value = getattr(metrics, stage)
            if value is not None:
                self.latency.labels(stage.removesuffix("_ms")).observe(value / 1000)

    def call_started(self, carrier: str) -> None:
        self.calls.labels(carrier).inc()
        self.calls_live.inc()

    def call_ended(self) -> None:
        self.calls_live.dec()

    def refused_request(self, reason: str) -> None:
        self.refused_requests.labels(reason).inc()

    def refused_connection(self, reason: str) -> None:
        self.refused_connections.labels(reason).inc()

    def reloaded(self, outcome: Outcome) -> None:
        """Count one rebuild's outcome (a registry listener)."""
        if isinstance(outcome, Failure):
            self.reload_failures.inc()
        else:
            self.reloads.labels("rejected" if isinstance(outcome, Rejection) else "ok").inc()

    def error(self, code: str) -> None:
        self.errors.labels(code).inc()
        self.error_counts[code] = self.error_counts.get(code, 0) + 1

    def provider_failed(self, stage: str, provider: str) -> None:
        self.provider_failures.labels(stage, provider).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
