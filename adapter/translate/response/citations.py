"""Deprecated alias of adapter.translate.response.grounding (renamed); kept so code written
against the old name keeps working. Import from grounding."""

from adapter.translate.response.grounding import annotations_from, byte_to_char_offsets

__all__ = ["annotations_from", "byte_to_char_offsets"]
