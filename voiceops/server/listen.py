"""Listening sockets for the daemon and the simulators, made so that asyncio turns Nagle's
algorithm off on every connection they accept.

asyncio sets TCP_NODELAY only on sockets whose protocol is IPPROTO_TCP, and a socket made
as `socket(AF_INET, SOCK_STREAM)` has protocol 0, as do the connections it accepts. Left
on, Nagle held a response's body until the client acknowledged its headers: a delayed ACK
of 40 ms on every request of a kept-alive connection.
"""

from __future__ import annotations

import socket


def listening_socket(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A TCP socket bound to (host, port) and listening; IPv6 when `host` has a colon."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    return sock
