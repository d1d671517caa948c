"""HTTP surfaces, one module per API (chat, responses, ...)."""
