"""The links and anchors of each page, as the export found them: `.repodoc-links.jsonl`.

Beside the manifest, one line per page: the page (a JSON string), the hash of the bytes the
line describes, then `[links, anchors]` (links flattened as line, target, line, target...)
or `null` when quicklinks gave up on the page. `check` believes a line only for a page whose
bytes on disk have that hash; any other page (a hand edit, a missing or unreadable file of
records) is parsed with markdown-it. A re-export appends the lines of the pages it rendered
(a page's last line is its record); when the file has doubled since it was last written
whole, it is rewritten with one line per page, the others' copied without decoding.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from repodoc_ls.docs.linkcheck import ParsedPage
from repodoc_ls.docs.manifest import PageRecord
from repodoc_ls.docs.pagefiles import atomic_write, page_hash
from repodoc_ls.docs.quicklinks import quick_parse
from repodoc_ls.safefs import read_regular

LINKS_NAME = ".repodoc-links.jsonl"

#: Far more than any doc set's records; anything larger is not ours and is ignored.
_MAX_BYTES = 1024 * 1024 * 1024


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def record_line(page: str, digest: str, parsed: ParsedPage | None) -> bytes:
    body = "null"
    if parsed is not None:
        links, anchors = parsed
        flat: list[int | str] = [item for link in links for item in link]
        body = json.dumps([flat, sorted(anchors)], ensure_ascii=False, separators=(",", ":"))
    return f"{json.dumps(page, ensure_ascii=False)}\t{digest}\t{body}\n".encode()


def _read_lines(output: Path) -> dict[bytes, bytes]:
    """Each page's line, keyed by the page as written (its JSON string's bytes)."""
    path = output / LINKS_NAME
    try:
        if os.path.islink(path):
            return {}
        data = read_regular(path, _MAX_BYTES)
    except OSError:
        return {}
    out = {}
    for line in data.split(b"\n"):
        key, tab, _rest = line.partition(b"\t")
        if tab:
            out[key] = line + b"\n"
    return out


def _key(page: str) -> bytes:
    return json.dumps(page, ensure_ascii=False).encode()


def save_records(output: Path, fresh: dict[str, bytes], kept: dict[str, PageRecord], base: int) -> int:
    """Record `fresh` lines for the pages just rendered, beside the old lines of the `kept`
    pages (not rendered, as the manifest records them). An export after an edit appends
    its lines to the file (the last line of a page is its record), so that its cost follows
    the change, not the doc set; once the file has grown to twice `base` (its size after
    its last rewrite, or 0 for none), it is rewritten with one line per page. Returns the
    new base."""
    if kept and base > 0 and _append(output / LINKS_NAME, fresh, 2 * base):
        return base
    return _rewrite(output, fresh, kept)


def _append(path: Path, fresh: dict[str, bytes], limit: int) -> bool:
    """Append `fresh` to the records at `path` unless they are past `limit` bytes or not a
    plain file of ours (a link, a file with other names: never written through); False
    when nothing was appended."""
    flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or st.st_size >= limit:
            return False
        # A killed export may have left half a line: end it, so the next one reads apart.
        data = b"" if st.st_size == 0 or os.pread(fd, 1, st.st_size - 1) == b"\n" else b"\n"
        view = memoryview(data + b"".join(fresh[page] for page in sorted(fresh)))
        while view:
            view = view[os.write(fd, view) :]
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _rewrite(output: Path, fresh: dict[str, bytes], kept: dict[str, PageRecord]) -> int:
    """Write the records afresh: `fresh` lines and the old lines of the `kept` pages,
    copied without decoding (`check` compares each line's hash with the page's bytes before
    believing it). A kept page without a line (a doc set exported before records were
    kept) is read once. Returns the size written."""
    old = _read_lines(output) if kept else {}
    lines = {_key(page): line for page, line in fresh.items()}
    if len(old) >= len(kept):  # the usual case: every kept page has its line; copy them
        keys = old.keys() - lines.keys()
        if len(keys) > len(kept):  # lines of pages gone since (their count is small)
            keys &= {_key(page) for page in kept}
        lines.update((key, old[key]) for key in keys)
    else:
        for page, record in kept.items():
            key = _key(page)
            if key in lines or record.hash is None:
                continue
            line = old.get(key)
            if line is not None:
                lines[key] = line
                continue
            try:
                target = output / page
                data = b"" if os.path.islink(target) else read_regular(target, max(record.size, 0))
            except OSError:
                continue
            if page_hash(data) == record.hash:
                text = data.decode("utf-8", errors="replace")
                lines[key] = record_line(page, record.hash, quick_parse(text))
    data = b"".join(lines[key] for key in sorted(lines))
    atomic_write(output / LINKS_NAME, data)
    return len(data)


def load_records(output: Path) -> dict[str, tuple[str, ParsedPage | None]]:
    """page -> (hash, its links and anchors or None); lines that do not read are left out."""
    out: dict[str, tuple[str, ParsedPage | None]] = {}
    for line in _read_lines(output).values():
        try:
            key, digest, body = line.decode("utf-8").split("\t", 2)
            page = json.loads(key)
            parsed = json.loads(body)
            if not isinstance(page, str):
                continue
            if parsed is None:
                out[page] = (digest, None)
                continue
            flat, anchors = parsed
            if not all(_is_int(flat[i]) for i in range(0, len(flat), 2)):
                continue
            links = [(int(flat[i]), str(flat[i + 1])) for i in range(0, len(flat) - 1, 2)]
            out[page] = (digest, (links, frozenset(str(a) for a in anchors)))
        except (ValueError, TypeError, RecursionError):
            continue
    return out
