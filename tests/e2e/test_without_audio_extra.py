"""An adapter installed without the `audio` extra (PyAV): started in a process where `av`
cannot be imported. mp3/opus/aac/flac speech is a 400 naming response_format that says how
to install the extra; wav and pcm still work (behaviour AU1, docs/images-audio.md)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import wave
from collections.abc import Iterator

import openai
import pytest
from servers import free_port, start_server_process

# `av` made unimportable, then the ordinary CLI: what a plain `pip install .` gives.
LAUNCH = "import sys; sys.modules['av'] = None; from adapter.cli import main; sys.exit(main())"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("GEMINI_API_KEY", "ADAPTER_API_KEYS")}
    process, url = start_server_process(
        [sys.executable, "-c", LAUNCH, "serve", "--upstream-url", "emulator", "--port", str(port)],
        port,
        env,
    )
    yield f"{url}/v1"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.mark.parametrize("response_format", ["mp3", "opus", "aac", "flac"])
def test_encoded_formats_say_how_to_install(base_url: str, response_format: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="k", max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(
            model="gemini-2.5-flash-preview-tts",
            voice="alloy",
            input="hi",
            response_format=response_format,  # type: ignore[arg-type]
        )
    error = caught.value.body
    assert error["param"] == "response_format"  # type: ignore[index]
    assert "pip install -e '.[audio]'" in error["message"]  # type: ignore[index]


def test_voice_is_checked_before_the_encoder(base_url: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="k", max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.audio.speech.create(
            model="gemini-2.5-flash-preview-tts",
            voice="nobody",  # type: ignore[arg-type]
            input="hi",
        )  # mp3 by default, which this install cannot encode
    assert caught.value.body["param"] == "voice"  # type: ignore[index]


def test_wav_needs_no_extra(base_url: str) -> None:
    client = openai.OpenAI(base_url=base_url, api_key="k", max_retries=0)
    data = client.audio.speech.create(
        model="gemini-2.5-flash-preview-tts", voice="alloy", input="hello", response_format="wav"
    ).read()
    with wave.open(io.BytesIO(data)) as reader:
        assert reader.getframerate() == 24000 and reader.getnframes() > 0
