"""The VS Code extension in vscode-client/: lint, typecheck, unit tests and a packaged .vsix
that holds the language server and its dependencies (bundled/libs), so that any Python 3.10+
with nothing installed runs it.

Runs npm in vscode-client/ (npm ci once per module); skips when npm is not installed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CLIENT = REPO / "vscode-client"
NPM = shutil.which("npm")

pytestmark = pytest.mark.skipif(
    NPM is None, reason="npm is not installed (Node.js 20+ is needed to build the VS Code extension)"
)

COMMAND_IDS = {
    "repodoc.showFileDoc",
    "repodoc.showKeywordIndex",
    "repodoc.showFolderDoc",
    "repodoc.searchKeywords",
    "repodoc.showCrossReferences",
    "repodoc.exportDocs",
    "repodoc.reindex",
}


def npm(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    # REPODOC_BUNDLE_PYTHON: the Python with pip that `npm run package` bundles the server with.
    env = dict(
        os.environ,
        CI="true",
        npm_config_update_notifier="false",
        npm_config_fund="false",
        REPODOC_BUNDLE_PYTHON=sys.executable,
    )
    proc = subprocess.run(
        [NPM, *args],
        cwd=CLIENT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        pytest.fail(
            f"npm {' '.join(args)} exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return proc


@pytest.fixture(scope="module")
def installed() -> Path:
    npm("ci", "--no-audit", "--no-fund", timeout=900)
    return CLIENT


def test_lint(installed):
    npm("run", "lint")


def test_typecheck(installed):
    npm("run", "typecheck")


def test_unit_tests(installed):
    out = npm("test").stdout
    assert "# fail 0" in out or "ℹ fail 0" in out, out[-3000:]


# What the bundled server imports (top-level names in bundled/libs), and the server's own files.
BUNDLED_PACKAGES = (
    "pygls",
    "lsprotocol",
    "cattrs",
    "attrs",
    "attr",
    "jedi",
    "parso",
    "jinja2",
    "markupsafe",
    "pathspec",
    "markdown_it",
    "mdurl",
    "tomli",
    "exceptiongroup",
    "repodoc_ls",
)
MAX_VSIX_BYTES = 12 * 1024 * 1024
LIBS = "extension/bundled/libs/"
ENTRY = Path("extension") / "bundled" / "tool" / "server.py"


@pytest.fixture(scope="module")
def vsix(installed) -> Path:
    path = CLIENT / "repodoc.vsix"
    path.unlink(missing_ok=True)
    npm("run", "package", timeout=900)
    assert path.is_file(), "npm run package made no repodoc.vsix"
    return path


@pytest.fixture(scope="module")
def unpacked(vsix, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("vsix")
    with zipfile.ZipFile(vsix) as zf:
        zf.extractall(folder)
    return folder


def bare_env() -> dict[str, str]:
    """This environment without what would make repodoc_ls importable from elsewhere."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV")
    }


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory) -> str:
    """A fresh venv with no pip and nothing installed."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, env=bare_env())
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    probe = subprocess.run([python, "-c", "import pygls"], env=bare_env(), capture_output=True, text=True)
    assert probe.returncode != 0, "the bare venv imports pygls"
    return python


def test_package_holds_the_bundle_and_the_commands(vsix):
    with zipfile.ZipFile(vsix) as zf:
        names = set(zf.namelist())
        manifest = json.loads(zf.read("extension/package.json"))
        bundle = zf.read("extension/dist/extension.js").decode("utf8")
    assert "extension/dist/extension.js" in names
    assert not any(n.startswith("extension/node_modules/") for n in names), (
        "node_modules leaked into the vsix"
    )
    assert not any(n.startswith(("extension/src/", "extension/scripts/", "extension/test/")) for n in names)
    contributed = {c["command"] for c in manifest["contributes"]["commands"]}
    assert COMMAND_IDS <= contributed, COMMAND_IDS - contributed
    assert manifest["main"] == "./dist/extension.js"
    properties = manifest["contributes"]["configuration"]["properties"]
    assert set(properties) >= {
        "repodoc.interpreter",
        "repodoc.importStrategy",
        "repodoc.outputDir",
        "repodoc.exclude",
        "repodoc.trace.server",
    }
    assert properties["repodoc.importStrategy"]["default"] == "useBundled"
    assert properties["repodoc.interpreter"]["type"] == "array"
    # the bundle starts the bundled script, never `-m repodoc_ls`, and needs no node_modules
    assert "bundled" in bundle and "server.py" in bundle
    assert "pip install repodoc-ls" not in bundle  # not on PyPI: a command that does not work
    assert 'require("vscode-languageclient' not in bundle


def test_vsix_holds_the_server_and_its_dependencies_pure_python(vsix):
    assert vsix.stat().st_size < MAX_VSIX_BYTES, f"the vsix grew to {vsix.stat().st_size} bytes"
    with zipfile.ZipFile(vsix) as zf:
        names = set(zf.namelist())
        bundled = {n[len(LIBS) :]: zf.read(n) for n in names if n.startswith(LIBS + "repodoc_ls/")}
    assert ENTRY.as_posix() in names
    top = {n[len(LIBS) :].split("/")[0] for n in names if n.startswith(LIBS)}
    missing = [p for p in BUNDLED_PACKAGES if p not in top]
    assert not missing, f"not bundled: {missing}"
    assert "typing_extensions.py" in top
    compiled = [n for n in names if n.endswith((".so", ".pyd", ".dylib", ".dll", ".pyc"))]
    assert not compiled, compiled[:10]
    assert not [n for n in names if "/__pycache__/" in n or n.startswith(LIBS + "bin/")]
    # the bundled server is this checkout's, templates included
    source = REPO / "repodoc_ls"
    expected = {
        p.relative_to(REPO).as_posix(): p.read_bytes()
        for p in source.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert any(n.endswith(".md.j2") for n in expected)
    assert {n: hashlib.sha256(b).hexdigest() for n, b in bundled.items()} == {
        n: hashlib.sha256(b).hexdigest() for n, b in expected.items()
    }


def test_a_bare_python_runs_the_bundled_entry(unpacked, bare_python):
    proc = subprocess.run(
        [bare_python, "-B", str(unpacked / ENTRY), "--version"],
        cwd=unpacked / "extension",
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    libs = (unpacked / "extension" / "bundled" / "libs" / "repodoc_ls").resolve()
    assert proc.stdout.startswith("repodoc 0.1.0 (bundled: "), proc.stdout
    assert str(libs) in proc.stdout


def _pythons() -> list[str]:
    """Interpreters to run the bundle with: this one, $REPODOC_TEST_PYTHONS, pyenv's."""
    found = [sys.executable, *filter(None, os.environ.get("REPODOC_TEST_PYTHONS", "").split(os.pathsep))]
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    found += sorted(str(p) for p in pyenv.glob("3.*/bin/python3"))
    return found


