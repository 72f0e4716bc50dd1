"""The cheap liveness check on pooled connections: it is in place on every shared client,
and it still notices an idle connection the server closed (the next request reconnects
instead of failing on a dead socket)."""

from __future__ import annotations

import asyncio

import httpcore

from voiceops.providers.http import SharedHttp
from voiceops.providers.liveness import LivenessBackend, lightened

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"


async def closing_server(connections: list[int]) -> asyncio.Server:
    """Answers one request per connection, then closes it, as a server whose keep-alive
    timeout ran out does; counts the connections."""
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await reader.readuntil(b"\r\n\r\n")
        writer.write(RESPONSE)
        await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_every_shared_client_has_the_cheap_check() -> None:
    async def go() -> tuple[bool, bool]:
        async with SharedHttp() as http:
            return lightened(http.httpx), lightened(http.sdk())

    assert asyncio.run(go()) == (True, True)


def test_a_connection_the_server_closed_is_dropped_not_reused() -> None:
    connections: list[int] = []

    async def go() -> list[str]:
        server = await closing_server(connections)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        answers = []
        async with SharedHttp() as http:
            for client in (http.httpx, http.sdk()):
                for _ in range(2):
                    response = await client.get(url)
                    answers.append(response.text)
                    await asyncio.sleep(0.05)  # the server's close reaches the client
        server.close()
        return answers

    assert asyncio.run(go()) == ["ok"] * 4
    assert len(connections) == 4  # each request found its pooled connection dead


def test_is_readable_turns_true_when_the_server_closes() -> None:
    async def go() -> tuple[bool, bool, bool]:
        closed = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await closed.wait()
            writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        backend = LivenessBackend(httpcore.AnyIOBackend())
        stream = await backend.connect_tcp("127.0.0.1", server.sockets[0].getsockname()[1])
        idle = stream.get_extra_info("is_readable")
        closed.set()
        await asyncio.sleep(0.05)
        after = stream.get_extra_info("is_readable")
        socket_kept = stream.get_extra_info("socket") is not None
        await stream.aclose()
        server.close()
        return idle, after, socket_kept

    assert asyncio.run(go()) == (False, True, True)
