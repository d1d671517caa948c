"""The emulator's media models: images (Gemini and Imagen), speech PCM, transcripts."""

from __future__ import annotations

import base64
import io
import wave
from typing import Any

import httpx
import orjson
from PIL import Image

from ._helpers import KEY, body

IMAGE = "gemini-2.5-flash-image"
TTS = "gemini-2.5-flash-preview-tts"


async def post(
    client: httpx.AsyncClient, model: str, payload: dict[str, Any], method: str = "generateContent"
) -> httpx.Response:  # noqa: E501
    return await client.post(f"/v1beta/models/{model}:{method}", json=payload, headers=KEY)


def image_of(reply: dict[str, Any]) -> Image.Image:
    part = reply["candidates"][0]["content"]["parts"][-1]
    return Image.open(io.BytesIO(base64.b64decode(part["inlineData"]["data"])))


async def test_image_model_draws_a_png_that_follows_prompt_and_ratio(
    client: httpx.AsyncClient,
) -> None:
    config = {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "16:9"}}
    first = await post(client, IMAGE, body("a red fox", generationConfig=config))
    second = await post(client, IMAGE, body("a blue whale", generationConfig=config))
    assert first.status_code == 200, first.text
    one, two = image_of(first.json()), image_of(second.json())
    assert one.format == "PNG" and one.size[0] > one.size[1]
    assert one.tobytes() != two.tobytes()
    usage = first.json()["usageMetadata"]
    assert usage["candidatesTokensDetails"] == [{"modality": "IMAGE", "tokenCount": 1290}]


async def test_image_config_the_model_refuses(client: httpx.AsyncClient) -> None:
    sized = {"responseModalities": ["IMAGE"], "imageConfig": {"imageSize": "2K"}}
    reply = await post(client, IMAGE, body("x", generationConfig=sized))
    assert reply.status_code == 400
    assert "Image size" in reply.json()["error"]["message"]
    ok = await post(client, "gemini-3-pro-image-preview", body("x", generationConfig=sized))
    assert ok.status_code == 200
    bad_ratio = {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "4:1"}}
    reply = await post(client, IMAGE, body("x", generationConfig=bad_ratio))
    assert reply.status_code == 400
    text = {"imageConfig": {"aspectRatio": "1:1"}}
    assert (
        await post(client, "gemini-2.5-flash", body("x", generationConfig=text))
    ).status_code == 400


async def test_imagen_predict(client: httpx.AsyncClient) -> None:
    payload = {
        "instances": [{"prompt": "a lighthouse"}],
        "parameters": {"sampleCount": 2, "aspectRatio": "9:16"},
    }  # noqa: E501
    reply = await post(client, "imagen-4.0-generate-001", payload, "predict")
    assert reply.status_code == 200, reply.text
    predictions = reply.json()["predictions"]
    assert len(predictions) == 2
    picture = Image.open(io.BytesIO(base64.b64decode(predictions[0]["bytesBase64Encoded"])))
    assert picture.size[1] > picture.size[0]
    bad = await post(
        client,
        "imagen-4.0-generate-001",
        {"instances": [{"prompt": "x"}], "parameters": {"sampleCount": 5}},
        "predict",
    )  # noqa: E501
    assert bad.status_code == 400
    wrong = await post(client, "imagen-4.0-generate-001", body("x"))
    assert wrong.status_code == 404


def speech_body(text: str, voice: str = "Kore") -> dict[str, Any]:
    config = {
        "responseModalities": ["AUDIO"],
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": voice}}},
    }
    return body(text, generationConfig=config)


async def test_tts_pcm_length_follows_text(client: httpx.AsyncClient) -> None:
    short = (await post(client, TTS, speech_body("Hi there"))).json()
    long = (await post(client, TTS, speech_body("Hi there, " * 20))).json()
    part = short["candidates"][0]["content"]["parts"][0]["inlineData"]
    assert part["mimeType"] == "audio/L16;codec=pcm;rate=24000"
    size = len(base64.b64decode(part["data"]))
    long_size = len(
        base64.b64decode(long["candidates"][0]["content"]["parts"][0]["inlineData"]["data"])
    )  # noqa: E501
    assert size % 2 == 0 and long_size > 5 * size


async def test_tts_stream_is_the_reply_in_pieces(client: httpx.AsyncClient) -> None:
    text = "A sentence long enough for several stream events. " * 3
    whole = (await post(client, TTS, speech_body(text))).json()
    stream = await client.post(
        f"/v1beta/models/{TTS}:streamGenerateContent?alt=sse", json=speech_body(text), headers=KEY
    )
    events = [orjson.loads(line[6:]) for line in stream.text.split("\r\n\r\n") if line]
    assert len(events) > 2
    pcm = b"".join(
        base64.b64decode(e["candidates"][0]["content"]["parts"][0]["inlineData"]["data"])
        for e in events
    )
    assert pcm == base64.b64decode(
        whole["candidates"][0]["content"]["parts"][0]["inlineData"]["data"]
    )  # noqa: E501


async def test_tts_refusals(client: httpx.AsyncClient) -> None:
    assert (await post(client, TTS, speech_body("x", voice="alloy"))).status_code == 400
    assert (await post(client, TTS, body("x"))).status_code == 400  # no AUDIO modality
    assert (await post(client, "gemini-2.5-flash", speech_body("x"))).status_code == 400


def wav_of(seconds: float) -> str:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16000)
        writer.writeframes(b"\x00\x00" * int(16000 * seconds))
    return base64.b64encode(out.getvalue()).decode()


async def test_transcript_plain_and_segmented(client: httpx.AsyncClient) -> None:
    audio = {"inlineData": {"mimeType": "audio/wav", "data": wav_of(3.0)}}
    plain = {"contents": [{"role": "user", "parts": [audio, {"text": "Transcribe."}]}]}
    reply = (await post(client, "gemini-2.5-flash", plain)).json()
    assert reply["candidates"][0]["content"]["parts"][0]["text"].startswith("Hello from")
    schema = {"type": "object", "properties": {"segments": {"type": "array"}}}
    timed = {
        **plain,
        "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": schema},
    }  # noqa: E501
    reply = (await post(client, "gemini-2.5-flash", timed)).json()
    segments = orjson.loads(reply["candidates"][0]["content"]["parts"][0]["text"])["segments"]
    assert segments[-1]["end"] == 3.0
    details = reply["usageMetadata"]["promptTokensDetails"]
    assert {"modality": "AUDIO", "tokenCount": 75} in details
