"""Interop client from python3-websockets (Debian), a WebSocket stack nobody here wrote.

Usage: python3 tests/interop/python_client.py ws://127.0.0.1:PORT/ [--deflate]
Echo round trips of text, binary and 1 MiB, then a close with code 4000.
With --deflate (websockets offers permessage-deflate by default), the server
must accept it, and compressible JSON messages echo in a row (context takeover).
Prints "ok" and exits 0 when every check holds.
"""

import json

import asyncio
import sys

# websockets.connect: the client in Debian's 10.x and in today's releases alike.
from websockets import connect


async def main(url: str, deflate: bool) -> None:
    async with connect(url, max_size=None) as socket:
        if deflate:
            names = [extension.name for extension in socket.extensions]
            assert names == ["permessage-deflate"], f"negotiated {names}"
            print("extensions:", socket.response_headers.get("Sec-WebSocket-Extensions"))
            for index in range(20):
                message = json.dumps({"id": index, "items": [{"key": k, "value": k * index} for k in range(80)]})
                await socket.send(message)
                assert await socket.recv() == message, f"compressed echo {index}"
        await socket.send("héllo from python")
        assert await socket.recv() == "héllo from python", "text echo"
        await socket.send(b"\x00\x01\xff")
        assert await socket.recv() == b"\x00\x01\xff", "binary echo"
        big = bytes(range(256)) * 4096
        await socket.send(big)
        assert await socket.recv() == big, "1 MiB echo"
        await socket.close(code=4000, reason="python bye")
        assert socket.close_code == 4000, f"close code echoed, got {socket.close_code}"
    print("ok")


asyncio.run(main(sys.argv[1], "--deflate" in sys.argv[2:]))
