"""The daemon's and the simulators' listening sockets: connections accepted from them send
small writes at once (TCP_NODELAY), as asyncio does for sockets it makes itself.

A listening socket made as socket(AF_INET, SOCK_STREAM) has protocol 0, and asyncio only
turns Nagle's algorithm off for sockets whose protocol is IPPROTO_TCP; a response written
as headers then body then waited for the client's delayed ACK: 40 ms on every request on
a kept-alive connection to a simulator."""

from __future__ import annotations

import asyncio
import socket

import pytest

from voiceops.server.listen import listening_socket


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_accepted_connections_do_not_wait_to_send(host: str) -> None:
    try:
        sock = listening_socket(host, 0)
    except OSError as exc:  # no IPv6 on this machine
        pytest.skip(f"cannot listen on {host}: {exc}")

    async def go() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                inner = transport.get_extra_info("socket")
                accepted.set_result(inner.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
        port = sock.getsockname()[1]
        _, writer = await asyncio.open_connection(host, port)
        try:
            return await asyncio.wait_for(accepted, 10)
        finally:
            writer.close()
            server.close()

    assert asyncio.run(go()) != 0
