"""Note precision per kind on requests, attrs and rich, checked by an independent oracle.

Usage: python bench/notes.py [--code PATH] [--work DIR]

`--code` is the repodoc checkout whose notes are measured (default: this one): run it once
on the main branch and once here to get before and after. The three sdists (pinned below)
are fetched with `pip download --no-deps --no-binary :all:` into `--work` (default
`$TMPDIR/repodoc-bench/notes`) and unpacked there.

The notes measured are the ones the pages show: each Python file's `_docs.md` is rendered
(in a subprocess importing `--code`) and its Notes table read back, so the same script
measures any version. Each note is then judged by this file's own checks, which share no
code with repodoc:

- calls (network, file I/O, commands, shell, eval/exec, pickle/marshal loads): some call
  on the note's line has a callee that resolves, through the file's imports (a resolver
  written here), to an API of that kind, and the API's root module is not one of the
  project's own top-level modules (`requests` inside requests is not the library); a
  builtin counts only when no `def`, assignment or parameter in the file rebinds it. A
  method call on a receiver of unknown type (`p.write_text()`) is settled by jedi's
  `infer` (pathlib or not); if jedi cannot tell, the note is not confirmed;
- threads/processes/asyncio: the line imports threading, multiprocessing,
  concurrent.futures or asyncio;
- caching decorator: a decorator on the line resolves to functools' lru_cache, cache or
  cached_property;
- TODO/FIXME: a comment token on the line (tokenize) holds TODO, FIXME or XXX;
- deprecation: a `warnings.warn` with a deprecation category or a `deprecated` decorator
  on the line, or a `.. deprecated::` directive in the docstring the note points into
  (or of the definition on the note's line) whose subject is the one the note names: a
  parameter when the directive's first sentence names a parameter (emphasised, or after
  "argument"/"parameter"), else the definition (or a behaviour of it).

Precision = confirmed notes / notes shown. Goal (issue 12): >= 0.95 per kind.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import tokenize
from collections import defaultdict
from pathlib import Path

PROJECTS = {"requests": "2.34.2", "attrs": "26.1.0", "rich": "15.0.0"}
HERE = Path(__file__).resolve().parents[1]

NOTE_ROW = re.compile(r"^\| (?:\[(\d+)\]\([^)]*\)|file) \| ([^|]+?) \| (?:`(.*)`)? ?\|$")

_PATH_METHODS = {
    "open",
    "read_text",
    "write_text",
    "read_bytes",
    "write_bytes",
    "unlink",
    "rmdir",
    "mkdir",
    "rename",
    "replace",
    "touch",
    "symlink_to",
    "hardlink_to",
    "chmod",
}
ORACLE: dict[str, set[str]] = {
    "network": {
        "socket.socket",
        "socket.create_connection",
        "socket.create_server",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.fromfd",
        "ssl.wrap_socket",
        "urllib.request.urlopen",
        "urllib.request.urlretrieve",
        "urllib.request.build_opener",
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "http.server.HTTPServer",
        "http.server.ThreadingHTTPServer",
        "ftplib.FTP",
        "smtplib.SMTP",
        "asyncio.open_connection",
        "asyncio.start_server",
        "xmlrpc.client.ServerProxy",
        *(f"requests.{v}" for v in ("get", "post", "put", "patch", "delete", "head", "options", "request")),
        "requests.Session",
        "requests.session",
        "httpx.get",
        "httpx.post",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
        "urllib3.ProxyManager",
        "urllib3.HTTPConnectionPool",
        "urllib3.HTTPSConnectionPool",
        "urllib3.connection_from_url",
        "urllib3.proxy_from_url",
        "urllib3.poolmanager.PoolManager",
        "urllib3.poolmanager.ProxyManager",
        "urllib3.poolmanager.proxy_from_url",
        "urllib3.connectionpool.HTTPConnectionPool",
        "urllib3.connectionpool.HTTPSConnectionPool",
        "urllib3.connectionpool.connection_from_url",
        "urllib3.contrib.socks.SOCKSProxyManager",
        "urllib3.request",
        "websockets.connect",
    },
    "file": {
        "builtins.open",
        "io.open",
        "io.open_code",
        "gzip.open",
        "bz2.open",
        "lzma.open",
        "tarfile.open",
        "codecs.open",
        *(
            f"os.{n}"
            for n in (
                "open fdopen remove unlink rename renames replace rmdir removedirs makedirs mkdir "
                "truncate symlink link chmod chown mkfifo"
            ).split()
        ),
        *(
            f"shutil.{n}"
            for n in (
                "copy copy2 copyfile copyfileobj copymode copystat copytree move rmtree "
                "make_archive unpack_archive chown"
            ).split()
        ),
        *(f"pathlib.Path.{m}" for m in _PATH_METHODS),
    },
    "command": {
        *(f"subprocess.{n}" for n in ("run", "call", "check_call", "check_output", "Popen")),
        *(f"os.exec{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
        *(f"os.spawn{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
        "os.posix_spawn",
        "os.posix_spawnp",
        "os.startfile",
        "asyncio.create_subprocess_exec",
        "pty.spawn",
    },
    "shell": {
        "os.system",
        "os.popen",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "asyncio.create_subprocess_shell",
    },
    "eval": {"builtins.eval", "builtins.exec"},
    "deserialize": {
        f"{m}.{n}"
        for m in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle", "marshal")
        for n in ("load", "loads", "Unpickler")
    }
    | {"yaml.load", "yaml.load_all", "yaml.unsafe_load", "yaml.unsafe_load_all"},
}
KIND_NAMES = {
    "network I/O": "network",
    "file I/O": "file",
    "runs a command": "command",
    "runs a command through a shell": "shell",
    "subprocess with shell=True": "shell",
    "eval/exec": "eval",
    "pickle/marshal load": "deserialize",
}


# -- fetching -------------------------------------------------------------------------------


def fetch(work: Path) -> dict[str, Path]:
    work.mkdir(parents=True, exist_ok=True)
    roots = {}
    for name, version in PROJECTS.items():
        root = work / f"{name}-{version}"
        if not root.is_dir():
            archive = work / f"{name}-{version}.tar.gz"
            if not archive.exists():
                subprocess.run(
                    [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
                    + [f"{name}=={version}", "-d", str(work)],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            with tarfile.open(archive) as tar:
                tar.extractall(work, filter="data")
        roots[name] = root
    return roots


# -- the notes repodoc shows (run in a child importing --code) ------------------------------


def child(root: str, cache: str) -> None:
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.render import Renderer
    from repodoc_ls.index.indexer import Index

    index = Index.build(load_settings(Path(root), {"cache_dir": cache}))
    renderer = Renderer(index)
    out = []
    for path in index.paths():
        if not path.endswith(".py"):
            continue
        text = renderer.render_page(path, "docs")
        if "\n## Notes" not in text:
            continue
        section = text.split("\n## Notes", 1)[1].split("\n## ", 1)[0]
        for line in section.splitlines():
            m = NOTE_ROW.match(line)
            if m:
                detail = (m.group(3) or "").replace("\\|", "|")
                out.append((path, int(m.group(1) or 0), m.group(2).strip(), detail))
    json.dump(out, sys.stdout)


def shown_notes(code: Path, root: Path) -> list[tuple[str, int, str, str]]:
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, PYTHONPATH=str(code))
        res = subprocess.run(
            [sys.executable, __file__, "--child", str(root), cache],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=str(code),
        )
    return [tuple(n) for n in json.loads(res.stdout)]  # type: ignore[misc]


# -- the oracle -------------------------------------------------------------------------------


def project_modules(root: Path) -> set[str]:
    """Top-level module names the project itself provides."""
    names = set()
    for p in root.rglob("*.py"):
        rel = p.relative_to(root).parts
        names.add(rel[0].removesuffix(".py"))
        if rel[0] == "src" and len(rel) > 1:
            names.add(rel[1].removesuffix(".py"))
    return names


class FileOracle:
    def __init__(self, root: Path, rel: str, own: set[str]) -> None:
        self.root, self.rel, self.own = root, rel, own
        self.source = (root / rel).read_text(encoding="utf-8", errors="replace")
        self.tree = ast.parse(self.source)
        self.imports: dict[str, str] = {}
        self.rebound: set[str] = set()
        methods = {
            id(st)
            for node in ast.walk(self.tree)
            if isinstance(node, ast.ClassDef)
            for st in node.body
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.imports[a.asname] = a.name
                    else:
                        self.imports[a.name.split(".")[0]] = a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                for a in node.names:
                    self.imports[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                if id(node) not in methods:  # a method does not rebind a bare name
                    self.rebound.add(node.name)
            elif isinstance(node, ast.arg):
                self.rebound.add(node.arg)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.rebound.add(node.id)
        self._jedi = None

    def qualify(self, node: ast.expr) -> str | None:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.reverse()
        if node.id in self.imports:
            return ".".join([self.imports[node.id], *parts])
        if not parts and node.id in ("open", "eval", "exec") and node.id not in self.rebound:
            return f"builtins.{node.id}"
        return None

    def outside(self, name: str) -> bool:
        return name.split(".")[0] not in self.own

    def calls_on(self, line: int) -> list[ast.Call]:
        return [n for n in ast.walk(self.tree) if isinstance(n, ast.Call) and n.lineno == line]

    def jedi_is_pathlib(self, call: ast.Call) -> bool:
        import jedi

        if self._jedi is None:
            self._jedi = jedi.Script(
                self.source, path=str(self.root / self.rel), project=jedi.Project(self.root)
            )
        f = call.func
        assert isinstance(f, ast.Attribute)
        line = self.source.splitlines()[f.end_lineno - 1]
        col = len(line.encode()[: f.end_col_offset].decode("utf-8", "replace")) - 1
        try:
            found = self._jedi.infer(f.end_lineno, col)
        except Exception:
            return False
        return any((d.full_name or "").startswith("pathlib.") for d in found)

    def call_kind_ok(self, line: int, kind: str) -> bool:
        for call in self.calls_on(line):
            name = self.qualify(call.func)
            if name is not None and self.outside(name):
                if kind == "shell":
                    if name in ORACLE["shell"]:
                        return True
                    shell = any(
                        k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
                        for k in call.keywords
                    )
                    if shell and name in ORACLE["command"]:
                        return True
                    continue
                if name in ORACLE[kind]:
                    return True
            if (
                kind == "file"
                and isinstance(call.func, ast.Attribute)
                and call.func.attr in _PATH_METHODS
                and self.jedi_is_pathlib(call)
            ):
                return True
        return False

    def concurrency_ok(self, line: int) -> bool:
        mods = ("threading", "multiprocessing", "concurrent.futures", "asyncio")
        for node in ast.walk(self.tree):
            if getattr(node, "lineno", None) != line:
                continue
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n == m or n.startswith(m + ".") for n in names for m in mods):
                return True
        return False

    def cache_ok(self, line: int) -> bool:
        wanted = {"functools.lru_cache", "functools.cache", "functools.cached_property"}
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for d in node.decorator_list:
                    target = d.func if isinstance(d, ast.Call) else d
                    if d.lineno == line and self.qualify(target) in wanted:
                        return True
        return False

    def todo_ok(self, line: int) -> bool:
        try:
            for tok in tokenize.generate_tokens(io.StringIO(self.source).readline):
                if tok.type == tokenize.COMMENT and tok.start[0] == line:
                    return bool(re.search(r"\b(TODO|FIXME|XXX)\b", tok.string))
        except (tokenize.TokenError, SyntaxError):
            return False
        return False

    def deprecation_ok(self, line: int, detail: str) -> bool:
        for call in self.calls_on(line):
            name = self.qualify(call.func) or ""
            if name.endswith("warnings.warn") or name == "warnings.warn":
                cats = [a for a in call.args[1:2]] + [k.value for k in call.keywords if k.arg == "category"]
                if any(
                    (ast.unparse(c).split(".")[-1])
                    in ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")
                    for c in cats
                ):
                    return True
        for node in ast.walk(self.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                for d in node.decorator_list:
                    if d.lineno == line and "deprecated" in ast.unparse(d).split("(")[0]:
                        return True
        owner, directives = self.directives_at(line)
        if owner is None:
            return False
        params = self.params_of(owner)
        claims = re.match(r"parameter (\w+) of ", detail)
        for text in directives:
            named = self.named_param(text, params)
            if claims:
                if named == claims.group(1):
                    return True
            elif named is None:
                return True
        return False

    def directives_at(self, line: int) -> tuple[ast.AST | None, list[str]]:
        """The definition whose docstring holds `line` (or whose `def` is on it) and the
        texts of its deprecated directives (only the one on `line` when there is one)."""
        for node in ast.walk(self.tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
                continue
            doc = ast.get_docstring(node, clean=False)
            if not doc or "deprecated::" not in doc:
                continue
            expr = node.body[0]
            on_def = not isinstance(node, ast.Module) and node.lineno == line
            if not (on_def or expr.lineno <= line <= (expr.end_lineno or 0)):
                continue
            chunks = re.split(r"\n(?=\s*\.\.\s+\w)", doc)
            texts, offset = [], expr.lineno
            for chunk in chunks:
                m = re.match(r"\s*\.\.\s+deprecated::\s*\S*\s*(.*)", chunk, re.S)
                if m:
                    start = offset + len(chunk) - len(chunk.lstrip("\n"))
                    if on_def or start <= line <= offset + chunk.count("\n"):
                        texts.append(" ".join(m.group(1).split()))
                offset += chunk.count("\n") + 1
            return node, texts
        return None, []

    @staticmethod
    def params_of(node: ast.AST) -> set[str]:
        if isinstance(node, ast.ClassDef):
            for st in node.body:
                if isinstance(st, ast.FunctionDef) and st.name == "__init__":
                    node = st
                    break
            else:
                return set()
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return set()
        return {a.arg for a in ast.walk(node.args) if isinstance(a, ast.arg)}

    @staticmethod
    def named_param(text: str, params: set[str]) -> str | None:
        first = text.split(". ")[0]
        for m in re.finditer(r"[*`]+(\w+)[*`]+", first):
            name = m.group(1)
            before = first[: m.start()].lower()
            if name in params or before.endswith(("argument ", "parameter ")) or m.start() == 0:
                if m.start() == 0 and name not in params and not m.group(0).startswith("*"):
                    return None  # a literal naming something else: a behaviour
                return name
        return None

    def judge(self, line: int, kind: str, detail: str) -> bool:
        if kind in KIND_NAMES:
            return self.call_kind_ok(line, KIND_NAMES[kind])
        if kind == "threads/processes/asyncio":
            return self.concurrency_ok(line)
        if kind == "caching decorator":
            return self.cache_ok(line)
        if kind == "TODO/FIXME":
            return self.todo_ok(line)
        if kind == "deprecation":
            return self.deprecation_ok(line, detail)
        return True  # syntax error, encoding and the like: not heuristic notes


#: Path methods whose calls the recall count asks jedi about (not `open`, `replace` or
#: `rename`, which strings and files have too: jedi on each would take long)
_RECALL_PATH_METHODS = _PATH_METHODS - {"open", "replace", "rename"}


def expected_calls(oracle: FileOracle) -> set[tuple[int, str]]:
    """(line, kind) of every call the oracle resolves to an outside API of a call kind."""
    found = set()
    for call in (n for n in ast.walk(oracle.tree) if isinstance(n, ast.Call)):
        name = oracle.qualify(call.func)
        if name is not None and oracle.outside(name):
            for kind, apis in ORACLE.items():
                if name in apis:
                    shell = any(
                        k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
                        for k in call.keywords
                    )
                    found.add((call.lineno, "shell" if kind == "command" and shell else kind))
        elif (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in _RECALL_PATH_METHODS
            and oracle.jedi_is_pathlib(call)
        ):
            found.add((call.lineno, "file"))
    return found


def measure(
    code: Path, roots: dict[str, Path]
) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wrong_examples: dict[str, list[str]] = defaultdict(list)
    for name, root in roots.items():
        own = project_modules(root)
        oracles: dict[str, FileOracle] = {}
        shown = shown_notes(code, root)
        noted = {(path, line, KIND_NAMES.get(kind)) for path, line, kind, _ in shown}
        for py in sorted(root.rglob("*.py")):
            rel = py.relative_to(root).as_posix()
            try:
                oracle = oracles.get(rel) or oracles.setdefault(rel, FileOracle(root, rel, own))
            except SyntaxError:
                continue
            for line, kind in expected_calls(oracle):
                recall[kind][0] += (rel, line, kind) in noted
                recall[kind][1] += 1
        for path, line, kind, detail in shown:
            if kind not in KIND_NAMES and kind not in (
                "threads/processes/asyncio",
                "caching decorator",
                "TODO/FIXME",
                "deprecation",
            ):
                continue
            oracle = oracles.get(path) or oracles.setdefault(path, FileOracle(root, path, own))
            ok = oracle.judge(line, kind, detail)
            totals[kind][0] += ok
            totals[kind][1] += 1
            if not ok and len(wrong_examples[kind]) < 3:
                wrong_examples[kind].append(f"{name}:{path}:{line} {detail[:90]}")
    for kind, examples in sorted(wrong_examples.items()):
        for e in examples:
            print(f"  unconfirmed {kind}: {e}", file=sys.stderr)
    return {k: (v[0], v[1]) for k, v in totals.items()}, {k: (v[0], v[1]) for k, v in recall.items()}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--code", type=Path, default=HERE)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "repodoc-bench" / "notes")
    args = ap.parse_args()
    roots = fetch(args.work)
    totals, recall = measure(args.code.resolve(), roots)
    print(f"code: {args.code}")
    print(f"{'note kind':34} {'shown':>6} {'confirmed':>10} {'precision':>10}")
    for kind, (ok, n) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
        print(f"{kind:34} {n:6} {ok:10} {ok / n:10.2f}")
    print(f"{'all':34} {sum(n for _, n in totals.values()):6} {sum(ok for ok, _ in totals.values()):10}")
    print("\nrecall: calls the oracle resolves to an outside API of the kind, noted with it")
    print(f"{'kind':34} {'calls':>6} {'noted':>10} {'recall':>10}")
    for kind, (ok, n) in sorted(recall.items(), key=lambda kv: -kv[1][1]):
        print(f"{kind:34} {n:6} {ok:10} {ok / n:10.2f}")


if __name__ == "__main__":
    main()
