"""SimServer and the fault layer: a real loopback server that starts fast, counts requests and
injects failures, stalls and cut bodies on demand."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from voiceops.sim import SimServer
from voiceops.sim.responses import json_response

PAYLOAD = {"items": [{"id": i, "name": f"item {i}"} for i in range(50)]}


async def items(request: Request) -> Response:
    return json_response(request, PAYLOAD)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"oops": {"status": status, "text": message}}


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:  # one client: building one costs ~20 ms (TLS context)
        yield client


def make_server() -> SimServer:
    app = Starlette(routes=[Route("/items", items), Route("/other", items)])
    return SimServer(app, name="test", error_body=error_body, api_prefix="/api")


def test_start_returns_serving_on_an_ephemeral_port(http: httpx.Client) -> None:
    # How fast it starts is bench material; here: it is listening once start() returns.
    server = make_server()
    server.start()
    try:
        assert http.get(server.url + "/items").status_code == 200
        assert server.url.startswith("http://127.0.0.1:")
        assert not server.url.endswith(":0")
        assert server.base_url == server.url + "/api"
        assert http.get(server.url + "/items").json() == PAYLOAD
    finally:
        server.stop()


def test_two_servers_run_side_by_side_on_different_ports(http: httpx.Client) -> None:
    with make_server() as one, make_server() as two:
        assert one.url != two.url
        assert http.get(one.url + "/items").status_code == 200
        assert http.get(two.url + "/items").status_code == 200


def test_counts_every_request_and_logs_path_and_query(http: httpx.Client) -> None:
    with make_server() as server:
        http.get(server.url + "/items", params={"page": 2})
        http.get(server.url + "/other")
        server.faults.fail(500)
        http.get(server.url + "/items")
        assert server.requests == 3
        assert server.log.count("/items") == 2
        assert server.log.entries[0].query == "page=2"
        server.log.reset()
        assert server.requests == 0


def test_is_usable_from_async_code() -> None:
    async def main() -> int:
        async with make_server() as server, httpx.AsyncClient() as client:
            response = await client.get(server.url + "/items")
            return response.status_code

    assert asyncio.run(main()) == 200


def test_etag_then_if_none_match_gives_304_without_a_body(http: httpx.Client) -> None:
    with make_server() as server:
        first = http.get(server.url + "/items")
        again = http.get(server.url + "/items", headers={"If-None-Match": first.headers["etag"]})
        stale = http.get(server.url + "/items", headers={"If-None-Match": '"stale"'})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert stale.status_code == 200


def test_fail_answers_the_next_requests_in_the_providers_error_shape(http: httpx.Client) -> None:
    with make_server() as server:
        server.faults.fail(429, times=2, retry_after=3)
        statuses = [http.get(server.url + "/items") for _ in range(3)]
    assert [r.status_code for r in statuses] == [429, 429, 200]
    assert statuses[0].headers["retry-after"] == "3"
    assert statuses[0].json()["oops"]["status"] == 429


def test_faults_are_used_in_order_and_can_target_a_path(http: httpx.Client) -> None:
    with make_server() as server:
        server.faults.fail(503, path="/other")
        server.faults.fail(401)
        assert http.get(server.url + "/items").status_code == 401  # first matching: the 401
        assert http.get(server.url + "/items").status_code == 200
        assert http.get(server.url + "/other").status_code == 503
        assert server.faults.pending == 0


def test_bad_fault_plans_are_refused() -> None:
    server = make_server()
    with pytest.raises(ValueError):
        server.faults.fail(200)
    with pytest.raises(ValueError):
        server.faults.delay(1.0, times=0)


def test_delay_before_headers_trips_a_client_read_timeout(http: httpx.Client) -> None:
    with make_server() as server:
        server.faults.delay(5.0)
        with pytest.raises(httpx.ReadTimeout):  # the 0.2 s timeout, not the 5 s answer
            http.get(server.url + "/items", timeout=0.2)


def test_delay_before_body_stalls_after_the_headers() -> None:
    with make_server() as server, httpx.Client(timeout=0.2) as client:
        server.faults.delay(5.0, before="body")
        with client.stream("GET", server.url + "/items") as response:
            assert response.status_code == 200  # headers arrived in time
            with pytest.raises(httpx.ReadTimeout):
                response.read()


def test_stop_does_not_wait_for_a_stalled_response(http: httpx.Client) -> None:
    server = make_server().start()
    server.faults.delay(30.0)
    with pytest.raises(httpx.ReadTimeout):
        http.get(server.url + "/items", timeout=0.1)
    stopping = threading.Thread(target=server.stop)
    stopping.start()
    stopping.join(timeout=10.0)  # generous, and still a third of the stalled answer's 30 s
    assert not stopping.is_alive()


def test_latency_is_added_to_every_request(http: httpx.Client) -> None:
    with make_server() as server:
        server.faults.latency = 0.1
        began = time.perf_counter()
        for _ in range(3):
            http.get(server.url + "/items")
        assert time.perf_counter() - began >= 0.3
        server.faults.clear()
        assert server.faults.latency == 0.0


def test_truncate_short_drops_the_connection_before_content_length(http: httpx.Client) -> None:
    with make_server() as server:
        server.faults.truncate()
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(server.url + "/items")
        assert http.get(server.url + "/items").json() == PAYLOAD  # only the next one


def test_truncate_cut_sends_valid_http_with_cut_json(http: httpx.Client) -> None:
    with make_server() as server:
        server.faults.truncate(mode="cut", keep_bytes=40)
        response = http.get(server.url + "/items")
    assert response.status_code == 200
    assert len(response.content) == 40
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
