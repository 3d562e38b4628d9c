"""Source links to a forge: the `source-url` template filled in (`config.check_source_url`
checked it), and the revision its `{rev}` stands for.

`{rev}` is `source-rev` when given, else the commit `.git/HEAD` names, read as files (a
branch's ref, loose or packed; a worktree's `gitdir:` file): no git command runs in the
workspace. A commit makes permanent links whose line numbers match the pages; a doc set that
is committed beside the code should set `source-rev` to a branch, or every commit would
change every page.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from repodoc_ls.config import Settings, SettingsError
from repodoc_ls.safefs import read_regular

_COMMIT = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REF = re.compile(r"refs/[A-Za-z0-9._/\-]+")
_SMALL = 64 * 1024  # HEAD, a ref, a commondir or gitdir file
_PACKED_REFS = 16 * 1024 * 1024


def _read(path: Path, limit: int = _SMALL) -> str | None:
    try:
        return read_regular(path, limit).decode("utf-8", errors="replace")
    except OSError:
        return None


def _git_dir(root: Path) -> Path | None:
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git
    text = _read(dot_git)  # a worktree or submodule: "gitdir: <path>"
    if text and text.startswith("gitdir:"):
        return (root / text[len("gitdir:") :].strip()).resolve()
    return None


def git_head_commit(root: Path) -> str | None:
    """The commit `HEAD` of the repository at `root` names, or None when it cannot be read
    (no repository, an unborn branch, a ref in a form we do not read)."""
    git_dir = _git_dir(root)
    if git_dir is None:
        return None
    head = (_read(git_dir / "HEAD") or "").strip()
    if _COMMIT.fullmatch(head):
        return head  # detached
    if not head.startswith("ref:"):
        return None
    ref = head[len("ref:") :].strip()
    if not _REF.fullmatch(ref) or ".." in ref:
        return None
    common = _read(git_dir / "commondir")
    dirs = [git_dir] + ([(git_dir / common.strip()).resolve()] if common else [])
    for folder in dirs:
        loose = (_read(folder / ref) or "").strip()
        if _COMMIT.fullmatch(loose):
            return loose
    for folder in dirs:
        for line in (_read(folder / "packed-refs", _PACKED_REFS) or "").splitlines():
            commit, _, name = line.partition(" ")
            if name.strip() == ref and _COMMIT.fullmatch(commit):
                return commit
    return None


class SourceUrl:
    """Links to source files at a forge: `base(path)` for the file, `line_fragment(line)`
    for a line (None when the template has no `#` part: the file is linked)."""

    def __init__(self, template: str, rev: str):
        base, hashmark, fragment = template.partition("#")
        self.template = template
        self.rev = rev
        self._base = base.replace("{rev}", rev)
        self._fragment = fragment.replace("{rev}", rev) if hashmark else None

    def base(self, path: str) -> str:
        return self._base.replace("{path}", quote(path, safe="/-_.~"))

    def line_fragment(self, line: int) -> str | None:
        return self._fragment.replace("{line}", str(line)) if self._fragment is not None else None


def source_url(settings: Settings) -> SourceUrl | None:
    """The settings' forge links, or None for links relative to the output folder. Raises
    SettingsError when `{rev}` is used and no revision is known."""
    template = settings.source_url
    if not template:
        return None
    rev = settings.source_rev or ""
    if "{rev}" in template and not rev:
        rev = git_head_commit(settings.root) or ""
        if not rev:
            raise SettingsError(
                f"source-url uses {{rev}}, but source-rev is not set and no commit could be read "
                f"from {os.path.join(settings.root, '.git', 'HEAD')}; give --source-rev"
            )
    return SourceUrl(template, rev)
