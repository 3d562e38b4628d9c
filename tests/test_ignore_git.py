"""`.gitignore` rules as git itself applies them: the scan lists exactly the files that
`git ls-files --others --exclude-standard` lists, for random trees and random ignore files
at several levels (negations, folder patterns, `**`, anchored and match-all patterns).

Run under every pathspec version the project allows (CI's lowest-versions job installs the
lowest), this is what keeps `ignore.py` independent of the shape of pathspec's regexes."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from repodoc_ls.config import Settings
from repodoc_ls.scan import scan

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

PATTERNS = [
    "*",
    "!*.py",
    "!*/",
    "*.txt",
    "!x/",
    "gen/",
    "foo/**",
    "!foo/keep.py",
    "a/**/b",
    "**/tmp",
    "/top.py",
    "dir/*.txt",
    "!important.txt",
    "*/",
    "x",
    "\\#hash.py",
    "deep/*/z.py",
    "a?c",
    "[ab]*.log",
    "!b.log",
    "/x/",
    "tmp/",
    "**/deep/keep.py",
    "!deep/",
    "*.py",
    "foo",
    "!gen/keep.py",
    "[!a]*.txt",
    "x/*",
    "*.log\\ ",
]
# Not "build" or other names the scan skips by default (ruff's list): git knows no such rule.
FOLDERS = ["x", "gen", "foo", "a", "b", "tmp", "deep", "dir", "abc", "y"]
FILES = [
    "top.py",
    "keep.py",
    "z.py",
    "a.txt",
    "important.txt",
    "b.log",
    "a.log",
    "abc",
    "#hash.py",
    "x",
    "note.md",
    "c.txt",
]


def git_untracked(root: Path) -> list[str]:
    out = subprocess.run(
        [GIT, "-C", str(root), "ls-files", "-z", "--others", "--exclude-standard"],
        capture_output=True,
        check=True,
    ).stdout
    return sorted(p.decode() for p in out.split(b"\0") if p)


def random_tree(root: Path, rng: random.Random) -> None:
    for _ in range(rng.randint(4, 14)):
        depth = rng.randint(0, 3)
        parts = [rng.choice(FOLDERS) for _ in range(depth)] + [rng.choice(FILES)]
        path = root.joinpath(*parts)
        if any(p.exists() and not p.is_dir() for p in path.parents) or path.is_dir():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")
    folders = sorted({p for p in root.rglob("*") if p.is_dir()} | {root})
    for folder in rng.sample(folders, k=min(len(folders), rng.randint(1, 3))):
        lines = rng.sample(PATTERNS, k=rng.randint(1, 5))
        (folder / ".gitignore").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_scan_lists_what_git_lists(tmp_path):
    rng = random.Random(20261202)
    compared = ignored = 0
    for trial in range(60):
        root = tmp_path / f"t{trial}"
        root.mkdir()
        subprocess.run([GIT, "init", "-q", str(root)], check=True)
        random_tree(root, rng)
        everything = sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.relative_to(root).parts
        )
        expected = git_untracked(root)
        got = [f.path for f in scan(Settings(root=root)).files]
        rules = {
            p.relative_to(root).as_posix(): p.read_text(encoding="utf-8").split()
            for p in root.rglob(".gitignore")
        }
        assert got == expected, (rules, everything)
        compared += len(everything)
        ignored += len(everything) - len(expected)
    assert compared > 300 and ignored > 50, (compared, ignored)
