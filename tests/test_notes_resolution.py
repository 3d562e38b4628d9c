"""Notes rest on resolution, not spelling: a call is noted only when its callee resolves,
through the file's imports, to a real outside API, and never when that API's root module is
the workspace's own. Expectations are written by hand from each fixture's source."""

from __future__ import annotations

import re
from pathlib import Path

from repodoc_ls.config import load_settings
from repodoc_ls.docs.render import Renderer
from repodoc_ls.extract.python import extract_python
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import NoteKind

NOTE_ROW = re.compile(r"^\| \[(\d+)\]\([^)]*\) \| ([^|]+) \| `(.*)` \|$")


def notes(code: str) -> list[tuple[int, str, str]]:
    facts = extract_python("m.py", code.encode())
    return [(n.line, n.kind, n.target) for n in facts.notes if n.kind != NoteKind.CONCURRENCY]


def page_notes(tmp_path: Path, files: dict[str, str], path: str) -> tuple[list[tuple[int, str]], str]:
    root = tmp_path / "ws"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    index = Index.build(load_settings(root, {"cache_dir": str(tmp_path / "cache")}))
    text = Renderer(index).render_page(path, "docs")
    section = text.split("## Notes", 1)[1].split("\n## ", 1)[0] if "## Notes" in text else ""
    rows = [(int(m.group(1)), m.group(2).strip()) for m in map(NOTE_ROW.match, section.splitlines()) if m]
    return rows, section


def test_every_process_spawning_api_runs_a_command_and_a_shell_is_the_severe_form():
    code = (
        "import os, subprocess as sp, asyncio, pty\n"  # 1
        "from subprocess import Popen, check_output\n"  # 2
        "os.system('ls')\n"  # 3
        "os.popen('ls')\n"  # 4
        "os.execvp('ls', ['ls'])\n"  # 5
        "os.spawnl(os.P_WAIT, '/bin/ls', 'ls')\n"  # 6
        "sp.run(['ls'])\n"  # 7
        "sp.run('ls', shell=True)\n"  # 8
        "Popen(['ls'])\n"  # 9
        "check_output('ls', shell=True)\n"  # 10
        "asyncio.create_subprocess_exec('ls')\n"  # 11
        "asyncio.create_subprocess_shell('ls')\n"  # 12
        "pty.spawn('sh')\n"  # 13
        "runner.run('ls', shell=True)\n"  # 14: not a process API we can resolve
        "os.posix_spawn('/bin/ls', ['ls'], {})\n"  # 15
    )
    assert notes(code) == [
        (3, NoteKind.SHELL, "os.system"),
        (4, NoteKind.SHELL, "os.popen"),
        (5, NoteKind.COMMAND, "os.execvp"),
        (6, NoteKind.COMMAND, "os.spawnl"),
        (7, NoteKind.COMMAND, "subprocess.run"),
        (8, NoteKind.SHELL, "subprocess.run"),
        (9, NoteKind.COMMAND, "subprocess.Popen"),
        (10, NoteKind.SHELL, "subprocess.check_output"),
        (11, NoteKind.COMMAND, "asyncio.create_subprocess_exec"),
        (12, NoteKind.SHELL, "asyncio.create_subprocess_shell"),
        (13, NoteKind.COMMAND, "pty.spawn"),
        (15, NoteKind.COMMAND, "os.posix_spawn"),
    ]


def test_file_io_is_the_real_apis_and_paths_known_to_be_paths():
    code = (
        "import os, shutil, io\n"  # 1
        "from pathlib import Path\n"  # 2
        "os.remove(a); os.unlink(a); os.rename(a, b)\n"  # 3
        "os.replace(a, b); os.rmdir(d); os.removedirs(d)\n"  # 4
        "os.makedirs(d); os.mkdir(d); shutil.copytree(a, b); shutil.move(a, b)\n"  # 5
        "def f(p: Path, q: 'Path', thing):\n"  # 6
        "    p.write_text('x')\n"  # 7
        "    q.read_bytes()\n"  # 8
        "    thing.write_text('x')\n"  # 9: unknown receiver
        "    out = Path('a') / 'b'\n"  # 10
        "    out.unlink()\n"  # 11
        "    (p / 'c').mkdir()\n"  # 12
        "    self.console.write_text('x')\n"  # 13: unknown receiver
        "    return io.open(a)\n"  # 14
        "class Store:\n"  # 15
        "    def open(self):\n"  # 16
        "        return open('x')\n"  # 17: builtins.open, the method does not shadow it
        "os.listdir(d)\n"  # 18: reads no file
    )
    found = notes(code)
    assert all(kind == NoteKind.FILE_IO for _, kind, _ in found)
    assert [(line, target) for line, _, target in found] == [
        (3, "os.remove"),
        (3, "os.unlink"),
        (3, "os.rename"),
        (4, "os.replace"),
        (4, "os.rmdir"),
        (4, "os.removedirs"),
        (5, "os.makedirs"),
        (5, "os.mkdir"),
        (5, "shutil.copytree"),
        (5, "shutil.move"),
        (7, "pathlib.Path.write_text"),
        (8, "pathlib.Path.read_bytes"),
        (11, "pathlib.Path.unlink"),
        (12, "pathlib.Path.mkdir"),
        (14, "io.open"),
        (17, "builtins.open"),
    ]


