"""One small module that exercises Python's scope rules, for the tests of the analysis
layer's regions and of the hover that uses them."""

from __future__ import annotations

import textwrap

SOURCE = textwrap.dedent(
    """\
    import os

    limit = 10
    retries = 5
    item = None
    counter = 0


    def clamp(value, limit=limit):
        return min(value, limit)


    class Config:
        retries = 3

        class Inner:
            def run(self, n):
                def helper():
                    return n + retries
                return helper

        def squares(self, items):
            return [item * item for item in items]

        def current(self):
            return retries


    def bump():
        global counter
        counter = counter + 1
        return counter


    def outer():
        total = 0

        def inner():
            nonlocal total
            total = total + 1
            return total

        return inner


    settings = dict(
        a=1,
        b=limit,
    )
    """
)
LINES = SOURCE.splitlines()


def line_of(needle: str) -> int:
    """1-based line of the first line that starts with `needle` (after indentation)."""
    return next(n for n in range(1, len(LINES) + 1) if LINES[n - 1].strip().startswith(needle))
