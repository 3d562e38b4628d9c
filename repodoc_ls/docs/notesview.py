"""The Notes section of a file page: the notes that stand (index/notes.py), each with the
line it rests on, and "no findings" when the scan ran over the file and found nothing (a
file that was not scanned has no section, so the two never look alike)."""

from __future__ import annotations

from collections import Counter

from repodoc_ls.docs import caps, pages
from repodoc_ls.docs.fileview import PageLinks, View
from repodoc_ls.index.notes import scanned_for_notes, shown_notes
from repodoc_ls.model import FileFacts, Note

#: What the scan looks for, said once under "no findings".
SCANNED_FOR = (
    "commands run (with or without a shell), eval/exec, pickle/marshal loads, network and "
    "file I/O, threads/processes/asyncio, caching decorators, TODO/FIXME and deprecations"
)


def notes_view(p: PageLinks, facts: FileFacts) -> dict[str, object]:
    notes = shown_notes(p.renderer.graph, facts)
    rows = []
    for n in sorted(notes, key=lambda n: (n.line, n.kind, n.detail))[: caps.MAX_ROWS]:
        # A parser may report the line after the last one (an unexpected end of file).
        at = min(n.line, max(facts.lines, 1))
        line = p.line_link(facts.path, at) if n.line and facts.encoding is not None else "file"
        rows.append(
            View(
                {"line": line, "kind": pages.text(n.kind), "detail": pages.code(n.detail) if n.detail else ""}
            )
        )
    return {
        "notes": rows,
        "notes_more": caps.more(len(notes), caps.MAX_ROWS, "notes"),
        "notes_summary": _summary(notes),
        "no_findings": f"No findings: scanned for {SCANNED_FOR}."
        if not notes and scanned_for_notes(facts)
        else "",
    }


def _summary(notes: list[Note]) -> str:
    """ "3 notes: 2 TODO/FIXME, 1 file I/O" (most frequent first)."""
    if not notes:
        return ""
    counts = Counter(n.kind for n in notes)
    parts = ", ".join(
        f"{n} {pages.text(kind)}" for kind, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return f"{len(notes):,} note{'' if len(notes) == 1 else 's'}: {parts}."
