"""The notes a file's page shows: its facts' notes, less those resting on an API whose
root module turns out to be the workspace's own.

Extraction resolves a call through the file's imports alone (`extract/pycalls.py`), so
`requests.get(...)` is noted whatever `requests` is; here, knowing every file, a note whose
target's root module is a top-level module of the workspace (the same test that files an
import under "this workspace") is dropped: the workspace's `requests` does no network I/O
by our knowing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from repodoc_ls.model import FileFacts, FileKind, Note, NoteKind

if TYPE_CHECKING:
    from repodoc_ls.index.graph import Graph

#: Notes that say the file could not be analysed (wholly or in part).
NOT_ANALYSED = frozenset({NoteKind.SYNTAX_ERROR, NoteKind.ENCODING, NoteKind.TOO_LARGE, NoteKind.MALFORMED})


def shown_notes(graph: Graph, facts: FileFacts) -> list[Note]:
    workspace = graph.top_level_names
    return [n for n in facts.notes if not n.target or n.target.partition(".")[0] not in workspace]


def scanned_for_notes(facts: FileFacts) -> bool:
    """Whether the notes scan ran over the whole file: Python source that parsed."""
    return (
        facts.kind in FileKind.PYTHON
        and facts.encoding is not None
        and not any(n.kind in NOT_ANALYSED for n in facts.notes)
    )