def test_a_path_assigned_in_a_nested_block_is_a_path():
    code = (
        "from pathlib import Path\n"  # 1
        "def f(a):\n"  # 2
        "    try:\n"  # 3
        "        pass\n"  # 4
        "    except OSError:\n"  # 5
        "        with a:\n"  # 6
        "            if a:\n"  # 7
        "                out: Path = a\n"  # 8
        "            else:\n"  # 9
        "                back = Path(a)\n"  # 10
        "    out.unlink()\n"  # 11
        "    back.unlink()\n"  # 12
        "    a.unlink()\n"  # 13: unknown receiver
    )
    assert notes(code) == [
        (11, NoteKind.FILE_IO, "pathlib.Path.unlink"),
        (12, NoteKind.FILE_IO, "pathlib.Path.unlink"),
    ]


def test_a_rebound_builtin_is_not_the_builtin():
    assert notes("def open(x):\n    return x\nopen('f')\n") == []
    assert notes("def f(eval):\n    eval('1')\n") == []
    assert notes("from gzip import open\nopen('f')\n") == [(2, NoteKind.FILE_IO, "gzip.open")]
    assert notes("import pickle as pk\npk.loads(b)\nobj.loads(b)\n") == [
        (2, NoteKind.DESERIALIZE, "pickle.loads")
    ]


def test_a_builtin_rebound_on_any_line_is_not_the_builtin():
    # the rebinding is found on its own line, wherever that is, and not in a longer name
    code = "import sys\n\n\ndef f(x,\n      eval=None):\n    return eval(x)\n\nexec('1')\n"
    assert notes(code) == [(8, NoteKind.EVAL, "builtins.exec")]
    assert notes("x = 1\nopen = x\nopen('f')\n") == []
    assert notes("reopen = 1\nopen('f')\n") == [(2, NoteKind.FILE_IO, "builtins.open")]


def test_calls_into_a_workspace_package_named_like_a_library_are_not_noted(tmp_path):
    client = (
        "import requests\n"
        "from requests.structures import CaseInsensitiveDict\n"
        "from rich.console import Console\n"
        "requests.get('https://example.com')\n"
        "CaseInsensitiveDict()\n"
        "Console().write_text('x')\n"
    )
    outside, _ = page_notes(tmp_path / "a", {"client.py": client}, "client.py")
    assert outside == [(4, NoteKind.NETWORK)]
    own = {
        "client.py": client,
        "requests/__init__.py": "def get(url):\n    return url\n",
        "requests/structures.py": "class CaseInsensitiveDict(dict):\n    pass\n",
        "rich/console.py": "class Console:\n    def write_text(self, t):\n        return t\n",
    }
    rows, section = page_notes(tmp_path / "b", own, "client.py")
    assert rows == []
    assert "No findings" in section


def test_no_findings_versus_not_analysed(tmp_path):
    files = {
        "clean.py": "def f():\n    return 1\n",
        "broken.py": "def f(:\n",
        "README.md": "# Title\n",
        "todo.py": "x = 1  # TODO: more\n",
    }
    rows, section = page_notes(tmp_path, files, "clean.py")
    assert rows == [] and section.strip().startswith("No findings: scanned for")
    rows, section = page_notes(tmp_path, files, "broken.py")
    assert [kind for _, kind in rows] == [NoteKind.SYNTAX_ERROR] and "No findings" not in section
    assert page_notes(tmp_path, files, "README.md") == ([], "")
    rows, section = page_notes(tmp_path, files, "todo.py")
    assert rows == [(1, NoteKind.TODO)] and "No findings" not in section


