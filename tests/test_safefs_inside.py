"""`InsideFolder` (each folder resolved once, for the check's many source links) against
`is_inside` (every path resolved whole), the oracle, on trees of symbolic links leading in,
out, through each other and nowhere."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from repodoc_ls.safefs import InsideFolder, is_inside


def _tree(base: Path, rng: random.Random) -> tuple[Path, list[str]]:
    root = base / "ws"
    outside = base / "elsewhere"
    for folder in (root, outside):
        for sub in ("a", "a/b", "c"):
            (folder / sub).mkdir(parents=True, exist_ok=True)
            (folder / sub / "f.py").write_text("x = 1\n")
    folders = [root, root / "a", root / "a" / "b", root / "c"]
    targets = [
        *folders,
        outside,
        outside / "a",
        outside / "a" / "f.py",
        root / "a" / "f.py",
        base / "missing",
    ]
    for n in range(12):
        where = rng.choice(folders)
        target = rng.choice(targets)
        link = where / f"link{n}"
        if not os.path.lexists(link):
            os.symlink(os.path.relpath(target, where) if rng.random() < 0.5 else target, link)
    (root / "c" / "loop").symlink_to("loop")  # resolves to itself
    names = ["f.py", "nothing.py", "a", "b", "c", "loop", *(f"link{n}" for n in range(12))]
    paths = set()
    for folder in folders:
        for _ in range(40):
            parts = [rng.choice(names) for _ in range(rng.randint(1, 3))]
            paths.add(os.path.normpath(os.path.join(folder, *parts)))
    paths.update(str(f) for f in folders)
    return root, sorted(paths)


@pytest.mark.parametrize("seed", range(6))
def test_inside_folder_answers_as_is_inside(tmp_path, seed):
    root, paths = _tree(tmp_path, random.Random(seed))
    inside = InsideFolder(root)
    answers = {path: inside(path) for path in paths}
    assert answers == {path: is_inside(path, root) for path in paths}
    assert any(answers.values()) and not all(answers.values())  # links lead both ways
