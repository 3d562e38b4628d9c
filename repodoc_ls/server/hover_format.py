"""What every hover shares: the client's format (Markdown or plain text, and the kinds of
link it opens) and the context a hover is answered in (hover.py, hover_scope.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pygls.uris import from_fs_path

from repodoc_ls.docs import pages
from repodoc_ls.server.folders import LINK_KINDS, Folder
from repodoc_ls.server.server import RepodocServer

_SCHEMES = {"file": "file", "command": "command", "http": "http", "https": "http"}


class Format:
    """The same facts as Markdown (links, code fences) or as plain text. A link of a kind
    the client does not open is shown as its text."""

    def __init__(self, markdown: bool, link_kinds: Iterable[str] = LINK_KINDS):
        self.markdown = markdown
        self.link_kinds = frozenset(link_kinds)

    def opens(self, kind: str) -> bool:
        """Whether the client opens links of `kind` ("file", "command", "http")."""
        return kind in self.link_kinds

    def code(self, text: str) -> str:
        if not self.markdown:
            return text
        fence = pages.fence_for(text)
        return f"{fence}python\n{text}\n{fence}"

    def link(self, text: str, url: str) -> str:
        if not self.markdown:
            return text
        if not self.opens(_SCHEMES.get(url.split(":", 1)[0].lower(), "")):
            return pages.text(text)
        return f"[{pages.text(text)}]({url})"

    def join(self, blocks: list[str]) -> str:
        return "\n\n".join(b for b in blocks if b)


def file_link(folder: Folder, path: str, line: int | None = None) -> str:
    uri = from_fs_path(str(folder.root / path))
    return f"{uri}#L{line}" if line else uri


@dataclass(frozen=True)
class HoverContext:
    """One hover's context: the server (for the text of other files), the folder the
    answer comes from (during a first build, the open documents' view of it) and the
    client's format."""

    ls: RepodocServer
    folder: Folder
    fmt: Format

    def lines(self, path: str) -> list[str]:
        """The lines of workspace file `path`: its open buffer's, else the disk's."""
        return self.ls.lines(self.folder, path)

    def file_link(self, path: str, line: int | None = None) -> str:
        return file_link(self.folder, path, line)
