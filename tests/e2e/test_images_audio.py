"""Images and audio end to end: the OpenAI SDK's own calls against the adapter serving the
strict emulator; the bytes that come back are opened with real decoders (Pillow, `wave`,
PyAV/FFmpeg). Behaviour IM1-IM2, AU1-AU3; docs/images-audio.md."""

from __future__ import annotations

import base64
import io
import json
import time
import wave
from collections.abc import Callable

import av
import httpx
import openai
import pytest
from PIL import Image
from schema_check import assert_valid
from servers import FakeUpstream, Scripted

TTS = "gemini-2.5-flash-preview-tts"
IMAGE = "gemini-2.5-flash-image"


@pytest.fixture(scope="module")
def client(emulator_base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=emulator_base_url, api_key="any-key", max_retries=0)


def png_of(b64: str) -> Image.Image:
    picture = Image.open(io.BytesIO(base64.b64decode(b64)))
    picture.load()
    assert picture.format == "PNG"
    return picture


# --- images -------------------------------------------------------------------------------


def test_generate_b64_size_and_usage(client: openai.OpenAI) -> None:
    reply = client.images.generate(model=IMAGE, prompt="a lighthouse at dusk", size="1792x1024")
    assert len(reply.data) == 1
    picture = png_of(reply.data[0].b64_json or "")
    assert picture.width > picture.height  # 16:9 reached the model
    assert reply.output_format == "png"
    assert reply.usage is not None and reply.usage.output_tokens > 0
    assert reply.usage.total_tokens == reply.usage.input_tokens + reply.usage.output_tokens
    other = client.images.generate(model=IMAGE, prompt="a submarine", size="1792x1024")
    assert png_of(other.data[0].b64_json or "").tobytes() != picture.tobytes()


def test_generate_n_and_url(client: openai.OpenAI) -> None:
    reply = client.images.generate(model=IMAGE, prompt="dots", n=3, response_format="url")
    assert len(reply.data) == 3
    for item in reply.data:
        assert (item.url or "").startswith("data:image/png;base64,")
        png_of((item.url or "").partition(",")[2])


def test_generate_reports_what_the_model_cannot_do(client: openai.OpenAI) -> None:
    raw = client.images.with_raw_response.generate(
        model=IMAGE, prompt="x", quality="high", background="transparent", style="vivid"
    )
    adjusted = raw.headers["x-adapter-adjusted"].split(", ")
    assert sorted(adjusted) == ["background", "quality", "style"]
    raw.parse()


def test_generate_quality_reaches_a_model_with_sizes(client: openai.OpenAI) -> None:
    low = client.images.generate(model="gemini-3-pro-image-preview", prompt="x", quality="low")
    high = client.images.generate(model="gemini-3-pro-image-preview", prompt="x", quality="high")
    assert png_of(high.data[0].b64_json or "").width > png_of(low.data[0].b64_json or "").width


def test_imagen_fans_out_past_four(client: openai.OpenAI) -> None:
    reply = client.images.generate(
        model="imagen-4.0-generate-001", prompt="a fox", n=6, size="1024x1792"
    )
    assert len(reply.data) == 6
    picture = png_of(reply.data[5].b64_json or "")
    assert picture.height > picture.width


def test_generate_bad_model_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model="gemini-2.5-flash", prompt="x")
    assert caught.value.body["param"] == "model"  # type: ignore[index]


def png_bytes(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, format="PNG")
    return out.getvalue()


def test_edit_with_images_mask_and_google_config(client: openai.OpenAI) -> None:
    first = ("a.png", png_bytes((255, 0, 0)), "image/png")
    second = ("b.png", png_bytes((0, 0, 255)), "image/png")
    mask = ("mask.png", png_bytes((0, 0, 0)), "image/png")
    reply = client.images.edit(
        model=IMAGE,
        image=[first, second],
        mask=mask,
        prompt="put a hat on it",
        extra_body={"google": {"image_config": {"aspect_ratio": "21:9"}}},
    )
    edited = png_of(reply.data[0].b64_json or "")
    assert edited.width > 2 * edited.height  # 21:9 passed through the form
    single = client.images.edit(model=IMAGE, image=first, prompt="put a hat on it")
    assert png_of(single.data[0].b64_json or "").tobytes() != edited.tobytes()


