"""Notes on calls, resolved through the file's own imports, not guessed from spelling.

A call gets a note only when its callee resolves to a known outside API: `sp.run(...)`
after `import subprocess as sp` is `subprocess.run`, `write_text` is file I/O only on a
receiver known to be a `pathlib.Path` (built by `Path(...)`, or a name annotated or
assigned so in the same function), `open(...)` is `builtins.open` unless the file binds
`open` itself. Extraction sees one file, so it cannot tell whether `requests` is the
real library or a package of the workspace: each note carries its resolved target, and
the graph drops the notes whose root module is one of the workspace's (`index/notes.py`).

The walker hands over candidates (calls whose last callee name is in `LEAVES`); `notes_for`
resolves them once the whole file, and so every import, has been seen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from repodoc_ls.model import Import, Note, NoteKind

from . import pynotes as P

_OS_EXEC = ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe")
_OS_SPAWN = ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe")
_PATH_IO = (
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
)
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")


def _names(module: str, names: Iterable[str]) -> dict[str, str]:
    return {f"{module}.{n}": n for n in names}


#: The outside APIs a note is about, by fully qualified name.
APIS: dict[str, str] = {}
for _kind, _table in (
    (
        NoteKind.FILE_IO,
        {
            "builtins.open": "",
            **_names("io", ("open", "open_code", "FileIO")),
            **_names(
                "os",
                (
                    "open",
                    "fdopen",
                    "remove",
                    "unlink",
                    "rename",
                    "renames",
                    "replace",
                    "rmdir",
                    "removedirs",
                    "makedirs",
                    "mkdir",
                    "truncate",
                    "symlink",
                    "link",
                    "chmod",
                    "chown",
                    "mkfifo",
                ),
            ),
            **_names(
                "shutil",
                (
                    "copy",
                    "copy2",
                    "copyfile",
                    "copyfileobj",
                    "copymode",
                    "copystat",
                    "copytree",
                    "move",
                    "rmtree",
                    "make_archive",
                    "unpack_archive",
                    "chown",
                ),
            ),
            **_names("pathlib.Path", _PATH_IO),
            **{f"{m}.open": "" for m in ("gzip", "bz2", "lzma", "tarfile", "codecs")},
        },
    ),
    (
        NoteKind.NETWORK,
        {
            **_names(
                "socket",
                ("socket", "create_connection", "create_server", "getaddrinfo", "gethostbyname", "fromfd"),
            ),
            "ssl.wrap_socket": "",
            **_names("urllib.request", ("urlopen", "urlretrieve", "build_opener")),
            **_names("http.client", ("HTTPConnection", "HTTPSConnection")),
            **_names("http.server", ("HTTPServer", "ThreadingHTTPServer")),
            **_names("socketserver", ("TCPServer", "UDPServer", "ThreadingTCPServer", "ThreadingUDPServer")),
            **_names("ftplib", ("FTP", "FTP_TLS")),
            **_names("smtplib", ("SMTP", "SMTP_SSL", "LMTP")),
            **_names("poplib", ("POP3", "POP3_SSL")),
            **_names("imaplib", ("IMAP4", "IMAP4_SSL")),
            "xmlrpc.client.ServerProxy": "",
            **_names("asyncio", ("open_connection", "start_server", "open_unix_connection")),
            **_names("requests", (*_HTTP_VERBS, "Session", "session")),
            **_names("requests.api", _HTTP_VERBS),
            "requests.sessions.Session": "",
            **_names("httpx", (*_HTTP_VERBS, "stream", "Client", "AsyncClient")),
            **_names("aiohttp", ("ClientSession", "request")),
            **_names(
                "urllib3",
                ("PoolManager", "ProxyManager", "HTTPConnectionPool", "HTTPSConnectionPool", "request"),
            ),
            "urllib3.connection_from_url": "",
            "urllib3.proxy_from_url": "",
            **_names("urllib3.poolmanager", ("PoolManager", "ProxyManager", "proxy_from_url")),
            **_names(
                "urllib3.connectionpool", ("HTTPConnectionPool", "HTTPSConnectionPool", "connection_from_url")
            ),
            "urllib3.contrib.socks.SOCKSProxyManager": "",
            **_names("websockets", ("connect", "serve")),
        },
    ),
    (
        NoteKind.COMMAND,
        {
            **_names("os", (*_OS_EXEC, *_OS_SPAWN, "posix_spawn", "posix_spawnp", "startfile")),
            **_names("subprocess", ("run", "call", "check_call", "check_output", "Popen")),
            "asyncio.create_subprocess_exec": "",
            "pty.spawn": "",
        },
    ),
    (
        NoteKind.SHELL,  # these always go through a shell
        {
            **_names("os", ("system", "popen")),
            **_names("subprocess", ("getoutput", "getstatusoutput")),
            "asyncio.create_subprocess_shell": "",
        },
    ),
    (NoteKind.EVAL, {"builtins.eval": "", "builtins.exec": ""}),
    (
        NoteKind.DESERIALIZE,
        {
            f"{m}.{n}": ""
            for m in ("pickle", "_pickle", "cPickle", "dill", "cloudpickle", "marshal")
            for n in ("load", "loads", "Unpickler")
            if not (m == "marshal" and n == "Unpickler")
        }
        | {"yaml.load": "", "yaml.load_all": "", "yaml.unsafe_load": "", "yaml.unsafe_load_all": ""},
    ),
):
    for _api in _table:
        APIS[_api] = _kind

#: The last name of every API's callee: the walker's cheap filter.
LEAVES = frozenset(api.rpartition(".")[2] for api in APIS)
#: Classes whose instances have the `_PATH_IO` methods.
PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath"})
#: Builtins a bare name resolves to when the file does not bind it.
BUILTINS = frozenset({"open", "eval", "exec"})
_SAFE_YAML = ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")

# A candidate: the call, and the function it sits in (None at module or class level).
Candidate = tuple[ast.Call, "ast.FunctionDef | ast.AsyncFunctionDef | None"]


def bindings(imports: list[Import]) -> dict[str, str]:
    """Local name -> the absolute dotted name an absolute import binds it to."""
    out: dict[str, str] = {}
    for imp in imports:
        if imp.level:
            continue  # a relative import names the workspace's own code
        if imp.name is None:
            if imp.alias:
                out[imp.alias] = imp.module
            else:
                root = imp.module.partition(".")[0]
                out[root] = root
        elif imp.name != "*":
            out[imp.alias or imp.name] = f"{imp.module}.{imp.name}"
    return out


class _Resolver:
    def __init__(self, imports: list[Import], bound_here: set[str]) -> None:
        self.names = bindings(imports)
        self.bound_here = bound_here  # names the file assigns or defines (shadowing builtins)
        self._path_names: dict[int, set[str]] = {}
        # No name bound to pathlib or one of its path classes: nothing is known to be a
        # path, so `x.replace(...)` need not walk its function for paths (that walk cost
        # as much as the rest of the notes).
        self.paths = any(t == "pathlib" or t in PATH_CLASSES for t in self.names.values())

    def dotted(self, node: ast.expr) -> str | None:
        text = P.dotted(node)
        if text is None:
            return None
        root, _, rest = text.partition(".")
        target = self.names.get(root)
        if target is None:
            if not rest and root in BUILTINS and root not in self.bound_here:
                return f"builtins.{root}"
            return None
        return f"{target}.{rest}" if rest else target

    def callee(self, call: ast.Call, func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> str | None:
        f = call.func
        if type(f) is ast.Attribute and f.attr in _PATH_IO and self.paths and self.is_path(f.value, func):
            return f"pathlib.Path.{f.attr}"
        return self.dotted(f)

    def is_path(self, node: ast.expr, func: ast.FunctionDef | ast.AsyncFunctionDef | None) -> bool:
        """Whether `node` is known to be a pathlib.Path: `Path(...)`, `path / "x"` on one,
        or a name the enclosing function annotates or assigns as one."""
        if type(node) is ast.Call:
            return self.dotted(node.func) in PATH_CLASSES
        if type(node) is ast.BinOp and type(node.op) is ast.Div:
            return self.is_path(node.left, func)
        if type(node) is ast.Name and func is not None:
            return node.id in self.path_names(func)
        return False

    def path_names(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
        found = self._path_names.get(id(func))
        if found is None:
            found = set()
            self._path_names[id(func)] = found  # a cycle (`p = p / "x"`) stops here
            a = func.args
            for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs):
                if arg.annotation is not None and self.is_path_type(arg.annotation):
                    found.add(arg.arg)
            for node in _statements(func.body):
                if type(node) is ast.AnnAssign and type(node.target) is ast.Name:
                    if self.is_path_type(node.annotation):
                        found.add(node.target.id)
                elif (
                    type(node) is ast.Assign and len(node.targets) == 1 and type(node.targets[0]) is ast.Name
                ):
                    if self.is_path(node.value, None):
                        found.add(node.targets[0].id)
        return found

    def is_path_type(self, annotation: ast.expr) -> bool:
        if type(annotation) is ast.Constant and type(annotation.value) is str:
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return False
        return self.dotted(annotation) in PATH_CLASSES


#: The fields of a statement that hold statements, and those of its parts (`except`, `case`)
#: that do: an expression never holds a statement.
_BLOCKS = ("body", "orelse", "finalbody")
_PARTS = ("handlers", "cases")


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement in `body`, nested ones included: what `ast.walk` would find of them
    without visiting every expression node on the way."""
    stack = list(body)
    while stack:
        st = stack.pop()
        yield st
        for block in _BLOCKS:
            stack.extend(getattr(st, block, ()))
        for field in _PARTS:
            for part in getattr(st, field, ()):
                stack.extend(part.body)


def notes_for(
    candidates: list[Candidate], imports: list[Import], bound_here: set[str], lines: list[str]
) -> list[Note]:
    """The notes of the candidate calls whose callee resolves to one of `APIS`."""
    if not candidates:
        return []
    resolver = _Resolver(imports, bound_here)
    notes = []
    for call, func in candidates:
        target = resolver.callee(call, func)
        kind = APIS.get(target) if target else None
        if kind is None or target is None:
            continue
        if kind == NoteKind.COMMAND and _shell_true(call):
            kind = NoteKind.SHELL
        elif kind == NoteKind.DESERIALIZE and target.startswith("yaml.load") and _safe_yaml(call):
            continue
        notes.append(Note(kind, call.lineno, P.snippet(lines, call), target))
    return notes


def _shell_true(call: ast.Call) -> bool:
    return any(
        k.arg == "shell" and type(k.value) is ast.Constant and k.value.value is True for k in call.keywords
    )


def _safe_yaml(call: ast.Call) -> bool:
    rest = call.args[1:] + [k.value for k in call.keywords if k.arg in (None, "Loader")]
    return any(any(name in P.unparse(a) for name in _SAFE_YAML) for a in rest)
