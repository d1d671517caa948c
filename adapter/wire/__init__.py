"""Typed wire formats in the APIs' own names (`GenerateContentRequest`, `Part`,
`ThinkingConfig`, `CreateChatCompletionStreamResponse`, ...), generated from `schemas/*.json`
by `schemas/typeddicts.py`. Type-checking only: at run time they are plain dicts."""
