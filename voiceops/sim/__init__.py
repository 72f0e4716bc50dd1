"""Provider simulators: real HTTP servers on loopback that speak each provider's API.

One module per provider (`openai`, `anthropic`, `elevenlabs`, `sarvam`), each with a
`create_app()` (a starlette app over a mutable state object), a `serve()` that wraps it in a
`SimServer`, the key it accepts (`API_KEY`) and its error shape. `server` runs any app on
127.0.0.1:0 in a background thread; `faults` injects failures, latency and cut bodies.

Tests, benchmarks and `voiceops run --sim` use them, so nothing here needs keys or internet.
Provider modules are not imported here: import the one you need.
"""

from __future__ import annotations

from voiceops.sim.faults import Faults
from voiceops.sim.server import LoggedRequest, RequestLog, SimServer

__all__ = ["Faults", "LoggedRequest", "RequestLog", "SimServer"]
