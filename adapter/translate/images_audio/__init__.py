"""Images and audio surfaces (docs/images-audio.md): OpenAI request -> native request(s), and
native replies -> the OpenAI reply. Pure like the rest of `translate/`: no I/O."""
