"""PCM from Gemini -> the audio format the caller asked for (docs/images-audio.md, "Formats").

Gemini's speech models return raw PCM: signed 16-bit little-endian, mono, 24 kHz (the rate is
read from the part's mimeType, `audio/L16;codec=pcm;rate=24000`). Formats:

- `pcm`: the samples as they are (`audio/pcm`).
- `wav`: the samples in a RIFF/WAVE container written by the standard library's `wave`, with
  the real sizes in its header (so the whole reply is collected before it is written).
- `mp3`, `opus` (in Ogg), `aac` (ADTS), `flac`: encoded by PyAV, whose wheels ship FFmpeg,
  piece by piece as the PCM arrives. PyAV is the optional extra `[audio]`; without it these
  formats are refused with a 400 that says how to install it.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from typing import Any

from adapter.errors import invalid_request

SAMPLE_RATE = 24000
SAMPLE_WIDTH = 2  # bytes: s16le
CHANNELS = 1
INSTALL_HINT = "install the 'audio' extra (from a checkout: pip install -e '.[audio]')"


@dataclass(frozen=True)
class AudioFormat:
    name: str
    content_type: str
    container: str | None = None  # FFmpeg muxer; None: written without PyAV
    codec: str | None = None  # FFmpeg encoder


FORMATS: dict[str, AudioFormat] = {
    "pcm": AudioFormat("pcm", "audio/pcm"),
    "pcm16": AudioFormat("pcm16", "audio/pcm"),  # chat audio's name for the same thing
    "wav": AudioFormat("wav", "audio/wav"),
    "mp3": AudioFormat("mp3", "audio/mpeg", "mp3", "libmp3lame"),
    "opus": AudioFormat("opus", "audio/ogg; codecs=opus", "ogg", "libopus"),
    "aac": AudioFormat("aac", "audio/aac", "adts", "aac"),
    "flac": AudioFormat("flac", "audio/flac", "flac", "flac"),
}


def encoder_available() -> bool:
    """Whether PyAV can be imported (imported once, on the first encoded request)."""
    try:
        import av  # noqa: F401
    except ImportError:
        return False
    return True


def check_format(name: str, param: str) -> AudioFormat:
    """The format for `name`; 400 naming `param` when it is unknown or needs PyAV and PyAV is
    not installed (the message says how to install it)."""
    audio_format = FORMATS.get(name)
    if audio_format is None:
        raise invalid_request(
            f"Unsupported {param} {name!r}; use one of mp3, opus, aac, flac, wav, pcm.",
            param=param,
        )
    if audio_format.container is not None and not encoder_available():
        raise invalid_request(
            f"{param} {name!r} needs the optional audio encoder (PyAV), which is not installed"
            f" on this adapter: {INSTALL_HINT}, or ask for 'wav' or 'pcm'.",
            param=param,
            code="encoder_not_installed",
        )
    return audio_format


def wav_bytes(pcm: bytes, rate: int = SAMPLE_RATE) -> bytes:
    """A complete WAV file (RIFF header with the real sizes) around s16le mono `pcm`."""
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(CHANNELS)
        writer.setsampwidth(SAMPLE_WIDTH)
        writer.setframerate(rate)
        writer.writeframes(pcm[: len(pcm) - len(pcm) % SAMPLE_WIDTH])
    return out.getvalue()


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file for PyAV: collects what the muxer writes."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class Encoder:
    """Incremental PCM -> `audio_format`: `feed(pcm)` returns the bytes ready so far,
    `finish()` the rest. The concatenation of all returned bytes is one valid file."""

    def __init__(self, audio_format: AudioFormat, rate: int = SAMPLE_RATE) -> None:
        self.format = audio_format
        self.rate = rate
        self._carry = b""  # an odd trailing byte waits for its sample's other half
        self._collected: list[bytes] = []  # wav: written whole at the end
        self._container = None
        self._stream: Any = None
        self._sink: _Sink | None = None
        self._pts = 0
        if audio_format.container is not None:
            import av  # the optional extra; check_format() has made sure it is there

            self._av = av
            self._sink = _Sink()
            self._container = av.open(self._sink, mode="w", format=audio_format.container)
            assert audio_format.codec is not None  # every container format names its codec
            stream: Any = self._container.add_stream(audio_format.codec, rate=rate)
            stream.layout = "mono"
            self._stream = stream

    def feed(self, pcm: bytes) -> bytes:
        data = self._carry + pcm
        cut = len(data) - len(data) % SAMPLE_WIDTH
        data, self._carry = data[:cut], data[cut:]
        if not data:
            return b""
        name = self.format.name
        if name in ("pcm", "pcm16"):
            return data
        if name == "wav":
            self._collected.append(data)
            return b""
        return self._encode(data)

    def finish(self) -> bytes:
        name = self.format.name
        if name in ("pcm", "pcm16"):
            return b""
        if name == "wav":
            return wav_bytes(b"".join(self._collected), self.rate)
        assert self._stream is not None and self._container is not None and self._sink
        for packet in self._stream.encode(None):
            self._container.mux(packet)
        self._container.close()
        self._container = None
        return self._sink.take()

    def close(self) -> None:
        """Release the encoder when the reply ends early (client gone, upstream cut)."""
        if self._container is not None:
            container, self._container = self._container, None
            try:
                container.close()
            except Exception:  # nothing more to write: only freeing matters
                pass

    def _encode(self, data: bytes) -> bytes:
        assert self._stream is not None and self._container is not None and self._sink
        samples = len(data) // SAMPLE_WIDTH
        frame = self._av.AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(data)
        frame.sample_rate = self.rate
        frame.pts = self._pts
        self._pts += samples
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        return self._sink.take()


def encode_all(pcm: bytes, audio_format: AudioFormat, rate: int = SAMPLE_RATE) -> bytes:
    """The whole of `pcm` in `audio_format` (chat audio replies are not streamed)."""
    encoder = Encoder(audio_format, rate)
    return encoder.feed(pcm) + encoder.finish()


def rate_from_mime(mime: str, default: int = SAMPLE_RATE) -> int:
    """`audio/L16;codec=pcm;rate=24000` -> 24000."""
    for piece in mime.split(";"):
        key, _, value = piece.strip().partition("=")
        if key.lower() == "rate" and value.isascii() and value.isdigit():
            return int(value)
    return default
