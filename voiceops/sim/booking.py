"""A tiny example booking service: what the starter's `appointments_en` books through its
`check_availability` and `book_appointment` tools, so `voiceops run appointments_en --sim`
can check a calendar and book with no service of your own.

It is a clinic's calendar, deterministic so tests and demos can rely on it:
- open Monday to Saturday, 09:00 to 19:00, in half-hour slots (the last one at 18:30);
  closed on Sundays. Two slots a day are taken from the start, chosen by the date, so a
  caller sometimes hears that a slot is gone.
- `POST /availability {"date": "2026-12-01"}` -> 200 `{"date", "slots", "weekday", "open",
  "hours"}` (the free slots as "HH:MM"; none on a closed day).
- `POST /appointments {"date", "time", "name", "phone", "service"}` -> 201
  `{"confirmation", "date", "time", "name", "phone", "service"}`; a slot already booked is
  409 `slot_taken`, one when the clinic is closed or not on a half hour 422 `closed`, a
  missing or malformed field 422 `bad_request`.
Every request needs `Authorization: Bearer <TOKEN>` (401 `unauthorized` otherwise); bodies
are JSON objects of at most `MAX_BODY_BYTES` (413). Errors are
`{"error": {"status", "code", "message"}}`, a message a person (or an LLM) can read.

Bookings live in memory, at most `MAX_BOOKINGS` (the oldest go first: a daemon on `--sim`
runs for days), and, like every simulator's state, the latest requests' bodies in `received`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import Any, cast

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voiceops.sim.knobs import Recorder
from voiceops.sim.responses import error_response, json_response
from voiceops.sim.server import SimServer

__all__ = [
    "CLOSED_WEEKDAYS",
    "CLOSES",
    "MAX_BODY_BYTES",
    "MAX_BOOKINGS",
    "OPENS",
    "TOKEN",
    "Booking",
    "BookingState",
    "create_app",
    "env",
    "error_body",
    "serve",
    "slots_of",
]

#: The simulated service's token, well known: `voiceops run --sim` gives it to the daemon.
TOKEN = "sim_booking_token_0123456789"
OPENS, CLOSES = dt.time(9, 0), dt.time(19, 0)
SLOT_MINUTES = 30
CLOSED_WEEKDAYS = frozenset({6})  # Sunday (Monday is 0)
#: Bookings the simulator remembers; the oldest go first.
MAX_BOOKINGS = 10_000
#: The largest request body taken (a booking is a few hundred bytes).
MAX_BODY_BYTES = 16_384
_FIELDS = ("date", "time", "name", "phone", "service")


@dataclass(frozen=True)
class Booking:
    """One appointment the service confirmed."""

    confirmation: str
    date: str
    time: str
    name: str
    phone: str
    service: str


@dataclass
class BookingState(Recorder):
    """The calendar: the bookings made (by (date, time)), the token it takes, and the
    latest requests' bodies in `received`."""

    token: str = TOKEN
    bookings: OrderedDict[tuple[str, str], Booking] = field(default_factory=OrderedDict)
    made: int = 0  # bookings confirmed so far, for confirmation ids
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def book(self, date: str, time: str, name: str, phone: str, service: str) -> Booking | None:
        """A new booking of the slot, or None when it is taken (checked and taken at once)."""
        with self.lock:
            if (date, time) in self.bookings or time in _taken_from_the_start(date):
                return None
            self.made += 1
            booking = Booking(f"BK-{self.made:06d}", date, time, name, phone, service)
            self.bookings[(date, time)] = booking
            while len(self.bookings) > MAX_BOOKINGS:
                self.bookings.popitem(last=False)
            return booking

    def free(self, date: str) -> list[str]:
        """The free slots of `date` ("HH:MM", in order)."""
        with self.lock:
            booked = {time for (day, time) in self.bookings if day == date}
        taken = booked | _taken_from_the_start(date)
        return [slot for slot in slots_of(dt.date.fromisoformat(date)) if slot not in taken]


def slots_of(day: dt.date) -> list[str]:
    """Every slot of the clinic's day, free or not ("09:00" ... "18:30"); none when closed."""
    if day.weekday() in CLOSED_WEEKDAYS:
        return []
    first = OPENS.hour * 60 + OPENS.minute
    last = CLOSES.hour * 60 + CLOSES.minute
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(first, last, SLOT_MINUTES)]


