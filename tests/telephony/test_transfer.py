"""transfer_call's hand-over through the carriers' REST APIs: voiceops' client against the
Twilio simulator on a real loopback port."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.carrier_sims import carrier_fixtures
from tests.telephony.test_rest import env, live_call
from voiceops.errors import ProviderError, ProviderSetupError
from voiceops.sim import twilio as sim_twilio
from voiceops.sim.server import SimServer
from voiceops.telephony.rest import CarrierRest, dial_twiml

server, state = carrier_fixtures(sim_twilio)


def transfer(server: SimServer, call: object, target: str) -> None:
    async def go() -> None:
        async with httpx.AsyncClient() as http:
            await CarrierRest(env(server), http).transfer(call, target)  # type: ignore[arg-type]

    asyncio.run(go())


def test_a_twilio_call_is_handed_to_a_number_with_dial_twiml(
        server: SimServer, state: sim_twilio.TwilioState) -> None:
    call = live_call(state)
    transfer(server, call, "+14155550199")
    [update] = state.twiml_updates.items()
    assert (update.call_sid, update.answered) == (call.call_sid, 200)
    dial = ET.fromstring(update.twiml).find("Dial")
    assert dial is not None and dial.text == "+14155550199"
    assert state.calls[call.call_sid].status == "in-progress"  # moved, not hung up
    assert not state.hangups.items()


def test_a_sip_target_is_dialled_inside_sip() -> None:
    assert dial_twiml("sip:desk@example.com") == (
        "<Response><Dial><Sip>sip:desk@example.com</Sip></Dial></Response>")
    assert "&lt;" in dial_twiml("+1<Hangup/>")  # a target is text, never TwiML


def test_an_ended_call_is_not_transferred(server: SimServer,
                                          state: sim_twilio.TwilioState) -> None:
    call = live_call(state)
    state.calls[call.call_sid].status = "completed"
    with pytest.raises(ProviderError, match="has ended already"):
        transfer(server, call, "+14155550199")
    assert [u.answered for u in state.twiml_updates.items()] == [400]  # tried once


def test_exotel_cannot_transfer_and_says_so(server: SimServer,
                                            state: sim_twilio.TwilioState) -> None:
    call = live_call(state, carrier="exotel")
    with pytest.raises(ProviderSetupError, match="Exotel has no API to transfer"):
        transfer(server, call, "+14155550199")
    assert not state.twiml_updates.items()


def test_the_tool_fails_with_the_reason_on_exotel(server: SimServer,
                                                  state: sim_twilio.TwilioState) -> None:
    from voiceops.config.settings import NO_PARAMETERS, ToolSettings
    from voiceops.providers.base import ToolCall
    from voiceops.runtime.tools import Outcome, ToolRunner

    call = live_call(state, carrier="exotel")
    tool = ToolSettings("transfer_call", "", NO_PARAMETERS, builtin="transfer_call",
                        target="+14155550199")

    async def go() -> Outcome:
        async with httpx.AsyncClient() as http:
            rest = CarrierRest(env(server), http)

            async def transfer(target: str) -> None:
                await rest.transfer(call, target)

            runner = ToolRunner([tool], {}, http, transfer=transfer)
            return await runner.run(ToolCall("c1", "transfer_call", {}))

    outcome = asyncio.run(go())
    assert not outcome.ok
    assert outcome.error == ("the call could not be transferred: Exotel has no API to transfer "
                             "a call in progress; the call cannot be transferred from here")
