"""Hostile workspaces for the untrusted-repository tests, built at test time.

Each test puts a "victim" folder beside the workspace and compares a snapshot of it before
and after: nothing repodoc does on behalf of a repository may change a file outside the
workspace's output and cache folders.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path


def repodoc(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The command line, run as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "repodoc_ls", *args], cwd=cwd, capture_output=True, text=True, timeout=300
    )


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("repodoc: error:")]


def assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    errors = error_lines(result)
    assert len(errors) == 1, result.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


def make_victim(parent: Path) -> Path:
    """Files someone else owns, next to the workspace: a text file, a Markdown page, a
    SQLite database of another program, a `.gitignore`."""
    victim = parent / "victim"
    (victim / "docs").mkdir(parents=True)
    (victim / "keep.txt").write_text("not repodoc's\n")
    (victim / "docs" / "index.md").write_text("# someone else's page\n")
    (victim / ".gitignore").write_text("build/\n")
    with sqlite3.connect(victim / "index.sqlite3") as db:
        db.execute("CREATE TABLE mine (x)")
        db.execute("INSERT INTO mine VALUES (42)")
    db.close()
    return victim


def make_workspace(parent: Path, repodoc_section: str = "") -> Path:
    ws = parent / "ws"
    (ws / "pkg").mkdir(parents=True)
    (ws / "pyproject.toml").write_text('[project]\nname = "hostile"\n\n[tool.repodoc]\n' + repodoc_section)
    (ws / "pkg" / "__init__.py").write_text('"""A package."""\n')
    (ws / "pkg" / "mod.py").write_text(
        '"""A module."""\n\n\ndef greet(name: str) -> str:\n'
        '    """Say hello."""\n    return "hello " + name\n'
    )
    return ws


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under `folder`, links not followed -> what it is (a file's digest)."""
    out: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            st = path.lstat()
            rel = path.relative_to(folder).as_posix()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = "link -> " + os.readlink(path)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = "folder"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def payloads(marker: Path) -> dict[str, str]:
    """Template texts that create `marker` when they run unsandboxed (the classic escapes)."""
    touch = json.dumps(f"touch {marker}")
    argv = json.dumps(["touch", str(marker)])
    return {
        "cycler_globals": f"{{{{ cycler.__init__.__globals__.os.popen({touch}).read() }}}}\n",
        "joiner_globals": f"{{{{ joiner.__init__.__globals__.os.popen({touch}).read() }}}}\n",
        "namespace_globals": f"{{{{ namespace.__init__.__globals__.os.popen({touch}).read() }}}}\n",
        "lipsum_globals": f"{{{{ lipsum.__globals__['os'].popen({touch}).read() }}}}\n",
        "subclasses": (
            "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
            f"{{% if c.__name__ == 'Popen' %}}{{{{ c({argv}).wait() }}}}{{% endif %}}"
            "{% endfor %}\n"
        ),
        "template_reference": (
            "{{ self._TemplateReference__context.cycler.__init__.__globals__"
            f".os.popen({touch}).read() }}}}\n"
        ),
        "attr_filter": (
            "{% set g = cycler|attr('__init__')|attr('__globals__') %}"
            f"{{{{ (g['os']|attr('popen'))({touch}).read() }}}}\n"
        ),
    }
