"""The example booking service (the starter's booking tools call it under `--sim`), over
real HTTP on loopback: the clinic's hours, booking a slot, refusing a taken or closed one,
the token, and a calendar that stays bounded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from voiceops.sim import booking
from voiceops.sim.stack import SimStack

TUESDAY, SUNDAY = "2026-12-01", "2026-12-06"


@pytest.fixture
def service() -> Iterator[tuple[httpx.Client, booking.BookingState]]:
    state = booking.BookingState()
    with booking.serve(state) as sim, httpx.Client(
            base_url=sim.url, headers={"Authorization": f"Bearer {booking.TOKEN}"}) as client:
        yield client, state


def book(client: httpx.Client, date: str = TUESDAY, time: str = "10:30",
         **changes: Any) -> httpx.Response:
    body = {"date": date, "time": time, "name": "Asha Rao", "phone": "+15551234567",
            "service": "cleaning", **changes}
    return client.post("/appointments", json={k: v for k, v in body.items() if v is not None})


def free(client: httpx.Client, date: str = TUESDAY) -> list[str]:
    answer = client.post("/availability", json={"date": date})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["slots"])


def test_availability_is_the_clinics_half_hours_less_two_taken_the_same_every_time(
        service: tuple[httpx.Client, booking.BookingState]) -> None:
    client, _ = service
    answer = client.post("/availability", json={"date": TUESDAY}).json()
    assert answer["open"] is True and answer["hours"] == "09:00-19:00"
    assert answer["weekday"] == "Tuesday"
    assert list(answer)[:2] == ["date", "slots"]  # what a shortened tool result still shows
    every = booking.slots_of(dt.date(2026, 12, 1))
    assert every[0] == "09:00" and every[-1] == "18:30" and len(every) == 20
    assert set(answer["slots"]) < set(every) and len(answer["slots"]) == 18
    assert free(client) == answer["slots"]  # deterministic
    assert free(client, "2026-12-02") != answer["slots"]  # another day, other slots taken


def test_sunday_is_closed(service: tuple[httpx.Client, booking.BookingState]) -> None:
    client, _ = service
    answer = client.post("/availability", json={"date": SUNDAY}).json()
    assert answer == {"date": SUNDAY, "weekday": "Sunday", "open": False, "hours": None,
                      "slots": []}
    refused = book(client, SUNDAY, "10:00")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "closed"
    assert "closed on Sundays" in refused.json()["error"]["message"]


def test_booking_a_free_slot_confirms_it_and_the_slot_is_no_longer_free(
        service: tuple[httpx.Client, booking.BookingState]) -> None:
    client, state = service
    slot = free(client)[0]
    answer = book(client, time=slot)
    assert answer.status_code == 201, answer.text
    confirmed = answer.json()
    assert confirmed == {"confirmation": "BK-000001", "date": TUESDAY, "time": slot,
                         "name": "Asha Rao", "phone": "+15551234567", "service": "cleaning"}
    assert slot not in free(client)
    assert state.received[-2].body["name"] == "Asha Rao"  # kept like every simulator's


def test_a_taken_slot_is_refused_with_409(
        service: tuple[httpx.Client, booking.BookingState]) -> None:
    client, _ = service
    slot = free(client)[0]
    assert book(client, time=slot).status_code == 201
    again = book(client, time=slot, name="Someone Else")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "slot_taken"
    assert f"{TUESDAY} at {slot} is already booked" in again.json()["error"]["message"]
    taken_already = sorted(set(booking.slots_of(dt.date(2026, 12, 1))) - set(free(client))
                           - {slot})
    assert len(taken_already) == 2
    assert book(client, time=taken_already[0]).status_code == 409


@pytest.mark.parametrize(("time", "why"), [("08:30", "open 09:00-19:00"),
                                           ("19:00", "open 09:00-19:00"),
                                           ("10:15", "half hour")])
def test_a_time_outside_the_hours_or_off_the_half_hour_is_refused_with_422(
        service: tuple[httpx.Client, booking.BookingState], time: str, why: str) -> None:
    answer = book(service[0], time=time)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "closed" and why in answer.json()["error"][
        "message"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"phone": None}, "missing phone"),
    ({"name": " ", "service": None}, "missing name, service"),
    ({"date": "1 December"}, "date must be a day as YYYY-MM-DD"),
    ({"date": "2026-02-30"}, "date must be a day as YYYY-MM-DD"),
    ({"time": "half past ten"}, "time must be HH:MM"),
    ({"time": 10}, "time must be HH:MM"),
])
def test_a_missing_or_malformed_field_is_refused_with_422_naming_it(
        service: tuple[httpx.Client, booking.BookingState], changes: dict[str, Any],
        message: str) -> None:
    answer = book(service[0], **changes)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "bad_request"
    assert message in answer.json()["error"]["message"]


def test_a_body_that_is_not_an_object_or_too_large_is_refused(
        service: tuple[httpx.Client, booking.BookingState]) -> None:
    client, _ = service
    assert client.post("/availability", content=b"[1]").status_code == 422
    assert client.post("/availability", content=b"{nope").status_code == 422
    huge = client.post("/availability",
                       json={"date": TUESDAY, "pad": "x" * booking.MAX_BODY_BYTES})
    assert huge.status_code == 413


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {booking.TOKEN}"])
def test_without_the_token_nothing_is_answered_or_booked(authorization: str | None) -> None:
    state = booking.BookingState()
    headers = {"Authorization": authorization} if authorization else {}
    with booking.serve(state) as sim:
        for path, body in (("/availability", {"date": TUESDAY}),
                           ("/appointments", {"date": TUESDAY, "time": "10:30", "name": "A",
                                              "phone": "1", "service": "cleaning"})):
            answer = httpx.post(sim.url + path, json=body, headers=headers)
            assert answer.status_code == 401
            assert answer.json()["error"]["code"] == "unauthorized"
    assert state.bookings == {} and state.received == []


def test_the_calendar_keeps_at_most_max_bookings_dropping_the_oldest(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(booking, "MAX_BOOKINGS", 5)
    state = booking.BookingState()
    day = dt.date(2026, 12, 1)
    made = [state.book(day.isoformat(), slot, "A", "1", "cleaning")
            for slot in booking.slots_of(day)]
    confirmed = [b for b in made if b is not None]
    assert len(confirmed) == 18 and len(state.bookings) == 5
    assert list(state.bookings.values()) == confirmed[-5:]
    assert confirmed[-1].confirmation == "BK-000018"  # ids stay unique


def test_the_stack_serves_it_and_env_points_at_it_with_its_token() -> None:
    with SimStack() as sims:
        env = sims.env()
        assert env["BOOKING_API_URL"] == sims.servers["booking"].url
        assert env["BOOKING_API_TOKEN"] == booking.TOKEN
        answer = httpx.post(env["BOOKING_API_URL"] + "/availability", json={"date": TUESDAY},
                            headers={"Authorization": f"Bearer {env['BOOKING_API_TOKEN']}"})
        assert answer.status_code == 200 and answer.json()["open"] is True
        assert book(httpx.Client(base_url=env["BOOKING_API_URL"], headers={
            "Authorization": f"Bearer {booking.TOKEN}"})).status_code == 201
        sims.reset()
        assert sims.booking_state.bookings == {} and sims.booking_state.made == 0