def deprecations(code: str) -> list[tuple[int, str]]:
    facts = extract_python("m.py", code.encode())
    return [(n.line, n.detail) for n in facts.notes if n.kind == NoteKind.DEPRECATION]


def test_deprecation_is_on_the_thing_that_is_deprecated():
    code = '''def define(maybe_cls=None, *, hash=None, cmp=None, unsafe_hash=None):
    """Define a class.

    .. deprecated:: 24.1.0 *hash* is deprecated in favor of *unsafe_hash*.
    .. deprecated:: 19.2.0 *cmp* Removal on or after 2021-06-01.
    .. deprecated:: 17.4.0 *convert*
    .. deprecated:: 18.2.0
       ``__lt__`` and ``__gt__`` now raise a `DeprecationWarning`.
    """


def assoc(inst, **changes):
    """Copy *inst*.

    ..  deprecated:: 17.1.0
        Use `attrs.evolve` instead if you can.
    """


def evolve(*args, **changes):
    """Evolve.

    .. deprecated:: 23.1.0
       It is now deprecated to pass the instance using the keyword argument
       *inst*. Pass it positionally.
    """


def fetch(url, timeout=None):
    """Fetch.

    :param url: where.
    :param timeout: seconds.

        .. deprecated:: 2.0 pass a Timeout object.
    """


class Old:
    """Old thing.

    Args:
        size (int): how big.
            .. deprecated:: 3.1
               Ignored.

    .. deprecated:: 3.0
       Use New.
    """

    def __init__(self, size=0):
        pass
'''
    assert deprecations(code) == [
        (
            4,
            "parameter hash of define deprecated since 24.1.0: *hash* is deprecated in favor of *unsafe_hash*.",
        ),
        (5, "parameter cmp of define deprecated since 19.2.0: *cmp* Removal on or after 2021-06-01."),
        (6, "parameter convert of define deprecated since 17.4.0: *convert*"),
        (
            7,
            "a behaviour of define deprecated since 18.2.0: ``__lt__`` and ``__gt__`` now raise a "
            "`DeprecationWarning`.",
        ),
        (15, "assoc deprecated since 17.1.0: Use `attrs.evolve` instead if you can."),
        (
            23,
            "parameter inst of evolve deprecated since 23.1.0: It is now deprecated to pass the "
            "instance using the keyword argument *inst*. Pass it positionally.",
        ),
        (35, "parameter timeout of fetch deprecated since 2.0: pass a Timeout object."),
        (44, "parameter size of Old deprecated since 3.1: Ignored."),
        (47, "Old deprecated since 3.0: Use New."),
    ]


def test_an_export_after_a_package_named_like_the_library_appears(tmp_path):
    from repodoc_ls.docs.export import check, export

    root = tmp_path / "ws"
    root.mkdir()
    (root / "client.py").write_text("import requests\nrequests.get('u')\n")
    settings = {"cache_dir": str(tmp_path / "cache")}
    export(Index.build(load_settings(root, settings)))
    page = root / "docs" / "repodoc" / "client.py_docs.md"
    assert f"| {NoteKind.NETWORK} |" in page.read_text()
    (root / "requests").mkdir()
    (root / "requests" / "__init__.py").write_text("def get(url):\n    return url\n")
    index = Index.build(load_settings(root, settings))
    result = export(index)
    assert "client.py_docs.md" in result.written_pages
    assert f"| {NoteKind.NETWORK} |" not in page.read_text()
    assert check(index).ok


def test_a_deprecation_warning_names_the_parameter_its_if_tests_or_else_the_function():
    code = (
        "import warnings\n"
        "def make(size=None, hash=None):\n"
        "    if hash is not None:\n"
        "        warnings.warn('hash is deprecated', DeprecationWarning)\n"
        "    warnings.warn('make is deprecated', DeprecationWarning)\n"
        "class K:\n"
        "    def old(self):\n"
        "        if sys.version_info < (3, 9):\n"
        "            warnings.warn('old', category=FutureWarning)\n"
    )
    assert deprecations(code) == [
        (4, "parameter hash of make: warnings.warn('hash is deprecated', DeprecationWarning)"),
        (5, "make: warnings.warn('make is deprecated', DeprecationWarning)"),
        (9, "K.old: warnings.warn('old', category=FutureWarning)"),
    ]
