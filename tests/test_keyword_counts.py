"""Keyword-page counts mean what their column says: for an imported module, the other
workspace files importing it; for an imported name, the other files using that symbol.

The expected numbers are written by hand from the fixture below (and the module counts are
also checked against a plain `ast` walk), not taken from repodoc's output."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from repodoc_ls.config import load_settings
from repodoc_ls.docs.render import Renderer
from repodoc_ls.index.indexer import Index

FIXTURE = {
    "pkg/__init__.py": "",
    "pkg/util.py": "def helper():\n    return other()\n\n\ndef other():\n    return 1\n",
    # the issue's example
    "pkg/a.py": "import os\nfrom pkg.util import helper\n",
    "pkg/b.py": "import os\nfrom pkg.util import other\n",
    # more importers and users, spelled differently
    "pkg/c.py": "import os.path\nfrom pkg.util import helper\n\nhelper()\n",
    "pkg/d.py": (
        "from os import path as p\nimport pkg.util\nimport json\nfrom pkg import util\n\n"
        "pkg.util.other()\nutil.helper()\n"
    ),
    "tools/e.py": "import json\nfrom .missing import thing\n",
}

ROW = re.compile(r"^\| `([^`]+)` \| .*\| ([^|]+) \|$")


def keyword_rows(tmp_path: Path, path: str) -> list[tuple[str, str]]:
    root = tmp_path / "ws"
    for rel, text in FIXTURE.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    index = Index.build(load_settings(root, {"cache_dir": str(tmp_path / "cache")}))
    text = Renderer(index).render_page(path, "kw")
    imports = text[text.index("## Imported") :]
    rows = []
    for line in imports.splitlines():
        m = ROW.match(line)
        if m:
            rows.append((m.group(1), re.sub(r"\]\(.*\)", "", m.group(2).strip()).lstrip("[")))
    return rows


def keyword_counts(tmp_path: Path, path: str) -> dict[str, str]:
    return dict(keyword_rows(tmp_path, path))


def test_issue_example_and_more(tmp_path: Path) -> None:
    assert keyword_counts(tmp_path, "pkg/a.py") == {
        "os": "3",  # b.py, c.py (`import os.path`), d.py (`from os import path`)
        "pkg.util.helper": "2",  # c.py calls it, d.py as util.helper (a.py only imports it)
    }


def test_names_count_users_not_importers(tmp_path: Path) -> None:
    assert keyword_counts(tmp_path, "pkg/b.py") == {
        "os": "3",
        "pkg.util.other": "2",  # util.py (helper calls it) and d.py (pkg.util.other())
    }


def test_submodules_and_outside_names(tmp_path: Path) -> None:
    assert keyword_counts(tmp_path, "pkg/c.py") == {
        "os.path": "1",  # d.py: `from os import path` imports the submodule
        "pkg.util.helper": "1",  # d.py; c.py itself is not counted
    }
    assert sorted(keyword_rows(tmp_path, "pkg/d.py")) == [
        ("json", "1"),  # tools/e.py
        ("os.path as p", "—"),  # a name from outside: its users are not indexed
        ("pkg.util", "3"),  # `from pkg import util`: the module, imported by a, b and c
        ("pkg.util", "3"),  # `import pkg.util` (d.py itself is not counted)
    ]


def test_unresolved_relative_import_is_unknown(tmp_path: Path) -> None:
    assert keyword_counts(tmp_path, "tools/e.py") == {"json": "1", ".missing.thing": "—"}


def test_module_counts_match_an_ast_walk(tmp_path: Path) -> None:
    importers: dict[str, set[str]] = {}
    for rel, text in FIXTURE.items():
        for node in ast.walk(ast.parse(text)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                for i in range(len(parts)):
                    importers.setdefault(".".join(parts[: i + 1]), set()).add(rel)
    for path in ("pkg/a.py", "pkg/b.py", "tools/e.py"):
        counts = keyword_counts(tmp_path, path)
        for name in ("os", "json"):
            if name in counts:
                assert counts[name] == str(len(importers[name] - {path}))


def test_an_export_after_an_edit_updates_the_counts_of_other_pages(tmp_path: Path) -> None:
    from repodoc_ls.docs.export import check, export

    keyword_rows(tmp_path, "pkg/a.py")  # writes the fixture
    root = tmp_path / "ws"
    settings = {"cache_dir": str(tmp_path / "cache")}
    export(Index.build(load_settings(root, settings)))
    (root / "pkg/a.py").write_text(FIXTURE["pkg/a.py"] + "import json\n")  # json: 1 -> 2 on e.py
    (root / "pkg/b.py").write_text("from pkg.util import other\n")  # os: 3 -> 2 on a.py
    index = Index.build(load_settings(root, settings))
    result = export(index)
    assert {"tools/e.py_kw.md", "pkg/d.py_kw.md"} <= set(result.written_pages)
    assert "pkg/c.py_kw.md" not in result.written_pages  # `import os.path`: still 1 (d.py)
    assert check(index).ok
    output = root / "docs" / "repodoc"
    assert "| `json` | " in (output / "tools/e.py_kw.md").read_text()
    assert "| 2 |" in next(
        line for line in (output / "pkg/d.py_kw.md").read_text().splitlines() if line.startswith("| `json`")
    )
