"""Echo server from python3-websockets (Debian), for the client interop tests.

Usage: python3 tests/client/servers/python_echo.py [--deflate]
Prints "listening on http://127.0.0.1:PORT" and echoes every message until killed.
"""

import asyncio
import sys

from websockets import serve


async def echo(socket, *_):
    async for message in socket:
        await socket.send(message)


async def main(deflate: bool) -> None:
    compression = "deflate" if deflate else None
    async with serve(echo, "127.0.0.1", 0, max_size=None, compression=compression) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on http://127.0.0.1:{port}", flush=True)
        await asyncio.Future()


asyncio.run(main("--deflate" in sys.argv))
