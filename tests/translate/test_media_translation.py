"""Table-driven tests of the images / speech / transcription translation (docs/images-audio.md).
Every native body built here is checked against the Gemini request schema."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from schema_check import assert_valid

from adapter.errors import AdapterError
from adapter.translate.images_audio.common import Upload
from adapter.translate.images_audio.images import (
    image_model,
    images_from_generate,
    images_from_predict,
    images_response,
    nearest_ratio,
    to_image_plan,
)
from adapter.translate.images_audio.speech import audio_chunks, spoken_text, to_speech_plan
from adapter.translate.images_audio.transcription import (
    SEGMENT_SCHEMA,
    segments_from,
    srt,
    to_transcription_plan,
    transcription_reply,
    vtt,
)
from adapter.translate.images_audio.voices import GEMINI_VOICES, OPENAI_TO_GEMINI, gemini_voice

TTS = "gemini-2.5-flash-preview-tts"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def generate_body(native: dict[str, Any]) -> dict[str, Any]:
    assert_valid("gemini.generate_content_request", native)
    return native


# --- sizes and ratios ---------------------------------------------------------------------

RATIO_CASES = [
    ("1024x1024", "gemini-2.5-flash-image", "1:1"),
    ("1536x1024", "gemini-2.5-flash-image", "3:2"),
    ("1024x1536", "gemini-2.5-flash-image", "2:3"),
    ("1792x1024", "gemini-2.5-flash-image", "16:9"),  # 1.75 is nearer 16:9 than 3:2 in log
    ("1024x1792", "gemini-2.5-flash-image", "9:16"),
    ("2560x1080", "gemini-2.5-flash-image", "21:9"),
    ("4000x1000", "gemini-2.5-flash-image", "21:9"),  # no 4:1 on 2.5
    ("4000x1000", "gemini-3.1-flash-image-preview", "4:1"),
    ("1536x1024", "imagen-4.0-generate-001", "4:3"),  # Imagen has no 3:2
    ("1000x1200", "gemini-2.5-flash-image", "4:5"),
]


@pytest.mark.parametrize(("size", "model", "ratio"), RATIO_CASES)
def test_size_maps_to_nearest_supported_ratio(size: str, model: str, ratio: str) -> None:
    assert nearest_ratio(size, image_model(model).ratios) == ratio


@pytest.mark.parametrize("size", ["big", "0x100", "1024*1024", "-5x5"])
def test_bad_size_is_a_400_on_size(size: str) -> None:
    with pytest.raises(AdapterError) as caught:
        to_image_plan({"prompt": "p", "size": size}, "gemini-2.5-flash-image")
    assert caught.value.param == "size"


# --- image plans --------------------------------------------------------------------------

PLAN_CASES: list[tuple[str, str, dict[str, Any], dict[str, Any] | None, list[str]]] = [
    ("auto size and quality send no imageConfig", "gemini-2.5-flash-image", {}, None, []),
    (
        "size becomes aspectRatio",
        "gemini-2.5-flash-image",
        {"size": "1536x1024"},
        {"aspectRatio": "3:2"},
        [],
    ),
    (
        "quality without imageSize is reported",
        "gemini-2.5-flash-image",
        {"quality": "high"},
        None,
        ["quality"],
    ),
    (
        "quality high -> 2K on a model with sizes",
        "gemini-3-pro-image-preview",
        {"quality": "high", "size": "1024x1024"},
        {"aspectRatio": "1:1", "imageSize": "2K"},
        [],
    ),
    (
        "quality low -> 512 where offered",
        "gemini-3.1-flash-image-preview",
        {"quality": "low"},
        {"imageSize": "512"},
        [],
    ),
    (
        "quality low -> 1K where 512 is not offered",
        "gemini-3-pro-image-preview",
        {"quality": "low"},
        {"imageSize": "1K"},
        [],
    ),
    (
        "2.0 refuses imageConfig: size reported",
        "gemini-2.0-flash-preview-image-generation",
        {"size": "1024x1536"},
        None,
        ["size"],
    ),
    (
        "unsupported OpenAI settings are reported",
        "gemini-2.5-flash-image",
        {"background": "transparent", "style": "vivid", "moderation": "low"},
        None,
        ["background", "moderation", "style"],
    ),
    (
        "defaults are not reported",
        "gemini-2.5-flash-image",
        {"background": "auto", "moderation": "auto"},
        None,
        [],
    ),
    (
        "output_compression on a Gemini model is reported",
        "gemini-2.5-flash-image",
        {"output_compression": 50, "output_format": "jpeg"},
        None,
        ["output_format", "output_compression"],
    ),
    (
        "extra_body.google.image_config passes through and wins",
        "gemini-3-pro-image-preview",
        {"size": "1024x1024", "google": {"image_config": {"aspect_ratio": "21:9"}}},
        {"aspectRatio": "21:9"},
        [],
    ),
]


@pytest.mark.parametrize(
    ("model", "fields", "config", "adjusted"),
    [case[1:] for case in PLAN_CASES],
    ids=[case[0] for case in PLAN_CASES],
)
def test_gemini_image_plan(
    model: str, fields: dict[str, Any], config: dict[str, Any] | None, adjusted: list[str]
) -> None:
    plan = to_image_plan({"prompt": "a cat", **fields}, model)
    assert plan.kind == "gemini"
    assert len(plan.calls) == 1
    native = generate_body(plan.calls[0])
    assert native["contents"] == [{"role": "user", "parts": [{"text": "a cat"}]}]
    assert native["generationConfig"].get("imageConfig") == config
    assert sorted(plan.adjusted) == sorted(adjusted)


def test_modalities_per_family() -> None:
    new = to_image_plan({"prompt": "p"}, "gemini-2.5-flash-image").calls[0]
    old = to_image_plan({"prompt": "p"}, "gemini-2.0-flash-preview-image-generation").calls[0]
    assert new["generationConfig"]["responseModalities"] == ["IMAGE"]
    assert old["generationConfig"]["responseModalities"] == ["TEXT", "IMAGE"]


def test_n_fans_out_one_call_per_image() -> None:
    plan = to_image_plan({"prompt": "p", "n": 3}, "gemini-2.5-flash-image")
    assert len(plan.calls) == 3


def test_imagen_plan_batches_samples_by_four() -> None:
    plan = to_image_plan(
        {"prompt": "p", "n": 6, "size": "1792x1024", "quality": "hd", "output_format": "jpeg"},
        "imagen-4.0-generate-001",
    )
    assert plan.kind == "imagen"
    assert [c["parameters"]["sampleCount"] for c in plan.calls] == [4, 2]
    params = plan.calls[0]["parameters"]
    assert params["aspectRatio"] == "16:9"
    assert params["sampleImageSize"] == "2K"
    assert params["outputOptions"] == {"mimeType": "image/jpeg"}
    assert plan.calls[0]["instances"] == [{"prompt": "p"}]


def test_imagen_fast_has_no_size() -> None:
    plan = to_image_plan({"prompt": "p", "quality": "high"}, "imagen-4.0-fast-generate-001")
    assert "sampleImageSize" not in plan.calls[0]["parameters"]
    assert plan.adjusted == ["quality"]


@pytest.mark.parametrize(
    ("fields", "param"),
    [
        ({}, "prompt"),
        ({"prompt": "p", "n": 0}, "n"),
        ({"prompt": "p", "n": 11}, "n"),
        ({"prompt": "p", "n": "two"}, "n"),
        ({"prompt": "p", "quality": "ultra"}, "quality"),
        ({"prompt": "p", "response_format": "png"}, "response_format"),
        ({"prompt": 5}, "prompt"),
    ],
)
def test_bad_image_fields(fields: dict[str, Any], param: str) -> None:
    with pytest.raises(AdapterError) as caught:
        to_image_plan(fields, "gemini-2.5-flash-image")
    assert (caught.value.status, caught.value.param) == (400, param)


def test_text_model_is_refused_for_images() -> None:
    with pytest.raises(AdapterError) as caught:
        to_image_plan({"prompt": "p"}, "gemini-2.5-flash")
    assert caught.value.param == "model"


def test_form_values_are_strings() -> None:
    images = [Upload("a.png", "image/png", PNG)]
    plan = to_image_plan({"prompt": "p", "n": "2"}, "gemini-2.5-flash-image", images=images)
    assert len(plan.calls) == 2


def test_edit_puts_images_then_mask_then_prompt() -> None:
    images = [Upload("a.png", "image/png", PNG), Upload("b", "application/octet-stream", PNG)]
    mask = Upload("mask.png", "image/png", PNG)
    plan = to_image_plan(
        {"prompt": "add a hat"}, "gemini-2.5-flash-image", images=images, mask=mask
    )
    parts = generate_body(plan.calls[0])["contents"][0]["parts"]
    assert [("inlineData" in p) for p in parts] == [True, True, True, False]
    assert parts[1]["inlineData"]["mimeType"] == "image/png"  # sniffed
    assert parts[3]["text"].startswith("add a hat")
    assert "mask" in parts[3]["text"]


def test_edit_refuses_non_images_and_imagen() -> None:
    with pytest.raises(AdapterError) as caught:
        to_image_plan(
            {"prompt": "p"}, "gemini-2.5-flash-image", images=[Upload("x.txt", "text/plain", b"hi")]
        )
    assert caught.value.param == "image"
    with pytest.raises(AdapterError) as caught:
        to_image_plan({"prompt": "p"}, "gemini-2.5-flash-image", images=[])
    assert caught.value.param == "image"
    with pytest.raises(AdapterError) as caught:
        to_image_plan(
            {"prompt": "p"}, "imagen-4.0-generate-001", images=[Upload("a.png", "image/png", PNG)]
        )
    assert caught.value.param == "model"


# --- image replies ------------------------------------------------------------------------


def test_image_reply_shape_and_usage() -> None:
    reply = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {"text": "Here it is"},
                        {"inlineData": {"mimeType": "image/png", "data": "QUJD"}},
                    ]
                },
                "finishReason": "STOP",
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 17,
            "candidatesTokenCount": 1336,
            "candidatesTokensDetails": [{"modality": "IMAGE", "tokenCount": 1290}],
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 17}],
        },
    }
    images = images_from_generate(reply)
    out = images_response(images, [reply], created=1, response_format="b64_json")
    assert_valid("openai.images_response", out)
    assert out["data"] == [{"b64_json": "QUJD"}]
    assert out["output_format"] == "png"
    assert out["usage"] == {
        "input_tokens": 17,
        "output_tokens": 1336,
        "total_tokens": 1353,
        "input_tokens_details": {"text_tokens": 17, "image_tokens": 0},
        "output_tokens_details": {"text_tokens": 46, "image_tokens": 1290},
    }
    url = images_response(images, [reply], created=1, response_format="url")
    assert url["data"] == [{"url": "data:image/png;base64,QUJD"}]


@pytest.mark.parametrize(
    ("reply", "status", "code"),
    [
        ({"promptFeedback": {"blockReason": "SAFETY"}}, 400, "content_policy_violation"),
        (
            {"candidates": [{"finishReason": "IMAGE_SAFETY", "content": {"parts": []}}]},
            400,
            "content_policy_violation",
        ),
        (
            {"candidates": [{"finishReason": "STOP", "content": {"parts": [{"text": "no"}]}}]},
            502,
            "no_image",
        ),
    ],
)
def test_no_image_is_an_error(reply: dict[str, Any], status: int, code: str) -> None:
    with pytest.raises(AdapterError) as caught:
        images_from_generate(reply)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_imagen_reply() -> None:
    found = images_from_predict(
        {"predictions": [{"bytesBase64Encoded": "QUJD", "mimeType": "image/jpeg", "prompt": "x"}]}
    )
    out = images_response(found, [{}], created=1, response_format="b64_json")
    assert_valid("openai.images_response", out)
    assert out["data"] == [{"b64_json": "QUJD", "revised_prompt": "x"}]
    assert out["output_format"] == "jpeg"
    assert "usage" not in out
    with pytest.raises(AdapterError) as caught:
        images_from_predict({"predictions": [{"raiFilteredReason": "blocked"}]})
    assert caught.value.code == "content_policy_violation"


# --- voices and speech --------------------------------------------------------------------


@pytest.mark.parametrize("voice", sorted(OPENAI_TO_GEMINI))
def test_every_openai_voice_maps_to_a_gemini_voice(voice: str) -> None:
    assert gemini_voice(voice) in GEMINI_VOICES
    assert gemini_voice({"id": voice}) == gemini_voice(voice)


def test_gemini_voices_pass_in_any_case() -> None:
    assert gemini_voice("kore") == "Kore"
    assert gemini_voice("Zubenelgenubi") == "Zubenelgenubi"


@pytest.mark.parametrize("voice", ["nobody", "", None, 5, {"id": "x"}])
def test_unknown_voice_is_a_400_on_voice(voice: Any) -> None:
    with pytest.raises(AdapterError) as caught:
        gemini_voice(voice)
    assert caught.value.param == "voice"


def test_speech_plan() -> None:
    plan = to_speech_plan(
        {"model": "m", "input": "Hello there", "voice": "alloy", "instructions": "Cheerful"},
        "gemini-2.5-flash-preview-tts",
    )
    native = generate_body(plan.body)
    assert native["generationConfig"] == {
        "responseModalities": ["AUDIO"],
        "speechConfig": {"voiceConfig": {"prebuiltVoiceConfig": {"voiceName": "Schedar"}}},
    }
    text = native["contents"][0]["parts"][0]["text"]
    assert text.startswith("Cheerful.") and text.endswith("Hello there")
    assert plan.response_format == "mp3"  # OpenAI's default
    assert plan.adjusted == []


def test_speech_speed_is_directed_and_reported() -> None:
    plan = to_speech_plan(
        {"input": "Hi", "voice": "Kore", "speed": 1.5, "response_format": "wav"},
        "gemini-2.5-flash-preview-tts",
    )
    assert plan.adjusted == ["speed"]
    assert "1.5 times" in plan.body["contents"][0]["parts"][0]["text"]
    assert spoken_text("Hi", None, 1) == "Hi"


@pytest.mark.parametrize(
    ("fields", "model", "param"),
    [
        ({"voice": "alloy"}, TTS, "input"),
        ({"input": "x", "voice": "alloy"}, "gemini-2.5-flash", "model"),
        ({"input": "x", "voice": "zzz", "response_format": "ogg"}, TTS, "voice"),
        ({"input": "x", "voice": "alloy", "response_format": "ogg"}, TTS, "response_format"),
        ({"input": "x", "voice": "alloy", "speed": 9}, TTS, "speed"),
        ({"input": "x" * 4097, "voice": "alloy"}, TTS, "input"),
    ],
)  # fmt: skip
def test_bad_speech_fields(fields: dict[str, Any], model: str, param: str) -> None:
    with pytest.raises(AdapterError) as caught:
        to_speech_plan(fields, model)
    assert (caught.value.status, caught.value.param) == (400, param)


def test_audio_chunks_decode_pcm_parts() -> None:
    event = {
        "candidates": [
            {
                "content": {
                    "parts": [
                        {
                            "inlineData": {
                                "mimeType": "audio/L16;codec=pcm;rate=24000",
                                "data": base64.b64encode(b"\x01\x02").decode(),
                            }
                        }
                    ]
                }
            }
        ]
    }
    assert audio_chunks(event) == [(b"\x01\x02", "audio/L16;codec=pcm;rate=24000")]


# --- transcription ------------------------------------------------------------------------

WAV = Upload("speech.wav", "audio/wav", b"RIFF....WAVEfmt ")


@pytest.mark.parametrize(
    ("fields", "task", "timed", "needle"),
    [
        ({}, "transcribe", False, "Transcribe"),
        ({"response_format": "srt"}, "transcribe", True, "segments"),
        ({"language": "fr", "prompt": "Zoë and Yannick"}, "transcribe", False, "Zoë and Yannick"),
        ({"response_format": "verbose_json"}, "translate", True, "into English"),
    ],
)
def test_transcription_plan(fields: dict[str, Any], task: str, timed: bool, needle: str) -> None:
    plan = to_transcription_plan({"model": "m", **fields}, WAV, "gemini-2.5-flash", task)
    native = generate_body(plan.body)
    parts = native["contents"][0]["parts"]
    assert parts[0]["inlineData"]["mimeType"] == "audio/wav"
    assert needle in parts[1]["text"]
    config = native.get("generationConfig", {})
    assert (config.get("responseJsonSchema") == SEGMENT_SCHEMA) is timed


@pytest.mark.parametrize(
    ("upload", "fields", "param"),
    [
        (None, {}, "file"),
        (Upload("a.xyz", "application/octet-stream", b"x"), {}, "file"),
        (WAV, {"response_format": "csv"}, "response_format"),
        (WAV, {"temperature": "hot"}, "temperature"),
    ],
)
def test_bad_transcription_fields(
    upload: Upload | None, fields: dict[str, Any], param: str
) -> None:
    with pytest.raises(AdapterError) as caught:
        to_transcription_plan(fields, upload, "gemini-2.5-flash", "transcribe")
    assert caught.value.param == param


def test_mime_from_extension_when_type_is_generic() -> None:
    plan = to_transcription_plan(
        {}, Upload("a.MP3", "application/octet-stream", b"x"), "gemini-2.5-flash", "transcribe"
    )
    assert plan.body["contents"][0]["parts"][0]["inlineData"]["mimeType"] == "audio/mp3"


SEGMENTS_JSON = orjson.dumps(
    {
        "language": "english",
        "segments": [
            {"start": 0, "end": 1.5, "text": "Hello."},
            {"start": 1.5, "end": 3661.25, "text": "Bye."},
        ],
    }
).decode()


def _reply(text: str) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"parts": [{"text": text}]}, "finishReason": "STOP"}],
        "usageMetadata": {
            "promptTokenCount": 60,
            "candidatesTokenCount": 5,
            "promptTokensDetails": [
                {"modality": "TEXT", "tokenCount": 10},
                {"modality": "AUDIO", "tokenCount": 50},
            ],
        },
    }


def test_srt_and_vtt() -> None:
    _, segments = segments_from(SEGMENTS_JSON)
    assert srt(segments) == (
        "1\n00:00:00,000 --> 00:00:01,500\nHello.\n\n2\n00:00:01,500 --> 01:01:01,250\nBye.\n"
    )
    assert vtt(segments).startswith("WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello.\n")


@pytest.mark.parametrize(
    ("response_format", "kind"),
    [("json", dict), ("text", str), ("srt", str), ("vtt", str), ("verbose_json", dict)],
)
def test_transcription_replies(response_format: str, kind: type) -> None:
    plan = to_transcription_plan(
        {"response_format": response_format}, WAV, "gemini-2.5-flash", "transcribe"
    )
    timed = response_format in ("srt", "vtt", "verbose_json")
    out, content_type = transcription_reply(plan, _reply(SEGMENTS_JSON if timed else " Hi. "))
    assert isinstance(out, kind)
    if response_format == "json":
        assert_valid("openai.transcription", out)
        assert out == {
            "text": "Hi.",
            "usage": {
                "type": "tokens",
                "input_tokens": 60,
                "input_token_details": {"text_tokens": 10, "audio_tokens": 50},
                "output_tokens": 5,
                "total_tokens": 65,
            },
        }
    if response_format == "verbose_json":
        assert_valid("openai.transcription_verbose", out)
        assert out["duration"] == 3661.25
        assert out["text"] == "Hello. Bye."
        assert [s["id"] for s in out["segments"]] == [0, 1]
        assert content_type == "application/json"


def test_bad_segments_are_a_502() -> None:
    plan = to_transcription_plan({"response_format": "srt"}, WAV, "gemini-2.5-flash", "transcribe")
    with pytest.raises(AdapterError) as caught:
        transcription_reply(plan, _reply("not json"))
    assert caught.value.status == 502


# --- chat audio output --------------------------------------------------------------------


def chat(model: str, **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "Say hi"}], **fields}


def test_chat_audio_on_a_tts_model() -> None:
    from adapter.translate.request import to_native_request

    native = to_native_request(
        chat(TTS, modalities=["text", "audio"], audio={"voice": "alloy", "format": "wav"})
    )
    generate_body(native.body)
    assert native.body["generationConfig"]["responseModalities"] == ["AUDIO"]
    assert native.body["generationConfig"]["speechConfig"]["voiceConfig"] == {
        "prebuiltVoiceConfig": {"voiceName": "Schedar"}
    }
    assert native.audio is not None and native.audio.transcript == "Say hi"


@pytest.mark.parametrize(
    ("model", "fields", "param"),
    [
        ("gemini-2.5-flash", {"audio": {"voice": "alloy", "format": "wav"}}, "modalities"),
        (TTS, {}, "audio"),
        (TTS, {"audio": {"voice": "nobody", "format": "wav"}}, "audio.voice"),
        (TTS, {"audio": {"voice": "alloy", "format": "ogg"}}, "audio.format"),
        (TTS, {"audio": {"voice": "alloy", "format": "wav"}, "stream": True}, "audio.format"),
    ],
)
def test_chat_audio_errors(model: str, fields: dict[str, Any], param: str) -> None:
    from adapter.translate.request import to_native_request

    with pytest.raises(AdapterError) as caught:
        to_native_request(chat(model, modalities=["text", "audio"], **fields))
    assert caught.value.param == param
    assert caught.value.status == 400


def test_chat_without_audio_keeps_no_audio() -> None:
    from adapter.translate.request import to_native_request

    assert to_native_request(chat("gemini-2.5-flash", modalities=["text"])).audio is None
