"""Incremental `text/event-stream` decoder: bytes in, the `data` of each event out.

Follows the WHATWG "event stream" grammar
(https://html.spec.whatwg.org/multipage/server-sent-events.html#parsing-an-event-stream):

- one UTF-8 byte order mark at the very start is skipped;
- lines end with CRLF, LF or a lone CR (a CR at the end of a read may be half of a CRLF:
  it waits for the next read);
- a line starting with `:` is a comment; a line without `:` is a field with an empty value;
- `data:value` and `data: value` are the same (one leading space is dropped, no more);
- several `data` lines of one event are joined with LF; other fields (`event`, `id`,
  `retry`, unknown ones) are ignored: Gemini sends none that matter;
- a blank line ends the event; an event with no `data` line is not dispatched.

One deliberate leniency: an event still open when the stream ends is dispatched by
`close()` (the standard drops it), so an upstream that omits the last blank line loses
nothing.
"""

from __future__ import annotations

_BOM = b"\xef\xbb\xbf"


class SSEDecoder:
    __slots__ = ("_buffer", "_data", "_started")

    def __init__(self) -> None:
        self._buffer = b""  # an unfinished line (or a held-back CR)
        self._data: list[bytes] = []  # data lines of the event being read
        self._started = False  # the BOM check is done

    def feed(self, chunk: bytes) -> list[bytes]:
        """The data of each event completed by `chunk`, in order."""
        buffer = self._buffer + chunk if self._buffer else chunk
        if not self._started:
            if len(buffer) < len(_BOM) and _BOM.startswith(buffer):
                self._buffer = buffer  # maybe a BOM split across reads
                return []
            if buffer.startswith(_BOM):
                buffer = buffer[len(_BOM) :]
            self._started = True
        if b"\r" in buffer:
            held = b""
            if buffer.endswith(b"\r"):  # may be the first half of a CRLF
                buffer, held = buffer[:-1], b"\r"
            buffer = buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            *lines, rest = buffer.split(b"\n")
            self._buffer = rest + held
        else:
            *lines, self._buffer = buffer.split(b"\n")
        return self._lines(lines)

    def _lines(self, lines: list[bytes]) -> list[bytes]:
        events: list[bytes] = []
        data = self._data
        for line in lines:
            if not line:
                if data:
                    events.append(data[0] if len(data) == 1 else b"\n".join(data))
                    data = self._data = []
                continue
            if line.startswith(b"data: "):  # the usual case
                data.append(line[6:])
                continue
            if line[0] == 0x3A:  # ":" comment
                continue
            name, colon, value = line.partition(b":")
            if name == b"data":
                data.append(value[1:] if value.startswith(b" ") else value)
            # event, id, retry and unknown fields carry nothing the adapter uses
        return events

    def close(self) -> list[bytes]:
        """End of stream: a last line without its line end, and an event without its
        blank line, still count."""
        rest = self._buffer
        self._buffer = b""
        lines = [rest.rstrip(b"\r")] if rest.rstrip(b"\r") else []
        return self._lines([*lines, b""])