def _version(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d %d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            env=bare_env(),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.stdout.split()
    return (int(parts[0]), int(parts[1])) if out.returncode == 0 and len(parts) == 2 else None


def test_every_python_from_3_10_runs_the_bundle_and_older_ones_say_why(unpacked):
    """-I -S: no site-packages, no PYTHONPATH, no user site: only the standard library."""
    seen = {}
    for python in _pythons():
        version = _version(python)
        if version is None or version in seen:
            continue
        seen[version] = python
        proc = subprocess.run(
            [python, "-I", "-S", "-B", str(unpacked / ENTRY), "--version"],
            cwd=unpacked,
            env=bare_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if version >= (3, 10):
            assert proc.returncode == 0, f"{python} ({version}): {proc.stderr}"
            assert f"Python {version[0]}.{version[1]}." in proc.stdout, proc.stdout
        else:
            assert proc.returncode == 2, f"{python} ({version}): {proc.stdout} {proc.stderr}"
            assert "RepoDoc needs Python 3.10 or newer" in proc.stderr, proc.stderr
    assert any(v >= (3, 10) for v in seen), seen


SHADOW = "import pathlib\npathlib.Path({marker!r}).open('a').write(__name__ + '\\n')\n"


def _hostile_workspace(tmp: Path) -> tuple[Path, Path]:
    """A workspace whose root would shadow the server's modules, were it on sys.path."""
    ws = tmp / "ws"
    marker = tmp / "SHADOWED"
    files = {
        "pyproject.toml": '[project]\nname = "hostile"\n',
        "app.py": 'def greet(name):\n    """Say hello to someone."""\n    return "hi " + name\n\n\ngreet("x")\n',
        "json.py": SHADOW.format(marker=str(marker)),
        "repodoc_ls/__init__.py": SHADOW.format(marker=str(marker)),
        "repodoc_ls/__main__.py": SHADOW.format(marker=str(marker)),
    }
    for rel, text in files.items():
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(text, encoding="utf-8")
    return ws, marker


async def test_the_bundled_server_answers_from_a_bare_python_and_ignores_the_workspace(
    unpacked, bare_python, tmp_path
):
    """The server as the extension starts it (launch.ts: the script's path, the extension's
    folder as cwd) with a bare Python, in a workspace that would shadow repodoc_ls and json."""
    from server_helpers import hover, make_client, start

    ws, marker = _hostile_workspace(tmp_path)
    armed = subprocess.run(
        [bare_python, "-m", "repodoc_ls", "--version"],
        cwd=ws,
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert marker.is_file(), f"the trap is not armed: {armed.stderr}"  # `-m` in the workspace runs its code
    marker.unlink()

    extension = unpacked / "extension"
    env = dict(
        bare_env(), REPODOC_IMPORT_STRATEGY="useBundled", PYTHONSAFEPATH="1", PYTHONDONTWRITEBYTECODE="1"
    )
    client = make_client()
    await client.start_io(
        bare_python, str(extension / "bundled" / "tool" / "server.py"), "serve", cwd=str(extension), env=env
    )
    try:
        status = await start(client, ws)
        assert status["files"] >= 4
        result = await hover(client, ws, "app.py", 5, 1)
        text = result.contents.value if result else ""
        assert "Say hello to someone." in text, text
    finally:
        await client.shutdown_session()
    assert not marker.exists(), marker.read_text()


def test_from_environment_uses_the_installed_server_else_the_bundled_one(unpacked, bare_python):
    """repodoc.importStrategy = fromEnvironment: the interpreter's own repodoc_ls (this
    checkout, for the Python running the tests), or the bundled one with a note when it has none."""
    entry = str(unpacked / ENTRY)
    env = dict(os.environ, REPODOC_IMPORT_STRATEGY="fromEnvironment", PYTHONDONTWRITEBYTECODE="1")
    own = subprocess.run(
        [sys.executable, entry, "--version"],
        cwd=unpacked,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert own.returncode == 0, own.stderr
    import repodoc_ls

    assert f"(environment: {Path(repodoc_ls.__file__).resolve().parent};" in own.stdout, own.stdout

    bare = subprocess.run(
        [bare_python, entry, "--version"],
        cwd=unpacked,
        env=dict(bare_env(), REPODOC_IMPORT_STRATEGY="fromEnvironment", PYTHONDONTWRITEBYTECODE="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bare.returncode == 0, bare.stderr
    assert "(bundled: " in bare.stdout, bare.stdout
    assert "repodoc_ls is not installed for" in bare.stderr and "using the server bundled" in bare.stderr
