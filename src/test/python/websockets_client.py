"""Python's websockets package (Debian's python3-websockets) as a third-party client of /echo.

Usage: websockets_client.py echo URI [--no-deflate]
       websockets_client.py close URI CODE REASON
Prints one line per check and PASS at the end; exits non-zero on the first failure.
"""
import asyncio
import os
import sys

import websockets


def text_of_utf8_length(n):
    """Multi-byte text (2-byte letters) of exactly n UTF-8 bytes."""
    text = ('héllo wörld ' * (n // 12 + 1)).encode('utf-8')[:n].decode('utf-8', 'ignore')
    return text + 'x' * (n - len(text.encode('utf-8')))


async def echo(uri, deflate):
    async with websockets.connect(uri, max_size=None, compression='deflate' if deflate else None) as ws:
        print('extensions', ws.response_headers.get('Sec-WebSocket-Extensions', ''))
        for n in [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]:
            text = text_of_utf8_length(n)
            await ws.send(text)
            assert await ws.recv() == text, 'text %d' % n
            print('ok text', n)
            data = os.urandom(n)
            await ws.send(data)
            assert await ws.recv() == data, 'binary %d' % n
            print('ok binary', n)
        # a fragmented message, sent as an iterable of pieces
        await ws.send(['frag', 'ment', 'ed'])
        assert await ws.recv() == 'fragmented'
        print('ok fragmented')
        await ws.close(1000, 'bye')
        print('close', ws.close_code)


async def close(uri, code, reason):
    async with websockets.connect(uri) as ws:
        await ws.close(code, reason)
        print('close', ws.close_code, repr(ws.close_reason))


def main():
    command, uri = sys.argv[1], sys.argv[2]
    if command == 'echo':
        asyncio.run(echo(uri, '--no-deflate' not in sys.argv))
    elif command == 'close':
        asyncio.run(close(uri, int(sys.argv[3]), sys.argv[4]))
    else:
        raise SystemExit('unknown command ' + command)
    print('PASS')


if __name__ == '__main__':
    main()
