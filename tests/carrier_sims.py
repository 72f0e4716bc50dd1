"""The carriers' REST simulators as fixtures, for the tests that drive them and the tests of
voiceops' REST client. A test module makes the pair it needs,

    server, state = carrier_fixtures(sim_twilio)

and its tests get `server` (one simulator per module) and `state` (its state, reset per
test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

from voiceops.sim.server import SimServer
from voiceops.sim.stack import reset


def carrier_fixtures(simulator: ModuleType) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """`server` and `state` fixtures for a carrier simulator module (its `serve()`)."""

    @pytest.fixture(scope="module")
    def server() -> Iterator[SimServer]:
        with simulator.serve() as running:
            yield running

    @pytest.fixture
    def state(server: SimServer) -> Any:
        reset(server)
        return server.app.state.sim  # type: ignore[attr-defined]

    return server, state
