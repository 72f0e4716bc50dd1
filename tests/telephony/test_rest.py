"""Hanging up through the carriers' REST APIs: voiceops' client against the Twilio simulator
on a real loopback port (the simulator itself is judged by the twilio SDK in
tests/sim/test_sim_twilio.py)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

import httpx
import pytest

from tests.carrier_sims import carrier_fixtures
from voiceops.errors import AuthError, MissingKeyError, ProviderUnavailable
from voiceops.providers.transport.policy import RetryPolicy
from voiceops.sim import twilio as sim_twilio
from voiceops.sim.server import SimServer
from voiceops.telephony.rest import CarrierRest
from voiceops.telephony.types import CallInfo

server, state = carrier_fixtures(sim_twilio)


def env(server: SimServer, **changes: str) -> dict[str, str]:
    found = sim_twilio.env(server, sim_twilio.TwilioState())
    found.update(changes)
    return {name: value for name, value in found.items() if value}


def live_call(state: sim_twilio.TwilioState, carrier: str = "twilio") -> CallInfo:
    sid = "CA" + f"{len(state.calls):032d}"
    state.add(sim_twilio.SimCall(sid, state.account_sid, "+14155550100", "+919812345678",
                                 "in-progress", "inbound", 0.0))
    return CallInfo(carrier, sid, "MZ" + "0" * 32, state.account_sid,  # type: ignore[arg-type]
                    "+919812345678", "+14155550100")


def hang_up(call: CallInfo, environ: Mapping[str, str]) -> None:
    async def go() -> None:
        async with httpx.AsyncClient() as http:
            fast = RetryPolicy(attempts=3, sleep=lambda _: asyncio.sleep(0))
            await CarrierRest(environ, http, retry=fast).hang_up(call)

    asyncio.run(go())


def test_a_twilio_call_is_hung_up_with_status_completed(server, state) -> None:  # type: ignore[no-untyped-def]
    call = live_call(state)
    hang_up(call, env(server))
    assert state.calls[call.call_sid].status == "completed"
    assert state.hangups.items() == [sim_twilio.HangUpRequest(call.call_sid, "completed", 200)]


def test_a_call_that_ended_already_is_no_error(  # type: ignore[no-untyped-def]
        server, state, caplog: pytest.LogCaptureFixture) -> None:
    call = live_call(state)
    hang_up(call, env(server))
    with caplog.at_level(logging.INFO, logger="voiceops.telephony"):
        hang_up(call, env(server))  # 400, code 21220
        hang_up(CallInfo("twilio", "CA" + "7" * 32, "MZ", state.account_sid, "", ""),
                env(server))  # 404, code 20404
    assert [h.answered for h in state.hangups.items()] == [200, 400, 404]
    assert sum("had ended already" in r.getMessage() for r in caplog.records) == 2


def test_an_api_key_is_used_when_set(server, state) -> None:  # type: ignore[no-untyped-def]
    call = live_call(state)
    hang_up(call, env(server, TWILIO_AUTH_TOKEN="", TWILIO_API_KEY=sim_twilio.API_KEY_SID,
                      TWILIO_API_SECRET=sim_twilio.API_KEY_SECRET))
    assert state.calls[call.call_sid].status == "completed"


def test_the_account_comes_from_the_environment_when_the_call_has_none(server, state) -> None:  # type: ignore[no-untyped-def]
    call = live_call(state)
    anonymous = CallInfo("twilio", call.call_sid, call.stream_sid, "", "", "")
    hang_up(anonymous, env(server))
    assert state.calls[call.call_sid].status == "completed"


def test_the_login_is_the_configured_account_and_the_url_the_calls_own(server, state) -> None:  # type: ignore[no-untyped-def]
    call = live_call(state)
    other = CallInfo("twilio", call.call_sid, call.stream_sid, "AC" + "4" * 32, "", "")
    hang_up(other, env(server))  # logged in as the sim's account: no AuthError
    assert state.hangups.items() == []  # the URL named the other account: 404 before it
    assert [r.path for r in server.log.entries][-1].startswith(
        f"/2010-04-01/Accounts/{'AC' + '4' * 32}/Calls/")


def test_a_refused_token_is_an_auth_error_that_never_shows_it(server, state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuthError) as caught:
        hang_up(live_call(state), env(server, TWILIO_AUTH_TOKEN="wrong-token-123"))
    message = str(caught.value)
    assert "Twilio" in message and "TWILIO_AUTH_TOKEN" in message
    assert "wrong-token-123" not in message


def test_no_credentials_is_a_missing_key_error_naming_the_variable(server, state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MissingKeyError) as caught:
        hang_up(live_call(state), env(server, TWILIO_AUTH_TOKEN=""))
    assert caught.value.env_var == "TWILIO_AUTH_TOKEN"
    assert state.hangups.items() == []


def test_a_passing_5xx_is_retried(server, state) -> None:  # type: ignore[no-untyped-def]
    call = live_call(state)
    server.faults.fail(503, times=1)
    hang_up(call, env(server))
    assert state.calls[call.call_sid].status == "completed"


def test_a_lasting_5xx_is_provider_unavailable_naming_twilio(server, state) -> None:  # type: ignore[no-untyped-def]
    server.faults.fail(503, times=10)
    with pytest.raises(ProviderUnavailable, match="Twilio is unavailable"):
        hang_up(live_call(state), env(server))
    server.faults.clear()


def test_exotel_has_no_hang_up_api_so_nothing_is_sent(server, state) -> None:  # type: ignore[no-untyped-def]
    before = server.requests
    hang_up(live_call(state, carrier="exotel"), env(server))
    assert server.requests == before
