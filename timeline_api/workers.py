"""gunicorn's gthread worker, reading each request whole before a thread waits on it.

gthread hands a connection to a pool thread, which reads the request with blocking reads for as
long as the client takes. A client sending one header line a second kept its thread until it
stopped, and a few such clients, holding every thread, froze the API for everyone (issue 12).
Here a thread takes what has arrived without waiting and, until the request is whole, gives the
connection back to the worker's poller (gthread's own "defer", which it uses for connections
that have sent nothing yet): a slow client costs a socket, not a thread.

"Whole" is the head, plus a body of up to BODY_BUFFER bytes announced by Content-Length. A
larger or chunked body is read by the app as it comes (imports, for admins). The head must be
whole within HEAD_TIMEOUT seconds and HEAD_LIMIT bytes, a buffered body within BODY_TIMEOUT
more; otherwise the client gets a problem and the connection is closed. A body the app did not
read (a 401, say) closes the connection rather than being drained by a waiting thread.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
from typing import Any

from gunicorn.workers import gthread

# A real client sends its head in one packet; a slow link over a proxy, in well under a second.
HEAD_TIMEOUT = 10.0
# gunicorn's limits on a head's line and fields are checked once the head is whole; this one
# bounds what is kept before that.
HEAD_LIMIT = 64 * 1024
# Record bodies are a few KiB; 1 MiB at a slow 100 KiB/s takes 10 s.
BODY_BUFFER = 1024 * 1024
BODY_TIMEOUT = 30.0
# What a body the app left unread may still take to be read, before the connection is closed.
_LEFT = 0.05
_END = b"\r\n\r\n"
_CONTENT_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*([0-9]{1,12})[ \t]*\r?$")


class BufferedRequestWorker(gthread.ThreadWorker):  # type: ignore[misc]  # untyped library
    """gthread, except that a request is read whole before a thread waits on it."""

    def handle(self, conn: Any) -> Any:
        """Runs in a pool thread each time the connection has something to read."""
        if self.cfg.is_ssl or conn.is_http2 or _has_read_ahead(conn):
            return super().handle(conn)  # TLS bytes, or a pipelined request: gthread as it is
        buffered: bytes = getattr(conn, "buffered", b"")
        if not buffered:
            conn.deadline, conn.head_done = time.monotonic() + HEAD_TIMEOUT, False
        received = _receive(conn.sock, HEAD_LIMIT + BODY_BUFFER - len(buffered))
        if received == b"":
            return False  # the client closed its side, or reset the connection
        buffered += received or b""
        wanted = _wanted(buffered)
        if wanted is None or len(buffered) < wanted:
            return self._wait(conn, buffered, wanted)
        conn.buffered = b""
        conn.init()
        conn.parser.unreader.unread(buffered)  # gunicorn parses it as if read from the socket
        conn.data_ready = True
        return super().handle(conn)

    def _wait(self, conn: Any, buffered: bytes, wanted: int | None) -> Any:
        if wanted is None and len(buffered) > HEAD_LIMIT:
            return self._refuse(conn, 431, "Request Header Fields Too Large", "head too large")
        if wanted is not None and not conn.head_done:  # the head is in: the body may take longer
            conn.deadline, conn.head_done = time.monotonic() + BODY_TIMEOUT, True
        if time.monotonic() > conn.deadline:
            return self._refuse(conn, 408, "Request Timeout", "The request came too slowly.")
        conn.buffered, conn.data_ready = buffered, False
        return gthread._DEFER  # back to the poller until more arrives

    def handle_request(self, req: Any, conn: Any) -> Any:
        keep_alive = super().handle_request(req, conn)
        if keep_alive and not conn.parser.finish_body(deadline=time.monotonic() + _LEFT):
            # The app left part of the body unread: draining it would hold this thread for
            # as long as the client dribbles. Close; nothing more is read from this client.
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RD)
            return False
        return keep_alive

    def _refuse(self, conn: Any, status: int, reason: str, detail: str) -> bool:
        from timeline_api.server import write_problem  # server imports this module

        conn.sock.setblocking(True)
        with contextlib.suppress(OSError):  # the client may be gone already
            write_problem(conn.sock, status, reason, detail)
        self.log.warning("Refused a request from %s: %s", conn.client, detail)
        return False


def _receive(sock: socket.socket, most: int) -> bytes | None:
    """What has arrived, up to `most` bytes, without waiting: None when nothing has, b"" when
    the client closed (or reset) the connection."""
    parts: list[bytes] = []
    try:
        while most > 0:
            part = sock.recv(min(most, 65536))
            if not part:
                return b"".join(parts) or b""
            parts.append(part)
            most -= len(part)
    except BlockingIOError:
        pass
    except OSError:
        return b""
    return b"".join(parts) or None


def _wanted(buffered: bytes) -> int | None:
    """How many bytes make the request whole; None while its head is not."""
    end = buffered.find(_END)
    if end < 0:
        return None
    head = buffered[:end]
    lengths = _CONTENT_LENGTH.findall(head)
    # Chunked, unclear or large bodies are read by the app as they come (gunicorn checks them).
    if b"transfer-encoding" in head.lower() or len(lengths) != 1:
        return end + len(_END)
    length = int(lengths[0])
    return end + len(_END) + (length if length <= BODY_BUFFER else 0)


def _has_read_ahead(conn: Any) -> bool:
    """Whether gunicorn already holds bytes of the next request (a client that pipelines)."""
    return conn.initialized and bool(conn.parser.unreader.buf.getvalue())
