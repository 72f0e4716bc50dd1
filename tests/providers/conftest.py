"""Every provider test runs the real client against the real simulators on loopback: one
`SimStack` per test module, put back to its defaults before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from voiceops.sim.stack import SimStack


@pytest.fixture(scope="module")
def stack() -> Iterator[SimStack]:
    with SimStack() as sims:
        yield sims


@pytest.fixture
def sims(stack: SimStack) -> SimStack:
    """The module's simulators, reset: default knobs, no faults, empty request logs."""
    stack.reset()
    return stack
