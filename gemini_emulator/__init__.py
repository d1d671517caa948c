"""Offline emulator of the Gemini native API (generativelanguage.googleapis.com, v1beta).

Self-contained: it imports nothing from the rest of `adapter`, so it can serve as an
independent upstream for demos and for the adapter's end-to-end tests.
"""

from gemini_emulator.app import create_app

__all__ = ["create_app"]
