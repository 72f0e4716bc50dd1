"""The Twilio simulator, driven by the official twilio SDK: what the SDK sends, the simulator
understands, and what it answers, the SDK reads (resources and TwilioRestException codes)."""

from __future__ import annotations

import httpx
import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.carrier_sims import carrier_fixtures
from voiceops.sim import twilio as sim_twilio
from voiceops.sim.server import SimServer
from voiceops.sim.stack import reset

server, state = carrier_fixtures(sim_twilio)


def sdk(server: SimServer, user: str = sim_twilio.ACCOUNT_SID,
        password: str = sim_twilio.AUTH_TOKEN) -> Client:
    client = Client(user, password, account_sid=sim_twilio.ACCOUNT_SID)
    client.api.base_url = server.url  # the SDK's own override point (Domain.base_url)
    return client


def new_call(client: Client) -> str:
    call = client.calls.create(to="+14155550100", from_="+918047491899",
                               url="https://example.com/voice")
    assert call.status == "queued" and call.sid.startswith("CA")
    return str(call.sid)


def test_a_call_made_with_the_sdk_is_in_progress_and_reads_back(server, state) -> None:  # type: ignore[no-untyped-def]
    client = sdk(server)
    sid = new_call(client)
    fetched = client.calls(sid).fetch()
    assert (fetched.status, fetched.to, fetched._from) == ("in-progress", "+14155550100",
                                                           "+918047491899")
    assert fetched.account_sid == sim_twilio.ACCOUNT_SID
    assert fetched.start_time is not None and fetched.end_time is None


def test_status_completed_hangs_up_and_is_recorded(server, state) -> None:  # type: ignore[no-untyped-def]
    client = sdk(server)
    sid = new_call(client)
    ended = client.calls(sid).update(status="completed")
    assert ended.status == "completed" and ended.end_time is not None
    assert client.calls(sid).fetch().status == "completed"
    assert state.hangups.items() == [sim_twilio.HangUpRequest(sid, "completed", 200)]
    # what the SDK sent, kept as every simulator keeps it (then the fetch, with no body)
    assert [r.body for r in state.received][-2:] == [{"Status": "completed"}, {}]


def test_canceled_does_not_end_a_call_in_progress(server, state) -> None:  # type: ignore[no-untyped-def]
    client = sdk(server)
    sid = new_call(client)
    assert client.calls(sid).update(status="canceled").status == "in-progress"


def test_updating_an_ended_call_is_twilios_21220(server, state) -> None:  # type: ignore[no-untyped-def]
    client = sdk(server)
    sid = new_call(client)
    client.calls(sid).update(status="completed")
    with pytest.raises(TwilioRestException) as caught:
        client.calls(sid).update(status="completed")
    assert (caught.value.status, caught.value.code) == (400, 21220)
    assert [h.answered for h in state.hangups.items()] == [200, 400]


def test_an_unknown_call_is_a_20404_and_its_hang_up_is_still_recorded(server, state) -> None:  # type: ignore[no-untyped-def]
    client = sdk(server)
    with pytest.raises(TwilioRestException) as caught:
        client.calls("CA" + "9" * 32).update(status="completed")
    assert (caught.value.status, caught.value.code) == (404, 20404)
    assert state.hangups.items() == [sim_twilio.HangUpRequest("CA" + "9" * 32, "completed", 404)]


def test_a_wrong_auth_token_is_a_20003(server, state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TwilioRestException) as caught:
        new_call(sdk(server, password="not-the-token"))
    assert (caught.value.status, caught.value.code) == (401, 20003)
    assert state.calls == {}


def test_an_api_key_logs_in_like_the_auth_token(server, state) -> None:  # type: ignore[no-untyped-def]
    client = sdk(server, sim_twilio.API_KEY_SID, sim_twilio.API_KEY_SECRET)
    assert client.calls(new_call(client)).fetch().status == "in-progress"


def test_a_new_call_needs_to_from_and_instructions(server, state) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TwilioRestException) as caught:  # the SDK requires To and From itself
        sdk(server).calls.create(to="+14155550100", from_="+918047491899")
    assert (caught.value.status, caught.value.code) == (400, 21200)
    url = f"{server.url}/2010-04-01/Accounts/{sim_twilio.ACCOUNT_SID}/Calls.json"
    login = (sim_twilio.ACCOUNT_SID, sim_twilio.AUTH_TOKEN)
    for form, code in (({"From": "+1", "Url": "https://x"}, 21201),
                       ({"To": "+1", "Url": "https://x"}, 21213)):
        answer = httpx.post(url, data=form, auth=login)
        assert (answer.status_code, answer.json()["code"]) == (400, code)
    assert state.calls == {}


def test_reset_forgets_calls_and_hang_ups(server, state) -> None:  # type: ignore[no-untyped-def]
    client = sdk(server)
    client.calls(new_call(client)).update(status="completed")
    reset(server)
    fresh = server.app.state.sim
    assert fresh.calls == {} and fresh.hangups.items() == []
