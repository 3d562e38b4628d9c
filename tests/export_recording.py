"""What the incremental export tests share: a workspace written from a dict, the pages on
disk, and the pages an export rendered (the renderer's `render_unit`, recorded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs.export import export
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index


def write_files(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def pages_on_disk(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*.md")}


def record_renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages rendered from now on, as long as `monkeypatch` holds."""
    rendered: list[str] = []
    original = Renderer.render_unit

    def recording(self: Renderer, unit):  # type: ignore[no-untyped-def]
        found = original(self, unit)
        rendered.extend(found)
        return found

    monkeypatch.setattr(Renderer, "render_unit", recording)
    return rendered


def export_recording(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> tuple[Index, set[str]]:
    """An export's index and the pages it rendered."""
    with monkeypatch.context() as patched:
        rendered = record_renders(patched)
        index = Index.build(load_settings(workspace))
        export(index)
    return index, set(rendered)


def replace_once(path: Path, old: str, new: str) -> None:
    """An edit: `old` (which must be there) replaced once by `new`."""
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)
