"""The jedi worker: a child process that runs every jedi call of the language server.

Why a process and not a thread: jedi is pure Python and allocates heavily. In the server's
process a jedi call past its budget kept the GIL busy (every index answer then waited up to
a switch interval per thread hop) and its garbage triggered full GC passes over the whole
index (100-200 ms pauses); either one made fast index hovers slow. Here jedi has its own
interpreter, its own core when there is one, and its own heap.

Protocol: one JSON object per line each way (stdin / stdout).
Requests: `{"id", "op": "help" | "goto", "root", "path", "source", "line", "col"}` (line
1-based, col in code points, as jedi takes them), answered `{"id", "result"}` or `{"id",
"error"}`; `{"op": "cancel", "id"}` drops a request not yet started; `{"op": "warm",
"root", "path", "source"}` prepares a document in the background; `{"op": "forget",
"path"}` drops its pending warm-up. Requests always run before warm-up work, which is done
in small steps so that a request waits for at most one step.

Warming a document parses it and infers its top-level names (imports first): jedi keeps
parsed modules (and typeshed stubs) in memory across scripts, so a later hover in the
document infers on trees already parsed instead of parsing every imported module first.
"""

from __future__ import annotations

import collections
import gc
import json
import os
import sys
import threading
import time

from repodoc_ls.safefs import DEFAULT_MAX_FILE_BYTES, FileTooLarge, NotRegularFile, read_regular

WARM_STEP_NAMES = 8  # top-level names inferred per warm-up step
WARM_MAX_SECONDS = 3.0  # a document's warm-up stops after this much work
IDLE_SECONDS = 0.5  # quiet time before garbage is collected
# A little below the server, not far below: at nice 2 the kernel weighs this process at
# about 2/3 of a normal one (655 against 1024), so on a shared core the server's index
# answers get the larger share, yet jedi keeps a fair one while a build or other work keeps
# every core busy. At nice 10 (110 against 1024) it starved behind normal-priority work:
# its start-up and answers took 20-30 s on a loaded 2-core machine, past every hover.
NICENESS = 2
MAX_UNCOLLECTED = 2_000_000  # container objects allocated since the last collection


class Inbox:
    """Messages from the server, sorted into requests (first come, first served) and
    warm-up jobs (one per document, the newest text wins)."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.requests: collections.OrderedDict[int, dict] = collections.OrderedDict()
        self.warm: collections.OrderedDict[str, object] = collections.OrderedDict()
        self.closed = False

    def put(self, msg: dict) -> None:
        with self.cond:
            op = msg.get("op")
            if op == "cancel":
                if (ident := msg.get("id")) is not None:
                    self.requests.pop(ident, None)
            elif op == "warm":
                self.warm.pop(msg["path"], None)
                self.warm[msg["path"]] = msg  # replaced by its generator when started
            elif op == "forget":
                if (path := msg.get("path")) is not None:
                    self.warm.pop(path, None)
            elif op == "exit":
                self.closed = True
            else:
                self.requests[msg["id"]] = msg
            self.cond.notify()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify()

    def next(self, idle: float | None = None):
        """("request", msg) or ("warm", path, job); ("idle",) after `idle` seconds without
        work; None once the server is gone."""
        with self.cond:
            while True:
                if self.closed:
                    return None
                if self.requests:
                    return ("request", self.requests.popitem(last=False)[1])
                if self.warm:  # the document opened or edited last first: the one in view
                    path, job = next(reversed(self.warm.items()))
                    return ("warm", path, job)
                if not self.cond.wait(idle) and idle is not None:
                    return ("idle",)

    def warm_done(self, path: str, job) -> None:
        with self.cond:
            if self.warm.get(path) is job:
                del self.warm[path]

    def warm_started(self, path: str, msg: dict, job) -> None:
        with self.cond:
            if self.warm.get(path) is msg:
                self.warm[path] = job


def _bounded_file_reads() -> None:
    """jedi reads the modules it follows whole: through the import system's loader when it
    finds them, through parso's `FileIO.read` when it parses them. A workspace module that
    is enormous or a FIFO would hold this process (and its memory) for good. Both read
    through safefs here; such a module is not found, or reads as empty."""
    import parso.file_io
    from jedi.inference.compiled.subprocess import functions

    def read(self):
        try:
            return read_regular(self.path, DEFAULT_MAX_FILE_BYTES)
        except (NotRegularFile, FileTooLarge):
            return b""

    def get_source(loader, fullname):
        path = loader.get_filename(fullname)
        try:
            return read_regular(path, DEFAULT_MAX_FILE_BYTES)
        except OSError:
            raise ImportError(f"{path}: not read", name=fullname) from None

    # setattr rather than `FileIO.read = read`: replacing parso's method is the point, and
    # mypy rejects an assignment to a method.
    setattr(parso.file_io.FileIO, "read", read)  # noqa: B010
    if hasattr(functions, "_get_source"):  # jedi's replacement of SourceLoader.get_source
        functions._get_source = get_source


class Worker:
    def __init__(self) -> None:
        import jedi

        _bounded_file_reads()

        # The type of a parameter without annotation is looked for in the calls of its function
        # within its own module only: searching every other module is what made jedi take
        # 100-500 ms on such names (measured on the stdlib, bench/lsp.py), mostly to find
        # nothing; within the module it still finds most of what it would.
        jedi.settings.dynamic_params_for_other_modules = False
        self.jedi = jedi
        # Modules are found in this process, not in the helper process jedi would start for
        # the default environment: there the reads escape _bounded_file_reads (and send every
        # module's text over a pipe). The interpreter is the same one either way.
        self.environment = jedi.InterpreterEnvironment()
        self.projects: dict[str, object] = {}

    def project(self, root: str):
        project = self.projects.get(root)
        if project is None:
            project = self.projects[root] = self.jedi.Project(root)
        return project

    def script(self, msg: dict):
        return self.jedi.Script(
            msg["source"], path=msg["path"], project=self.project(msg["root"]), environment=self.environment
        )

    def help(self, msg: dict) -> dict | None:
        names = self.script(msg).help(msg["line"], msg["col"])
        if not names:
            return None
        name = names[0]
        result = {
            "name": name.name,
            "type": name.type,
            "full_name": name.full_name,
            "module_name": name.module_name,
            "line": name.line,
            "column": name.column,
            "module_path": str(name.module_path) if name.module_path else None,
            "signatures": [],
            "docstring": "",
        }
        if name.type != "keyword":
            result["signatures"] = [s.to_string() for s in name.get_signatures()]
            result["docstring"] = name.docstring(raw=True) or ""
        return result

    def goto(self, msg: dict) -> list[dict]:
        out = []
        for name in self.script(msg).goto(msg["line"], msg["col"], follow_imports=True):
            if name.module_path is None or not name.line:
                continue
            out.append(
                {
                    "module_path": str(name.module_path),
                    "line": name.line,
                    "column": name.column or 0,
                    "name": name.name,
                }
            )
        return out

    def warm_steps(self, msg: dict):
        """A generator: each `next` does one bounded piece of the document's warm-up."""
        started = time.monotonic()
        script = self.script(msg)
        names = script.get_names(all_scopes=False, definitions=True, references=False)
        yield
        # Imports first: they are what a hover needs parsed; then other module-level
        # statements (`x = Foo()` loads Foo's module). Functions and classes are defined
        # in this file and need nothing more.
        order = sorted(
            (n for n in names if n.type not in ("function", "class")), key=lambda n: n.type != "module"
        )
        for i in range(0, len(order), WARM_STEP_NAMES):
            for name in order[i : i + WARM_STEP_NAMES]:
                try:
                    name.infer()
                except Exception:  # jedi has bugs on odd code; a warm-up is best effort
                    pass
            if time.monotonic() - started > WARM_MAX_SECONDS:
                return
            yield


