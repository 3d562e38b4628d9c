"""The source a file's page embeds: all of it, or when the file is larger than
`max-source-bytes`, its first lines within that many bytes (a minified file is one enormous
line: it is cut at a character and said to be)."""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple

#: Lines an excerpt shows at most.
EXCERPT_LINES = 80
_LINE_END = re.compile(r"\r\n|\r|\n")


class Source(NamedTuple):
    body: str  # line ends as "\n" (as Markdown and source line links count them), no last one
    excerpt: bool  # the file is larger than the budget: `body` is its beginning
    lines: int  # lines shown (of an excerpt)
    cut: bool  # the last line shown is cut short
    more_bytes: int  # bytes of the file not shown


def embedded_source(data: bytes, encoding: str, budget: int) -> Source:
    """What the page shows of a file holding `data` in `encoding`, in at most `budget` bytes."""
    if len(data) <= budget:
        return Source(_page_text(data.decode(encoding, errors="replace")), False, 0, False, 0)
    head = codecs.getincrementaldecoder(encoding)(errors="replace").decode(data[:budget])
    end, shown, cut = len(head), 0, False
    for shown, m in enumerate(_LINE_END.finditer(head), 1):
        if shown == EXCERPT_LINES:
            end = m.end()
            break
    else:
        partial = not head.endswith(("\n", "\r"))  # a last line without its end
        shown += partial
        cut = partial and data[budget : budget + 1] not in (b"\n", b"\r")
    text = head[:end]
    return Source(
        _page_text(text), True, shown, cut, len(data) - len(text.encode(encoding, errors="replace"))
    )


def _page_text(text: str) -> str:
    """Line ends as Markdown (and a source line link) count them; anything else, a form
    feed included, stays as it is in the file. NUL bytes, which Markdown tools choke on,
    become U+FFFD."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\x00", "\ufffd")
    return text[:-1] if text.endswith("\n") else text
