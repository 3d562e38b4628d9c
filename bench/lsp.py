"""Language server benchmark: repodoc's server against jedi-language-server on the stdlib.

Usage: python bench/lsp.py [--root PATH | --corpus django] [--hovers 200] [--seed 7]
                           [--folders email,asyncio] [--open-delay 1000] [--budget MS]
                           [--hovers-only] [--no-jedi]
       python bench/lsp.py --big-file 25000

Both servers run as real subprocesses over stdio, driven by the small JSON-RPC client
below (no LSP library on the client side, so the client adds next to nothing to a
latency). Measured, for repodoc:

- time from spawning the server to `repodoc/status` saying "ready": cold (empty cache
  folder) and warm (same cache folder, second start);
- hover latency over a fixed set of positions (every Nth file of the sorted list of the
  `--folders` (email and asyncio), a seeded choice of identifier tokens in each), the
  same positions for both servers, each file opened (didOpen) `--open-delay` ms (1,000)
  before its first hover, as in an editor, where a file is on screen for a while before
  the user hovers in it; then, for repodoc, each position hovered again (a second hover
  there may show what jedi found after the first gave up);
- `workspace/symbol` latency for a few queries;
- didChange to answer: an incremental didChange appending a new function to the
  stdlib file closest to 2,000 lines, then hover on the new name (and, separately,
  `workspace/symbol` for it) until the answer shows it;
- a module added and removed: a new, unsaved buffer importing `email.utils.parseaddr`
  (Django: `django.utils.text.capfirst`) opened, then closed; the hover on that function
  right after each, and until it counts the new module among its users;
- peak RSS of the server's process tree (psutil, sampled every 20 ms).

`--big-file N` measures only the edits of a generated module of N classes (25,000: 2 MB):
the hover right after each of 20 didChange edits, in the module and in another file, as a
ratio to `ast.parse` of the module in the same run.

Nothing is written into the measured folder: the cache and output folders are in a
temporary folder, checked to lie outside the root before the server starts.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import keyword
import math
import os
import random
import shutil
import statistics
import sys
import sysconfig
import tempfile
import threading
import time
import tokenize
from pathlib import Path

import psutil

STDLIB_EXCLUDE = ["site-packages/", "lib-dynload/", "config-*/"]
SKIP_DIRS = {"site-packages", "lib-dynload", "__pycache__", "test", "tests", "idle_test"}
SYMBOL_QUERIES = ["Path", "HTTPConnection", "parse_args", "TestCase", "dumps", "get", "xmlrpc", "qzx"]
HERE = Path(__file__).resolve().parent
FOLDERS_DEFAULT = "email,asyncio"
REPO = HERE.parent


# -- a minimal JSON-RPC client over stdio ------------------------------------------------


class Client:
    def __init__(self, name: str, argv: list[str]):
        self.name = name
        self.argv = argv
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.proc: asyncio.subprocess.Process | None = None
        self.peak_rss = 0
        self._sampling = False
        self.started = 0.0

    async def start(self) -> None:
        self.started = time.perf_counter()
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=1 << 26,
        )
        self.reader = asyncio.get_running_loop().create_task(self._read())
        self._sampling = True
        threading.Thread(target=self._sample_rss, daemon=True).start()

    def _sample_rss(self) -> None:
        try:
            root = psutil.Process(self.proc.pid)
        except psutil.Error:
            return
        while self._sampling:
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                break
            self.peak_rss = max(self.peak_rss, total)
            time.sleep(0.02)

    async def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = 0
            while True:
                line = await out.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                key, _, value = line.partition(b":")
                if key.lower() == b"content-length":
                    length = int(value)
            msg = json.loads(await out.readexactly(length))
            if "id" in msg and "method" in msg:  # a request from the server: accept it
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            elif "id" in msg:
                fut = self.pending.pop(msg["id"], None)
                if fut is not None and not fut.done():
                    fut.set_result(msg)

    def _send(self, msg: dict) -> None:
        body = json.dumps(msg).encode("utf-8")
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def request(self, method: str, params) -> dict:
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        self._send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        msg = await fut
        if "error" in msg:
            raise RuntimeError(f"{self.name}: {method} failed: {msg['error']}")
        return msg.get("result")

    async def timed(self, method: str, params) -> tuple[float, object]:
        t = time.perf_counter()
        result = await self.request(method, params)
        return (time.perf_counter() - t) * 1000, result

    def notify(self, method: str, params) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    async def initialize(self, root: Path, options: dict | None) -> None:
        await self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "initializationOptions": options,
                "capabilities": {
                    "window": {"workDoneProgress": True},
                    "workspace": {"workspaceFolders": True, "symbol": {}},
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "synchronization": {"didSave": True},
                    },
                },
            },
        )
        self.notify("initialized", {})

    def open(self, path: Path, text: str, version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": path.as_uri(),
                    "languageId": "python",
                    "version": version,
                    "text": text,
                }
            },
        )

    def close(self, path: Path) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": path.as_uri()}})

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.request("shutdown", None), 10)
            self.notify("exit", None)
            await asyncio.wait_for(self.proc.wait(), 10)
        except (asyncio.TimeoutError, RuntimeError, ConnectionError):
            self.proc.kill()
            await self.proc.wait()
        finally:
            self._sampling = False
            self.reader.cancel()


# -- the workload --------------------------------------------------------------------------


def python_files(root: Path) -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("config-"))
        out += [Path(folder) / f for f in sorted(files) if f.endswith(".py")]
    return sorted(out, key=lambda p: p.relative_to(root).as_posix())


def identifiers(text: str) -> list[tuple[int, int, str]]:
    """(0-based line, UTF-16 column, name) of every identifier token (keywords excluded)."""
    out = []
    lines = text.split("\n")
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string):
                line, col = tok.start[0] - 1, tok.start[1]
                prefix = lines[line][:col] if line < len(lines) else ""
                utf16 = len(prefix.encode("utf-16-le")) // 2
                out.append((line, utf16 + 1, tok.string))  # inside the name, not on its edge
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return out


def hover_positions(
    root: Path, count: int, seed: int, folders: list[str] | None = None, per_file: int = 10
) -> list[tuple[Path, list]]:
    """`count` positions: every Nth file of the sorted list (of the files under `folders`
    when given), `per_file` seeded picks each."""
    files = python_files(root)
    if folders:
        files = [p for p in files if p.relative_to(root).parts[0] in folders]
    rng = random.Random(seed)
    step = max(1, len(files) // (count // per_file))
    chosen: list[tuple[Path, list]] = []
    i = 0
    while len(chosen) * per_file < count and i < len(files):
        path = files[i]
        idents = identifiers(path.read_text(encoding="utf-8", errors="replace"))
        if len(idents) >= per_file * 3:
            chosen.append((path, sorted(rng.sample(idents, per_file))))
        i += step if len(idents) >= per_file * 3 else 1
    return chosen


def file_near_lines(root: Path, lines: int) -> Path:
    best = min(python_files(root), key=lambda p: (abs(p.read_bytes().count(b"\n") - lines), p.as_posix()))
    return best


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


async def wait_ready(client: Client, timeout: float = 600) -> float:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        status = await client.request("repodoc/status", {})
        if status["state"] == "ready":
            return time.perf_counter() - client.started
        await asyncio.sleep(0.01)
    raise RuntimeError("the server never became ready")


async def run_hovers(
    client: Client, positions, open_delay: float, again: list[int] | None = None, record: list | None = None
) -> tuple[list[float], int]:
    """Latencies (ms) and the count of answered hovers; with `again`, each file's positions
    are hovered a second time before it is closed, and the answers counted into it."""
    # One warm-up hover (not timed): the first request of a process pays for imports.
    first_path, first_positions = positions[0]
    client.open(first_path, first_path.read_text(encoding="utf-8", errors="replace"))
    line, col, _ = first_positions[0]
    await client.request(
        "textDocument/hover",
        {"textDocument": {"uri": first_path.as_uri()}, "position": {"line": line, "character": col}},
    )
    client.close(first_path)
    times, answered = [], 0
    for path, picks in positions:
        client.open(path, path.read_text(encoding="utf-8", errors="replace"))
        # In an editor a file is open for a while before the user hovers in it: a server may
        # use that time (repodoc has jedi parse the file and its imports). The same pause
        # for both servers; --open-delay 0 measures a hover right after the open.
        await asyncio.sleep(open_delay)
        for line, col, name in picks:
            ms, result = await client.timed(
                "textDocument/hover",
                {"textDocument": {"uri": path.as_uri()}, "position": {"line": line, "character": col}},
            )
            times.append(ms)
            answered += result is not None
            if record is not None:
                text = result["contents"]["value"] if result and isinstance(result["contents"], dict) else ""
                record.append(
                    {"path": str(path), "line": line, "col": col, "name": name, "ms": ms, "text": text}
                )
        if again is not None:
            for line, col, _ in picks:
                result = await client.request(
                    "textDocument/hover",
                    {"textDocument": {"uri": path.as_uri()}, "position": {"line": line, "character": col}},
                )
                again[0] += result is not None
        client.close(path)
    return times, answered


async def did_change_latency(client: Client, path: Path, rounds: int = 5) -> tuple[list[float], list[float]]:
    """ms from an incremental didChange (a new function appended) to the first hover, and
    to the first workspace/symbol answer, that shows the new function."""
    text = path.read_text(encoding="utf-8")
    client.open(path, text, version=1)
    await client.request("textDocument/documentSymbol", {"textDocument": {"uri": path.as_uri()}})
    lines = text.split("\n")
    end = {"line": len(lines) - 1, "character": len(lines[-1].encode("utf-16-le")) // 2}
    version, by_hover, by_symbol = 1, [], []
    for n in range(rounds):
        for mode in ("hover", "symbol"):
            version += 1
            name = f"repodoc_bench_{mode}_{n}"
            added = f"\n\ndef {name}(x):\n    return {name}(x)\n"
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": path.as_uri(), "version": version},
                    "contentChanges": [{"range": {"start": end, "end": end}, "text": added}],
                },
            )
            t = time.perf_counter()
            def_line = end["line"] + 2
            while True:
                if mode == "hover":
                    result = await client.request(
                        "textDocument/hover",
                        {
                            "textDocument": {"uri": path.as_uri()},
                            "position": {"line": def_line, "character": 6},
                        },
                    )
                    ok = result is not None and name in json.dumps(result)
                else:
                    result = await client.request("workspace/symbol", {"query": name})
                    ok = any(s["name"] == name for s in result or [])
                if ok or time.perf_counter() - t > 10:
                    break
                await asyncio.sleep(0.002)
            (by_hover if mode == "hover" else by_symbol).append((time.perf_counter() - t) * 1000)
            lines = (("\n".join(lines)) + added).split("\n")
            end = {"line": len(lines) - 1, "character": len(lines[-1].encode("utf-16-le")) // 2}
    client.close(path)
    return by_hover, by_symbol


#: (file, a function it defines) whose users a new module joins, per corpus
NEW_MODULE_TARGETS = [("email/utils.py", "parseaddr"), ("django/utils/text.py", "capfirst")]


async def new_module_latency(client: Client, root: Path, rounds: int = 3) -> dict[str, list[float]]:
    """A module added to the module map: a new, unsaved buffer opened beside a module it
    imports a function from. ms from the didOpen to the first answer of a hover on that
    function (in the other file), and to the first hover that counts the new module among
    its users; then from the didClose (the module gone again) to the first answer."""
    found: dict[str, list[float]] = {"open->hover": [], "open->counted": [], "close->hover": []}
    target = next(((root / rel, name) for rel, name in NEW_MODULE_TARGETS if (root / rel).exists()), None)
    if target is None:
        return found
    path, name = target
    line = next(
        i
        for i, text in enumerate(path.read_text(encoding="utf-8").split("\n"))
        if text.startswith(f"def {name}(")
    )
    position = {"textDocument": {"uri": path.as_uri()}, "position": {"line": line, "character": 5}}
    module = path.parent.name
    for n in range(rounds):
        new = path.with_name(f"repodoc_bench_new_{n}.py")
        if new.exists():
            continue
        client.open(new, f"from {module}.{path.stem} import {name}\n\n{name}('x')\n")
        t = time.perf_counter()
        first = None
        while time.perf_counter() - t < 30:
            result = await client.request("textDocument/hover", position)
            if first is None:
                first = (time.perf_counter() - t) * 1000
            if new.stem in json.dumps(result):
                break
            await asyncio.sleep(0.002)
        found["open->hover"].append(first or 0.0)
        found["open->counted"].append((time.perf_counter() - t) * 1000)
        client.close(new)
        t = time.perf_counter()
        await client.request("textDocument/hover", position)
        found["close->hover"].append((time.perf_counter() - t) * 1000)
    return found


# -- edits in a big generated file -----------------------------------------------------------


def generated_module(classes: int) -> str:
    """A generated module: `classes` small classes (25,000 make about 2 MB)."""
    body = "".join(
        f"class Generated{i}(Base):\n    value = {i}\n\n    def get(self):\n        return self.value\n\n\n"
        for i in range(classes)
    )
    return f'"""Generated."""\n\n\nclass Base:\n    """The base."""\n\n\n{body}'


async def big_file_edits(classes: int = 25000, rounds: int = 20) -> dict[str, list[float]]:
    """ms of a hover right after each of `rounds` didChange edits of a generated module
    (in the module, and in a small file importing it), and of `ast.parse` of the module."""
    import ast

    tmp = Path(tempfile.mkdtemp(prefix="repodoc-lsp-big-"))
    try:
        root = tmp / "ws"
        (root / "pkg").mkdir(parents=True)
        big, small = root / "pkg" / "big.py", root / "pkg" / "small.py"
        text = generated_module(classes)
        big.write_text(text)
        small.write_text("from pkg.big import Base\n\nBase\n")
        parse = []
        for _ in range(3):
            t = time.perf_counter()
            ast.parse(text)
            parse.append((time.perf_counter() - t) * 1000)
        options = {"cacheDir": str(tmp / "cache"), "outputDir": str(tmp / "out")}
        client = Client("repodoc", [sys.executable, "-m", "repodoc_ls.server"])
        await client.start()
        await client.initialize(root, options)
        await wait_ready(client)
        client.open(big, text, version=1)
        client.open(small, small.read_text(), version=1)
        await client.request("textDocument/documentSymbol", {"textDocument": {"uri": big.as_uri()}})
        base_line = text.split("\n").index("class Base:")
        in_big, in_small = [], []
        for n in range(rounds):
            # A new line above class Base: every line below it moves down by one.
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": big.as_uri(), "version": n + 2},
                    "contentChanges": [
                        {
                            "range": {
                                "start": {"line": 2, "character": 0},
                                "end": {"line": 2, "character": 0},
                            },
                            "text": f"EDIT_{n} = {n}\n",
                        }
                    ],
                },
            )
            base_line += 1
            for path, position, out in (
                (big, {"line": base_line, "character": 7}, in_big),
                (small, {"line": 2, "character": 1}, in_small),
            ):
                ms, _ = await client.timed(
                    "textDocument/hover", {"textDocument": {"uri": path.as_uri()}, "position": position}
                )
                out.append(ms)
            # The next edit comes once this one is read, as when a user types, pauses, hovers.
            await client.request("textDocument/documentSymbol", {"textDocument": {"uri": big.as_uri()}})
        await client.stop()
        return {"parse": parse, "hover in the big file": in_big, "hover in another file": in_small}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report_big_file(found: dict[str, list[float]], classes: int) -> None:
    parse = min(found["parse"])
    print(f"generated module, {classes:,} classes: ast.parse {parse:.0f} ms (best of 3)")
    for name in ("hover in the big file", "hover in another file"):
        values = found[name]
        print(
            f"{name} right after a didChange ({len(values)} edits): p50 {pct(values, 50):.0f} ms, "
            f"p95 {pct(values, 95):.0f} ms ({pct(values, 95) / parse:.2f}x the parse; target p95 <= 150 ms)"
        )


# -- main ------------------------------------------------------------------------------------


async def bench(args) -> int:
    root = Path(args.root).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="repodoc-lsp-bench-"))
    cache, out = tmp / "cache", tmp / "out"
    for folder in (cache, out):
        if folder.resolve().is_relative_to(root):
            raise SystemExit(f"refusing to write into the measured folder: {folder}")
    options = {"exclude": STDLIB_EXCLUDE, "cacheDir": str(cache), "outputDir": str(out)}
    if args.budget is not None:
        options["hoverBudgetMs"] = args.budget
    server = [sys.executable, "-m", "repodoc_ls.server"]
    folders = [f for f in args.folders.split(",") if f]
    positions = hover_positions(root, args.hovers, args.seed, folders)
    edited = file_near_lines(root, 2000)
    edited_lines = edited.read_bytes().count(b"\n")
    print(
        f"root {root}; {sum(len(p) for _, p in positions)} hover positions in {len(positions)} files; "
        f"didChange on {edited.relative_to(root)} ({edited_lines} lines)",
        flush=True,
    )
    rows: dict[str, dict] = {"repodoc": {}, "jedi-language-server": {}}
    from index import python_files, time_ast_parse  # bench/index.py: the same baseline

    parse_s = time_ast_parse(python_files(root, STDLIB_EXCLUDE))
    rows["repodoc"]["ast.parse (s)"] = parse_s
    print(f"read + ast.parse of the root's .py files: {parse_s:.2f} s", flush=True)
    try:
        # Cold: empty cache folder.
        cold = Client("repodoc", server)
        await cold.start()
        await cold.initialize(root, options)
        rows["repodoc"]["ready cold (s)"] = await wait_ready(cold)
        await cold.stop()
        peak_cold = cold.peak_rss
        # Warm: the same cache folder; everything else is measured on this server.
        warm = Client("repodoc", server)
        await warm.start()
        await warm.initialize(root, options)
        rows["repodoc"]["ready warm (s)"] = await wait_ready(warm)
        status = await warm.request("repodoc/status", {})
        await asyncio.sleep(1.0)  # the reference index is built in the background after ready
        again = [0]
        record: list[dict] = []
        hovers, answered = await run_hovers(warm, positions, args.open_delay / 1000, again, record)
        if args.dump:
            Path(args.dump).write_text(json.dumps(record, indent=1), encoding="utf-8")
        rows["repodoc"]["hover"] = hovers
        rows["repodoc"]["hovers answered"] = answered
        rows["repodoc"]["answered on a second hover"] = again[0]
        if not args.hovers_only:
            await symbols_and_edits(warm, rows["repodoc"], edited, root)
        await warm.stop()
        rows["repodoc"]["peak RSS (MB)"] = max(peak_cold, warm.peak_rss) / 2**20
        rows["repodoc"]["files"] = status["files"]
        await jedi_language_server(args, root, positions, rows["jedi-language-server"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(rows)
    return 0


async def symbols_and_edits(warm: Client, row: dict, edited: Path, root: Path) -> None:
    ws_times = []
    for q in SYMBOL_QUERIES:
        for _ in range(5):
            ms, _ = await warm.timed("workspace/symbol", {"query": q})
            ws_times.append(ms)
    row["workspace/symbol"] = ws_times
    by_hover, by_symbol = await did_change_latency(warm, edited)
    row["didChange->hover"] = by_hover
    row["didChange->symbol"] = by_symbol
    for key, values in (await new_module_latency(warm, root)).items():
        row[f"new module {key}"] = values


async def jedi_language_server(args, root: Path, positions, row: dict) -> None:
    """The same hovers on jedi-language-server, when it is installed (the `bench` extra,
    or any venv on PATH)."""
    jls = shutil.which("jedi-language-server", path=str(Path(sys.executable).parent)) or shutil.which(
        "jedi-language-server"
    )
    if jls and not args.no_jedi:
        jedi = Client("jedi-language-server", [jls])
        await jedi.start()
        await jedi.initialize(root, {"workspace": {"symbols": {"maxSymbols": 100}}})
        hovers, answered = await run_hovers(jedi, positions, args.open_delay / 1000)
        row["hover"] = hovers
        row["hovers answered"] = answered
        await jedi.stop()
        row["peak RSS (MB)"] = jedi.peak_rss / 2**20
    elif not args.no_jedi:
        print("jedi-language-server not found (pip install jedi-language-server): skipped")


def report(rows: dict[str, dict]) -> None:
    ours, jedi = rows["repodoc"], rows["jedi-language-server"]
    table = [("measure", "repodoc", "jedi-language-server", "repodoc / jedi-ls", "target")]

    def add(name, a, b=None, target=""):
        if all(v is None or (isinstance(v, float) and math.isnan(v)) for v in (a, b)):
            return  # not measured in this run (--hovers-only, --no-jedi)
        ratio = f"{a / b:.2f}x" if isinstance(a, float) and isinstance(b, float) and b else ""
        fmt = lambda v: "" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))  # noqa: E731
        table.append((name, fmt(a), fmt(b), ratio, target))

    add("ready, cold (s)", ours.get("ready cold (s)"))
    add("ready, warm (s)", ours.get("ready warm (s)"), target="<= 2 s")
    parse_s = ours.get("ast.parse (s)")
    if parse_s:
        for key in ("ready cold (s)", "ready warm (s)"):
            if key in ours:
                add(f"{key.split(' (')[0]}, x ast.parse", f"{ours[key] / parse_s:.2f}x")
    for q in (50, 95, 99):
        target = {95: "<= 25 ms and < jedi-ls p50"}.get(q, "")
        add(
            f"hover p{q} (ms)",
            pct(ours.get("hover", []), q),
            pct(jedi["hover"], q) if "hover" in jedi else None,
            target,
        )
    add(
        "hover mean (ms)",
        statistics.fmean(ours["hover"]) if ours.get("hover") else None,
        statistics.fmean(jedi["hover"]) if jedi.get("hover") else None,
    )
    n = len(ours.get("hover", []))
    add(f"hovers answered (of {n})", ours.get("hovers answered"), jedi.get("hovers answered"), ">= 195")
    add("answered on a second hover", ours.get("answered on a second hover"))
    ws = ours.get("workspace/symbol", [])
    add("workspace/symbol p50 (ms)", pct(ws, 50))
    add("workspace/symbol p95 (ms)", pct(ws, 95), target="<= 50 ms")
    for key in ("didChange->hover", "didChange->symbol"):
        values = ours.get(key, [])
        add(f"{key} p50 (ms)", pct(values, 50))
        add(f"{key} max (ms)", max(values) if values else None, target="<= 150 ms")
    for key in ("open->hover", "open->counted", "close->hover"):
        values = ours.get(f"new module {key}", [])
        add(f"new module {key} max (ms)", max(values) if values else None)
    add("peak RSS (MB)", ours.get("peak RSS (MB)"), jedi.get("peak RSS (MB)"))
    add("files indexed", ours.get("files"))
    widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
    for i, row in enumerate(table):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root", default=sysconfig.get_paths()["stdlib"], help="workspace (default: the stdlib)"
    )
    parser.add_argument("--hovers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--budget", type=int, default=None, help="hoverBudgetMs for repodoc (default: its own)"
    )
    parser.add_argument(
        "--open-delay",
        type=int,
        default=1000,
        metavar="MS",
        help="pause between opening a file and the first hover in it (default 1000)",
    )
    parser.add_argument(
        "--folders",
        default=FOLDERS_DEFAULT,
        help="top-level folders of the root the hover positions are drawn from, comma-separated "
        "(default email,asyncio; '' for the whole root)",
    )
    parser.add_argument("--dump", metavar="FILE", help="write repodoc's hover answers (JSON) to FILE")
    parser.add_argument(
        "--hovers-only", action="store_true", help="skip the workspace/symbol and didChange measures"
    )
    parser.add_argument("--no-jedi", action="store_true", help="skip jedi-language-server")
    parser.add_argument(
        "--big-file",
        type=int,
        default=None,
        metavar="CLASSES",
        help="only the edits of a generated module of CLASSES classes (25000: about 2 MB)",
    )
    parser.add_argument(
        "--corpus",
        choices=["stdlib", "django"],
        default=None,
        help="django: the Django 5.2.19 sdist, fetched and unpacked as bench/export.py does "
        "(hover positions under django/ unless --folders says otherwise); overrides --root",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from index import compile_code  # bench/index.py

    compile_code()  # the server starts as an installed copy would, its modules compiled
    if args.corpus == "django":
        from export import django_corpus  # bench/export.py: the one place that fetches it

        found = django_corpus()
        if found is None:
            print("the Django sdist is not available here (pip download failed): skipped")
            return 0
        args.root = str(found)
        if args.folders == FOLDERS_DEFAULT:
            args.folders = "django"
    if args.big_file:
        report_big_file(asyncio.run(big_file_edits(args.big_file)), args.big_file)
        return 0
    return asyncio.run(bench(args))


if __name__ == "__main__":
    sys.exit(main())
