"""The ASGI app of `voiceops run`: routes, auth, the browser console, and the reloader's life."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from voiceops.runtime.reloader import Reloader
from voiceops.server.auth import authorized
from voiceops.server.guard import GuardRules, RequestGuard
from voiceops.server.http import ROUTES, problem
from voiceops.server.looplag import watch_lag
from voiceops.server.preflight import key_diagnostics
from voiceops.server.state import Runner, Settings
from voiceops.server.telephony import TELEPHONY_ROUTES
from voiceops.server.ws import session_endpoint
from voiceops.telephony.twilio_webhook import VOICE_PATH, twilio_voice

log = logging.getLogger("voiceops.server")
_OPEN_PATHS = (
    "/healthz",  # a load balancer's health check carries no token
    VOICE_PATH,  # Twilio cannot send one: the route checks Twilio's signature instead
)
# The browser console's files hold no data: the page loads, then asks for the token itself.
_CONSOLE_PATHS = ("/", "/index.html")
_CONSOLE_PREFIX = "/assets/"


def _open(path: str) -> bool:
    return path in _OPEN_PATHS or path in _CONSOLE_PATHS or path.startswith(_CONSOLE_PREFIX)


class TokenAuth:
    """Refuses HTTP requests without the token; the WebSocket answers in-protocol."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.token and not _open(scope["path"]):
            request = Request(scope, receive)
            if not authorized(request, self.token):
                response = problem(401, "unauthorized", "a valid token is required "
                                   "(Authorization: Bearer ...)")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _rules(settings: Settings) -> GuardRules:
    return GuardRules.build(settings.bind_host, settings.allow_origins, settings.max_body_bytes,
                            form_paths=(VOICE_PATH,))


def create_app(runner: Runner, on_ready: Callable[[], None] | None = None) -> Starlette:
    """The app serving `runner`; with reload on, it watches the project while it runs.
    `on_ready` is called once it has started (the server then handles signals)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # a daemon that started with every key it needs takes no edit that needs another
        vet = None if runner.settings.simulated else \
            functools.partial(key_diagnostics, env=runner.env)
        reloader = Reloader(runner.project, runner.registry, vet=vet,
                            overlay=runner.settings.overlay)
        task = asyncio.create_task(reloader.run()) if runner.settings.reload else None
        runner.reload_task = task
        lag = asyncio.create_task(watch_lag(runner.metrics.loop_lag.observe))
        app.state.reloader = reloader
        if on_ready is not None:
            on_ready()
        try:
            yield
        finally:
            reloader.stop.set()
            lag.cancel()
            await asyncio.gather(lag, *([task] if task else []), return_exceptions=True)
            for session in list(runner.sessions):
                await session.close()
            await runner.providers.aclose()

    async def missing(request: Request, exc: Exception) -> Response:
        return problem(404, "not_found", f"no route {request.url.path}")

    # the browser console (voiceops/server/console/) at /, after the API so /v1/... match first
    console = StaticFiles(packages=[("voiceops.server", "console")], html=True)
    app = Starlette(routes=[*ROUTES, *TELEPHONY_ROUTES,
                            WebSocketRoute("/v1/sessions", session_endpoint),
                            Route(VOICE_PATH, twilio_voice, methods=["POST"]),
                            Mount("/", app=console, name="console")],
                    middleware=[Middleware(RequestGuard, rules=_rules(runner.settings),
                                           refused=runner.metrics.refused_request),
                                Middleware(TokenAuth, token=runner.settings.token)],
                    exception_handlers={404: missing}, lifespan=lifespan)
    app.state.runner = runner
    return app