def test_edit_refuses_a_text_file(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(model=IMAGE, image=("a.txt", b"hello", "text/plain"), prompt="x")
    assert caught.value.body["param"] == "image"  # type: ignore[index]


def test_multipart_body_limit_is_a_413(adapter_factory: Callable[..., str]) -> None:
    base = adapter_factory(upstream_url="emulator", max_body_bytes=4096)
    small = openai.OpenAI(base_url=base, api_key="k", max_retries=0)
    with pytest.raises(openai.APIStatusError) as caught:
        small.images.edit(model=IMAGE, image=("a.png", b"\x89PNG" + b"0" * 10_000), prompt="x")
    assert caught.value.status_code == 413
    # Chunked (no Content-Length): refused while reading as well.
    chunks = iter([b"--b\r\n", b"0" * 5000, b"\r\n--b--\r\n"])
    reply = httpx.post(
        f"{base}/images/edits",
        content=chunks,
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert reply.status_code == 413
    assert reply.json()["error"]["code"] == "request_too_large"


# --- speech -------------------------------------------------------------------------------

TEXT = "The quick brown fox jumps over the lazy dog. " * 3


def test_speech_wav_has_a_correct_header(client: openai.OpenAI) -> None:
    raw = client.audio.speech.with_raw_response.create(
        model=TTS, voice="alloy", input=TEXT, response_format="wav"
    )
    assert raw.headers["content-type"] == "audio/wav"
    data = raw.content
    with wave.open(io.BytesIO(data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (
            1,
            2,
            24000,
        )
        frames = reader.readframes(reader.getnframes())
        assert len(frames) == reader.getnframes() * 2 > 24000  # over half a second
    pcm = client.audio.speech.create(model=TTS, voice="alloy", input=TEXT, response_format="pcm")
    assert pcm.read() == frames  # the same samples, without a header


@pytest.mark.parametrize(
    ("response_format", "content_type", "codec"),
    [
        ("mp3", "audio/mpeg", "mp3"),
        ("opus", "audio/ogg; codecs=opus", "opus"),
        ("aac", "audio/aac", "aac"),
        ("flac", "audio/flac", "flac"),
    ],
)
def test_speech_encoded_formats(
    client: openai.OpenAI, response_format: str, content_type: str, codec: str
) -> None:
    with client.audio.speech.with_streaming_response.create(
        model=TTS,
        voice="nova",
        input=TEXT,
        response_format=response_format,  # type: ignore[arg-type]
    ) as response:
        assert response.headers["content-type"] == content_type
        data = b"".join(response.iter_bytes())
    with av.open(io.BytesIO(data)) as reader:
        stream = reader.streams.audio[0]
        assert stream.codec_context.name.startswith(codec)
        seconds = sum(f.samples for f in reader.decode(stream)) / stream.codec_context.sample_rate
    assert seconds > 1.0


def test_speech_default_is_mp3_and_streams_in_pieces(emulator_base_url: str) -> None:
    """Read from the socket as the adapter writes: several pieces before the end."""
    with httpx.stream(
        "POST",
        f"{emulator_base_url}/audio/speech",
        json={"model": TTS, "voice": "Puck", "input": TEXT * 2},
        headers={"authorization": "Bearer k"},
    ) as response:
        assert response.headers["content-type"] == "audio/mpeg"
        pieces = [chunk for chunk in response.iter_raw() if chunk]
    assert len(pieces) >= 3
    with av.open(io.BytesIO(b"".join(pieces))) as reader:
        assert reader.streams.audio[0].codec_context.name.startswith("mp3")


def test_speech_errors_name_the_field(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(model=TTS, voice="not-a-voice", input="hi")  # type: ignore[arg-type]
    assert caught.value.body["param"] == "voice"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(model="gemini-2.5-flash", voice="alloy", input="hi")
    assert caught.value.body["param"] == "model"  # type: ignore[index]


def test_speech_speed_and_instructions(client: openai.OpenAI) -> None:
    raw = client.audio.speech.with_raw_response.create(
        model=TTS,
        voice="coral",
        input="hello",
        speed=1.5,
        instructions="Whisper",
        response_format="wav",
    )
    assert raw.headers["x-adapter-adjusted"] == "speed"
    wave.open(io.BytesIO(raw.content)).close()


# --- transcription ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def speech_wav(client: openai.OpenAI) -> bytes:
    """A real WAV, made by the adapter's own speech endpoint."""
    return client.audio.speech.create(
        model=TTS, voice="alloy", input=TEXT, response_format="wav"
    ).read()


def test_transcription_json_and_text(client: openai.OpenAI, speech_wav: bytes) -> None:
    result = client.audio.transcriptions.create(
        model="gemini-2.5-flash", file=("speech.wav", speech_wav, "audio/wav"), language="en"
    )
    assert result.text.startswith("Hello from the emulator")
    assert result.usage is not None and result.usage.type == "tokens"
    assert result.usage.input_token_details.audio_tokens > 0  # type: ignore[union-attr]
    text = client.audio.transcriptions.create(
        model="gemini-2.5-flash", file=("speech.wav", speech_wav), response_format="text"
    )
    assert isinstance(text, str) and text.strip() == result.text


def test_transcription_timed_formats(client: openai.OpenAI, speech_wav: bytes) -> None:
    upload = ("speech.wav", speech_wav, "audio/wav")
    srt = client.audio.transcriptions.create(
        model="gemini-2.5-flash", file=upload, response_format="srt"
    )
    assert srt.startswith("1\n00:00:00,000 --> ")
    vtt = client.audio.transcriptions.create(
        model="gemini-2.5-flash", file=upload, response_format="vtt"
    )
    assert vtt.startswith("WEBVTT\n\n00:00:00.000 --> ")
    verbose = client.audio.transcriptions.create(
        model="gemini-2.5-flash",
        file=upload,
        response_format="verbose_json",
        timestamp_granularities=["segment"],
    )
    with wave.open(io.BytesIO(speech_wav)) as reader:
        seconds = reader.getnframes() / reader.getframerate()
    assert verbose.duration == pytest.approx(seconds, abs=0.01)
    assert verbose.segments and verbose.segments[0].start == 0
    assert verbose.text.startswith("Hello from the emulator")


def test_translation(client: openai.OpenAI, speech_wav: bytes) -> None:
    result = client.audio.translations.create(
        model="gemini-2.5-flash", file=("speech.wav", speech_wav, "audio/wav")
    )
    assert result.text.startswith("Hello from the emulator")
    verbose = client.audio.translations.create(
        model="gemini-2.5-flash", file=("speech.wav", speech_wav), response_format="verbose_json"
    )
    assert verbose.language == "english"


def test_transcription_prompt_reaches_the_model(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    fake_upstream.script(
        Scripted(
            json={
                "candidates": [
                    {
                        "content": {"role": "model", "parts": [{"text": "Zoë spoke."}]},
                        "finishReason": "STOP",
                    }  # noqa: E501
                ]
            }
        )
    )
    fake = openai.OpenAI(base_url=fake_base_url, api_key="k", max_retries=0)
    result = fake.audio.transcriptions.create(
        model="gemini-2.5-flash",
        file=("a.mp3", b"ID3fake", "audio/mpeg"),
        prompt="Names: Zoë, Yannick.",
        temperature=0.2,
    )
    assert result.text == "Zoë spoke."
    (sent,) = fake_upstream.requests
    parts = sent.body["contents"][0]["parts"]
    assert parts[0]["inlineData"] == {
        "mimeType": "audio/mp3",
        "data": base64.b64encode(b"ID3fake").decode(),
    }
    assert "Names: Zoë, Yannick." in parts[1]["text"]
    assert sent.body["generationConfig"] == {"temperature": 0.2}


# --- chat audio output --------------------------------------------------------------------


@pytest.mark.parametrize("audio_format", ["wav", "mp3"])
def test_chat_audio_output(client: openai.OpenAI, audio_format: str) -> None:
    reply = client.chat.completions.create(
        model=TTS,
        modalities=["text", "audio"],
        audio={"voice": "alloy", "format": audio_format},  # type: ignore[typeddict-item]
        messages=[{"role": "user", "content": "Good morning, everyone."}],
    )
    audio = reply.choices[0].message.audio
    assert audio is not None
    assert audio.transcript == "Good morning, everyone."
    assert audio.expires_at > reply.created and audio.id.startswith("audio_")
    data = base64.b64decode(audio.data)
    if audio_format == "wav":
        with wave.open(io.BytesIO(data)) as reader:
            assert reader.getframerate() == 24000 and reader.getnframes() > 0
    else:
        with av.open(io.BytesIO(data)) as reader:
            assert reader.streams.audio[0].codec_context.name.startswith("mp3")
    assert reply.usage is not None
    assert reply.usage.completion_tokens_details.audio_tokens > 0  # type: ignore[union-attr]


def test_chat_audio_on_a_text_model_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model="gemini-2.5-flash",
            modalities=["text", "audio"],
            audio={"voice": "alloy", "format": "wav"},
            messages=[{"role": "user", "content": "hi"}],
        )
    assert caught.value.body["param"] == "modalities"  # type: ignore[index]
    assert "TTS" in caught.value.body["message"]  # type: ignore[index]


def test_replies_match_the_openai_schemas(emulator_base_url: str, speech_wav: bytes) -> None:
    auth = {"authorization": "Bearer k"}
    images = httpx.post(
        f"{emulator_base_url}/images/generations",
        json={"model": IMAGE, "prompt": "x", "n": 2, "response_format": "url"},
        headers=auth,
    )
    assert_valid("openai.images_response", images.json())
    for path, kind, schema in (
        ("transcriptions", "json", "openai.transcription"),
        ("transcriptions", "verbose_json", "openai.transcription_verbose"),
        ("translations", "verbose_json", "openai.translation_verbose"),
    ):
        reply = httpx.post(
            f"{emulator_base_url}/audio/{path}",
            data={"model": "gemini-2.5-flash", "response_format": kind},
            files={"file": ("a.wav", speech_wav, "audio/wav")},
            headers=auth,
        )
        assert reply.headers["content-type"] == "application/json"
        assert_valid(schema, reply.json())
    error = httpx.post(
        f"{emulator_base_url}/audio/speech",
        json={"model": TTS, "voice": "nobody", "input": "x"},
        headers=auth,
    )
    assert error.status_code == 400
    assert_valid("openai.error", error.json())


def test_speech_sse_stream_format(client: openai.OpenAI) -> None:
    """stream_format sse: speech.audio.delta events (base64 of the encoded bytes), then
    speech.audio.done with usage."""
    with client.audio.speech.with_streaming_response.create(
        model=TTS, voice="sage", input=TEXT, response_format="flac", stream_format="sse"
    ) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [
            json.loads(line[6:]) for line in response.iter_lines() if line.startswith("data: ")
        ]
    deltas = [e for e in events if e["type"] == "speech.audio.delta"]
    assert len(deltas) >= 2 and events[-1]["type"] == "speech.audio.done"
    assert events[-1]["usage"]["output_tokens"] > 0
    data = b"".join(base64.b64decode(e["audio"]) for e in deltas)
    with av.open(io.BytesIO(data)) as reader:
        assert reader.streams.audio[0].codec_context.name == "flac"


def test_image_calls_run_concurrently_with_a_bound(
    fake_base_url: str, fake_upstream: FakeUpstream
) -> None:
    """n=8 images, each upstream call taking 0.4 s: at most 4 at a time, so two waves."""
    image = {
        "inlineData": {
            "mimeType": "image/png",
            "data": base64.b64encode(png_bytes((1, 2, 3))).decode(),
        }
    }  # noqa: E501
    reply = {
        "candidates": [{"content": {"role": "model", "parts": [image]}, "finishReason": "STOP"}]
    }  # noqa: E501
    fake_upstream.script(Scripted(json=reply, delay_s=0.4))
    fake = openai.OpenAI(base_url=fake_base_url, api_key="k", max_retries=0)
    started = time.monotonic()
    result = fake.images.generate(model=IMAGE, prompt="p", n=8)
    elapsed = time.monotonic() - started
    assert len(result.data) == 8 and len(fake_upstream.requests) == 8
    assert 0.8 <= elapsed < 2.5  # not one by one (3.2 s), not all at once (0.4 s)
    sent = fake_upstream.requests[0].body
    assert sent["generationConfig"] == {"responseModalities": ["IMAGE"]}


def test_transcription_stream(client: openai.OpenAI, speech_wav: bytes) -> None:
    stream = client.audio.transcriptions.create(
        model="gemini-2.5-flash", file=("speech.wav", speech_wav, "audio/wav"), stream=True
    )
    events = list(stream)
    deltas = [e.delta for e in events if e.type == "transcript.text.delta"]
    done = events[-1]
    assert done.type == "transcript.text.done"
    assert done.text == "".join(deltas).strip()
    assert done.text.startswith("Hello from the emulator")
    assert done.usage is not None and done.usage.input_tokens > 0


def test_unsupported_streams_are_400s(client: openai.OpenAI, speech_wav: bytes) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(model=IMAGE, prompt="x", stream=True)
    assert caught.value.body["param"] == "stream"  # type: ignore[index]
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.transcriptions.create(
            model="gemini-2.5-flash",
            file=("a.wav", speech_wav),
            stream=True,
            response_format="srt",  # type: ignore[call-overload]  # noqa: E501
        )
    assert caught.value.body["param"] == "stream"  # type: ignore[index]


def test_chat_audio_output_streamed_as_pcm16(client: openai.OpenAI) -> None:
    stream = client.chat.completions.create(
        model=TTS,
        modalities=["text", "audio"],
        audio={"voice": "verse", "format": "pcm16"},
        messages=[{"role": "user", "content": "A longer sentence, so the audio comes in pieces."}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    audio = [
        c.choices[0].delta.audio
        for c in chunks
        if c.choices and getattr(c.choices[0].delta, "audio", None)
    ]  # type: ignore[attr-defined]  # noqa: E501
    assert audio[0].transcript == "A longer sentence, so the audio comes in pieces."
    assert audio[0].id.startswith("audio_") and audio[0].expires_at > 0
    pieces = [base64.b64decode(a.data) for a in audio if a.data]
    assert len(pieces) >= 2 and all(len(p) % 2 == 0 for p in pieces)
    finish = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finish[-1] == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
