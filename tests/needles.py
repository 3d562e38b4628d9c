"""Positions in a test's source text, named by the text found there."""

from __future__ import annotations


def needle_at(lines: list[str], needle: str, occurrence: int = 1, offset: int = 0) -> tuple[int, int]:
    """0-based (line, character) of the `occurrence`-th `needle` in `lines`, plus `offset`."""
    seen = 0
    for n, text in enumerate(lines):
        start = -1
        while (start := text.find(needle, start + 1)) >= 0:
            seen += 1
            if seen == occurrence:
                return n, start + offset
    raise AssertionError(f"{needle!r} #{occurrence} not found")
