"""The Exotel simulator's v1 Call API (there is no Exotel SDK to judge it: requests are
made as Exotel's curl examples make them, form fields and basic auth)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

from tests.carrier_sims import carrier_fixtures
from voiceops.sim import exotel as sim_exotel
from voiceops.sim.server import SimServer
from voiceops.sim.stack import SimStack

server, state = carrier_fixtures(sim_exotel)

LOGIN = (sim_exotel.API_KEY, sim_exotel.API_TOKEN)
BOT = {"From": "+919812345678", "CallerId": "08047491899",
       "StreamUrl": "wss://bot.example.test/v1/telephony/exotel/stream",
       "StreamType": "bidirectional"}


def calls_url(server: SimServer, rest: str) -> str:
    return f"{server.url}/v1/Accounts/{sim_exotel.ACCOUNT_SID}/Calls/{rest}"


def test_connect_voice_ai_dials_and_the_call_reads_back_as_json(server, state) -> None:  # type: ignore[no-untyped-def]
    made = httpx.post(calls_url(server, "connect.json"), data=BOT, auth=LOGIN)
    assert made.status_code == 200
    sid = made.json()["Call"]["Sid"]
    assert state.calls[sid].stream_url == BOT["StreamUrl"]
    read = httpx.get(calls_url(server, f"{sid}.json"), auth=LOGIN).json()["Call"]
    assert (read["Status"], read["From"], read["EndTime"]) == ("in-progress", BOT["From"], None)


def test_the_plain_paths_answer_xml_as_the_v1_example_shows(server, state) -> None:  # type: ignore[no-untyped-def]
    lower = {name.lower(): value for name, value in BOT.items()}  # the AgentStream guide's case
    made = httpx.post(calls_url(server, "connect"), data=lower, auth=LOGIN)
    root = ET.fromstring(made.text)
    assert root.tag == "TwilioResponse"
    sid = root.findtext("Call/Sid")
    assert ET.fromstring(httpx.get(calls_url(server, str(sid)), auth=LOGIN).text).findtext(
        "Call/Status") == "in-progress"


def test_the_flows_hangup_applet_completes_the_call(server, state) -> None:  # type: ignore[no-untyped-def]
    sid = httpx.post(calls_url(server, "connect.json"), data=BOT, auth=LOGIN).json()["Call"]["Sid"]
    state.end_call(sid)
    read = httpx.get(calls_url(server, f"{sid}.json"), auth=LOGIN).json()["Call"]
    assert read["Status"] == "completed" and read["EndTime"] is not None


@pytest.mark.parametrize(("form", "status"), [
    ({**BOT, "From": ""}, 400),
    ({k: v for k, v in BOT.items() if k != "StreamUrl"}, 400),
    ({**BOT, "StreamType": "unidirectional"}, 400),
])
def test_a_connect_without_what_it_needs_is_a_400(server, state, form, status) -> None:  # type: ignore[no-untyped-def]
    assert httpx.post(calls_url(server, "connect.json"), data=form, auth=LOGIN
                      ).status_code == status
    assert state.calls == {}


def test_a_wrong_login_is_401_and_an_unknown_call_404(server, state) -> None:  # type: ignore[no-untyped-def]
    assert httpx.post(calls_url(server, "connect.json"), data=BOT,
                      auth=(sim_exotel.API_KEY, "wrong")).status_code == 401
    assert httpx.get(calls_url(server, "0" * 32 + ".json"), auth=LOGIN).status_code == 404


def test_the_stack_points_exotel_variables_at_it() -> None:
    with SimStack() as sims:
        env = sims.env()
        assert env["EXOTEL_BASE_URL"] == sims.servers["exotel"].url
        assert (env["EXOTEL_API_KEY"], env["EXOTEL_API_TOKEN"]) == LOGIN
