"""`voiceops run` as a library call: validate, start providers (or simulators), serve."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from voiceops.errors import ConfigError, UsageError
from voiceops.runtime.config import ConfigVersion, build_version
from voiceops.runtime.registry import LiveRegistry
from voiceops.server.heap import settle_heap
from voiceops.server.preflight import check_keys, served_project
from voiceops.server.state import Runner, Settings, is_loopback
from voiceops.suggest import did_you_mean
from voiceops.telephony.public_url import normalize_public_url, public_origin
from voiceops.telephony.twilio_webhook import VOICE_PATH

Echo = Callable[[str], None]


@dataclass(frozen=True)
class ServeOptions:
    profile: str | None = None
    host: str = "127.0.0.1"
    port: int = 8765
    simulated: bool = False
    reload: bool = True
    log_level: str = "info"
    overlay: str | None = None
    allow_origins: tuple[str, ...] = ()
    max_connections: int = 2000
    header_timeout_s: float = 10.0
    public_url: str | None = None  # how carriers reach the daemon (tunnel, TLS proxy)


def serve(options: ServeOptions, echo: Echo) -> None:
    """Run the daemon until interrupted. Raises ConfigError when the profiles have errors,
    UsageError for a bad command line (unknown profile, no token off loopback)."""
    import contextlib

    import uvicorn

    from voiceops.providers.registry import ProviderPool, resolve_target
    from voiceops.server.app import create_app
    from voiceops.server.connections import raise_file_limit, uvicorn_limits
    from voiceops.server.listen import listening_socket

    logging.basicConfig(level=options.log_level.upper(), format="voiceops: %(message)s")
    # uvicorn announces each server it starts (the simulators are four of them), and the
    # HTTP clients log every request: neither belongs in the daemon's log
    # ...nor watchfiles' "N changes detected" for every save (the reloader logs its own)
    for noisy in ("uvicorn.error", "httpx", "httpx2", "httpcore", "httpcore2",
                  "watchfiles.main"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    token = os.environ.get("VOICEOPS_TOKEN") or None
    if not is_loopback(options.host) and token is None:
        raise UsageError(f"serving on {options.host} needs a token: set VOICEOPS_TOKEN "
                         "(clients send it as Authorization: Bearer ... or ?token=)")
    public_url = _public_url(options.public_url)
    project = served_project()
    with contextlib.ExitStack() as stack:
        sims = None
        if options.simulated:
            from voiceops.sim.stack import SimStack

            sims = stack.enter_context(SimStack(keep_requests=0))  # nobody reads them here
            # Before the build: profiles are read with this process's environment (this
            # build and every reload's), and the starter's booking tools take their URL
            # from ${BOOKING_API_URL}, the simulated booking service's under --sim.
            os.environ.update(sims.env())
        build = build_version(project, 1, options.overlay)
        if build.version is None:
            raise ConfigError(f"{project.configs} has errors; nothing was started",
                              build.diagnostics)
        version = build.version
        if options.profile is not None and options.profile not in version.profiles:
            hint = did_you_mean(options.profile, version.profiles)
            raise UsageError(f"no profile '{options.profile}' to serve"
                             + (f"; {hint}" if hint else ""))
        if sims is None:  # the simulators bring their own keys
            check_keys(version, os.environ)
        _import_clients(version)
        env = dict(os.environ)
        if sims is not None:
            echo("providers: SIMULATED on loopback (deterministic replies, synthetic audio; "
                 "no keys, no internet)")
            # where `voiceops phone --rest-url` asks whether a call was hung up
            echo(f"phone carriers' REST APIs: SIMULATED, Twilio {sims.servers['twilio'].url}, "
                 f"Exotel {sims.servers['exotel'].url}")
            echo(f"example booking service: SIMULATED, {sims.servers['booking'].url} "
                 "(BOOKING_API_URL)")
        settings = Settings(default_profile=options.profile, token=token,
                            simulated=options.simulated, reload=options.reload,
                            overlay=options.overlay, bind_host=options.host,
                            # its own public origin too: the Host a tunnel passes on
                            allow_origins=_origins(options.allow_origins + (
                                (public_origin(public_url),) if public_url else ())),
                            max_connections=min(options.max_connections,
                                                max(raise_file_limit() - 64, 16)),
                            header_timeout_s=options.header_timeout_s,
                            public_url=public_url)
        runner = Runner(project, LiveRegistry(version), ProviderPool(), resolve_target, env,
                        settings)
        try:  # from now on connections queue, even before uvicorn accepts them
            sock = listening_socket(options.host, options.port)
        except OSError as exc:
            raise UsageError(f"cannot listen on {options.host}:{options.port}: "
                             f"{exc.strerror}") from exc
        port = sock.getsockname()[1]
        where = f"{options.host}:{port}" if ":" not in options.host else \
            f"[{options.host}]:{port}"
        default = options.profile or "(named by each session)"
        environment = f" (environment {options.overlay})" if options.overlay else ""
        echo(f"config {version.label}{environment}: {len(version.profiles)} profiles "
             f"({', '.join(sorted(version.profiles))}); default profile {default}")
        if public_url:
            echo(f"phone calls: Twilio voice webhook {public_url}{VOICE_PATH} (POST)")
        serving = (f"serving ws://{where}/v1/sessions and http://{where}/ "
                   f"({'reload on' if options.reload else 'reload off'}"
                   f"{', token required' if token else ''})")
        # No permessage-deflate: most frames are PCM audio, which barely compresses, and
        # deflating it cost more CPU than everything else a turn does (measured).
        # "serving" is said from the app's startup, once uvicorn handles SIGINT and SIGTERM:
        # said earlier, a signal sent on reading it could land in a garbage-collector
        # callback, which swallows the KeyboardInterrupt, and the daemon ran on.
        app = create_app(runner, on_ready=lambda: echo(serving))
        config = uvicorn.Config(app, log_level="warning", access_log=False,
                                ws_max_size=settings.max_frame_bytes + 1024, lifespan="on",
                                ws_per_message_deflate=False,
                                **uvicorn_limits(settings.max_connections,
                                                 settings.header_timeout_s,
                                                 runner.metrics.refused_connection))
        settle_heap()
        uvicorn.Server(config).run(sockets=[sock])


def _public_url(text: str | None) -> str | None:
    if text is None:
        return None
    try:
        return normalize_public_url(text)
    except ValueError as exc:
        raise UsageError(f"--public-url: {exc}") from exc


def _origins(origins: tuple[str, ...]) -> tuple[str, ...]:
    from voiceops.server.guard import normalize_origin

    try:
        return tuple(normalize_origin(origin) for origin in origins)
    except ValueError as exc:
        raise UsageError(f"--allow-origin: {exc}") from exc


def _import_clients(version: ConfigVersion) -> None:
    """Import every client the profiles use now: the SDKs take up to a second and a half to
    import, which would otherwise land on the first caller's first turn."""
    from voiceops.providers.registry import preload

    preload(profile.data for profile in version.profiles.values())
