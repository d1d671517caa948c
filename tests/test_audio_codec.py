"""The PCM encoder, checked with real decoders: `wave` for WAV, PyAV (FFmpeg) for the rest."""

from __future__ import annotations

import io
import math
import os
import struct
import subprocess
import sys
import wave

import av
import pytest

from adapter.audio_codec import FORMATS, Encoder, check_format, rate_from_mime, wav_bytes
from adapter.errors import AdapterError

RATE = 24000


def sine(seconds: float, pitch: float = 440.0) -> bytes:
    count = int(seconds * RATE)
    return struct.pack(
        f"<{count}h", *(int(8000 * math.sin(2 * math.pi * pitch * i / RATE)) for i in range(count))
    )


def test_wav_header_is_correct() -> None:
    pcm = sine(0.5)
    data = wav_bytes(pcm)
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getnchannels() == 1
        assert reader.getsampwidth() == 2
        assert reader.getframerate() == RATE
        assert reader.getnframes() == len(pcm) // 2
        assert reader.readframes(reader.getnframes()) == pcm
    assert int.from_bytes(data[4:8], "little") == len(data) - 8  # RIFF size


def test_pcm_passes_unchanged_even_split_mid_sample() -> None:
    pcm = sine(0.1)
    encoder = Encoder(FORMATS["pcm"])
    out = encoder.feed(pcm[:101]) + encoder.feed(pcm[101:]) + encoder.finish()
    assert out == pcm


@pytest.mark.parametrize(
    ("name", "codec", "container"),
    [
        ("mp3", "mp3", "mp3"),
        ("opus", "opus", "ogg"),
        ("aac", "aac", "aac"),
        ("flac", "flac", "flac"),
    ],
)
def test_encoded_formats_decode(name: str, codec: str, container: str) -> None:
    pcm = sine(1.0)
    encoder = Encoder(check_format(name, "response_format"))
    pieces = [encoder.feed(pcm[i : i + 4801]) for i in range(0, len(pcm), 4801)]
    tail = encoder.finish()
    data = b"".join(pieces) + tail
    if name != "opus":  # Ogg holds whole pages back; the others write as they encode
        assert sum(1 for p in pieces if p) >= 2, "encoded bytes must be produced incrementally"
    with av.open(io.BytesIO(data)) as reader:
        stream = reader.streams.audio[0]
        assert stream.codec_context.name.startswith(codec)
        assert container in reader.format.name
        samples = sum(frame.samples for frame in reader.decode(stream))
        rate = stream.codec_context.sample_rate
    # Within a frame or two of a second (encoders pad the start and the end).
    assert abs(samples / rate - 1.0) < 0.12


def test_unknown_format_is_a_400() -> None:
    with pytest.raises(AdapterError) as caught:
        check_format("ogg", "response_format")
    assert caught.value.param == "response_format"


def test_rate_from_mime() -> None:
    assert rate_from_mime("audio/L16;codec=pcm;rate=16000") == 16000
    assert rate_from_mime("audio/L16") == 24000


def test_without_pyav_encoded_formats_say_how_to_install() -> None:
    """In a process where PyAV cannot be imported: mp3 is refused naming response_format and
    the install command; wav still works."""
    code = (
        "import sys; sys.modules['av'] = None\n"
        "from adapter.audio_codec import check_format\n"
        "from adapter.errors import AdapterError\n"
        "check_format('wav', 'response_format')\n"
        "try:\n"
        "    check_format('mp3', 'response_format')\n"
        "except AdapterError as e:\n"
        "    print(e.status, e.param, e.message)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    ).stdout
    assert out.startswith("400 response_format")
    assert "pip install -e '.[audio]'" in out


def test_close_releases_an_unfinished_encoder() -> None:
    encoder = Encoder(check_format("mp3", "response_format"))
    encoder.feed(sine(0.2))
    encoder.close()
    encoder.close()  # twice is harmless