def _taken_from_the_start(date: str) -> set[str]:
    """Two slots of the day the calendar shows as booked already, chosen by the date."""
    day = dt.date.fromisoformat(date)
    slots = slots_of(day)
    if not slots:
        return set()
    n = day.toordinal()
    return {slots[n % len(slots)], slots[(n * 7 + 3) % len(slots)]}


def env(server: SimServer, sim: BookingState) -> dict[str, str]:
    """The variables the example project's booking tools read."""
    return {"BOOKING_API_URL": server.url, "BOOKING_API_TOKEN": sim.token}


def error_body(status: int, message: str, code: str | None = None) -> dict[str, Any]:
    """An error as this service shapes it (planned faults have no code of their own)."""
    return {"error": {"status": status, "code": code or f"http_{status}", "message": message}}


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> Response:
        return error_response(error_body(self.status, self.message, self.code), self.status)


def _state(request: Request) -> BookingState:
    return cast(BookingState, request.app.state.sim)


async def _body(request: Request) -> dict[str, Any]:
    """The request's JSON object, after the token is checked; recorded in `received`."""
    sim = _state(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or token != sim.token:
        raise _Refused(401, "unauthorized", "missing or wrong token: send Authorization: "
                                            "Bearer <BOOKING_API_TOKEN>")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise _Refused(413, "too_large", f"the body is over {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw or b"null")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _Refused(422, "bad_request", "the body must be a JSON object")
    sim.record(request.url.path, body)
    return body


def _date(body: dict[str, Any]) -> str:
    text = body.get("date")
    try:
        if isinstance(text, str) and len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise _Refused(422, "bad_request", f"date must be a day as YYYY-MM-DD, not {text!r}")


def _time(body: dict[str, Any]) -> str:
    text = body.get("time")
    try:
        if isinstance(text, str) and len(text) == 5:
            return dt.time.fromisoformat(text).strftime("%H:%M")
    except ValueError:
        pass
    raise _Refused(422, "bad_request", f"time must be HH:MM on the 24-hour clock, not {text!r}")


async def availability(request: Request) -> Response:
    """`POST /availability {date}`: the free slots of that day."""
    try:
        date = _date(await _body(request))
    except _Refused as refused:
        return refused.response()
    day = dt.date.fromisoformat(date)
    is_open = bool(slots_of(day))
    # the slots first: a shortened answer (the simulated model's) still shows some
    return json_response(request, {
        "date": date, "slots": _state(request).free(date), "weekday": day.strftime("%A"),
        "open": is_open, "hours": f"{OPENS:%H:%M}-{CLOSES:%H:%M}" if is_open else None})


async def appointments(request: Request) -> Response:
    """`POST /appointments {date, time, name, phone, service}`: book a free slot."""
    try:
        body = await _body(request)
        missing = [name for name in _FIELDS if not str(body.get(name) or "").strip()]
        if missing:
            raise _Refused(422, "bad_request", f"missing {', '.join(missing)}")
        date, time = _date(body), _time(body)
        day = dt.date.fromisoformat(date)
        if time not in slots_of(day):
            why = f"closed on {day:%A}s" if not slots_of(day) else \
                f"open {OPENS:%H:%M}-{CLOSES:%H:%M}, in slots on the hour and half hour"
            raise _Refused(422, "closed", f"no appointments on {date} at {time}: the clinic "
                                          f"is {why}")
        booking = _state(request).book(date, time, *(str(body[n]).strip() for n in _FIELDS[2:]))
        if booking is None:
            raise _Refused(409, "slot_taken", f"{date} at {time} is already booked; ask "
                                              "/availability for the free slots")
    except _Refused as refused:
        return refused.response()
    return json_response(request, asdict(booking), status=201)


ROUTES = [
    Route("/availability", availability, methods=["POST"]),
    Route("/appointments", appointments, methods=["POST"]),
]


def create_app(sim: BookingState | None = None) -> Starlette:
    """The booking service app over `sim` (default: a fresh `BookingState`)."""
    app = Starlette(routes=ROUTES)
    app.state.sim = sim if sim is not None else BookingState()
    return app


def serve(sim: BookingState | None = None) -> SimServer:
    """A not-yet-started `SimServer` for the booking service (`url` is its root)."""
    return SimServer(create_app(sim), name="booking", error_body=error_body)