def _read(stream, inbox: Inbox) -> None:
    for line in stream:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        inbox.put(msg)
    inbox.close()  # the server closed our stdin: it is gone


def main() -> int:
    if hasattr(os, "nice"):
        try:
            # Below the server (NICENESS says how far): its index answers (about a millisecond)
            # must not wait for a core while this process parses a document's imports.
            os.nice(NICENESS)
        except OSError:
            pass
    out = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout = sys.stderr  # anything jedi or a plugin prints must not corrupt the protocol
    inbox = Inbox()
    threading.Thread(target=_read, args=(sys.stdin.buffer, inbox), daemon=True).start()
    try:
        worker = Worker()
        worker.jedi.Script("import os\nos.path\n''.join", path=None, environment=worker.environment).infer(
            3, 4
        )  # typeshed, builtins
    except Exception as exc:  # no jedi: answer every request with the reason
        worker = None
        reason = f"jedi is not available: {type(exc).__name__}: {exc}"
    # Garbage is collected when idle, not whenever jedi's allocations trip a threshold: a
    # full pass over jedi's caches in the middle of a request would cost the hover its budget.
    gc.disable()
    dirty = True
    while True:
        task = inbox.next(IDLE_SECONDS if dirty else None)
        if task is None:
            # Every answer is written. Tearing down the interpreter would free jedi's caches
            # object by object (over a second, measured on a loaded machine), for nothing.
            out.flush()
            sys.stderr.flush()
            os._exit(0)
        if task[0] == "idle":
            gc.collect()
            gc.freeze()  # what survived (parsed modules, stubs) is cached for good: skip it next time
            dirty = False
            continue
        dirty = True
        if task[0] == "request":
            msg = task[1]
            try:
                if worker is None:
                    raise RuntimeError(reason)
                op = {"help": worker.help, "goto": worker.goto}[msg.get("op")]
                reply = {"id": msg["id"], "result": op(msg)}
            except Exception as exc:
                reply = {"id": msg["id"], "error": f"{type(exc).__name__}: {exc}"}
            out.write(json.dumps(reply) + "\n")
        elif worker is None:
            inbox.warm_done(task[1], task[2])
        else:
            _, path, job = task
            if isinstance(job, dict):
                msg, job = job, worker.warm_steps(job)
                inbox.warm_started(path, msg, job)
            try:
                next(job)
            except Exception:  # StopIteration, or jedi failing on odd code: best effort
                inbox.warm_done(path, job)
        if gc.get_count()[0] > MAX_UNCOLLECTED:
            gc.collect()  # a long burst without a pause: bound the memory anyway


if __name__ == "__main__":
    sys.exit(main())
