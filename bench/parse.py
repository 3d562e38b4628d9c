"""Cost of one parser for every Python: `extract_python` on files the interpreter's `ast`
takes, and on the same files when they need the newer grammar.

On the standard library's files (sorted paths), passes timed in turn for a few rounds, the
best of each kept:

* `ast.parse` of each file (the baseline),
* `extract_python` of each file (as the cold index runs it),
* `ast.parse` of each file with a `type _Alias = int` line (PEP 695) added at the end:
  on an interpreter older than 3.12 it fails, as every such file does,
* `extract_python` of those files: the failed `ast.parse`, the lowering, the second
  `ast.parse` and the extraction.

Printed as ratios to the baseline. `--repo PATH` compares another checkout's extractor on
the same files in the same run (e.g. the main branch before a change).

    python bench/parse.py [--sample N] [--repo PATH]
"""

from __future__ import annotations

import argparse
import ast
import gc
import importlib
import os
import sys
import sysconfig
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def stdlib_files() -> list[Path]:
    root = sysconfig.get_paths()["stdlib"]
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__", "test", "lib2to3"))
        files += [Path(d, f) for f in sorted(names) if f.endswith(".py")]
    return sorted(files)


def best(fn, repeat: int = 3) -> float:
    """Best of `repeat` runs, the cyclic GC off as in the index build."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeat):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    finally:
        gc.enable()
    return min(times)


def each(fn, files: list[tuple[str, bytes]]) -> None:
    for path, raw in files:
        fn(path, raw)  # the result is dropped at once, as a worker sends its blob away


def extractor(repo: Path):
    for name in [m for m in sys.modules if m == "repodoc_ls" or m.startswith("repodoc_ls.")]:
        del sys.modules[name]
    sys.path.insert(0, str(repo))
    try:
        return importlib.import_module("repodoc_ls.extract.python").extract_python
    finally:
        sys.path.remove(str(repo))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=0, help="every Nth file to give about N files (0: all)")
    parser.add_argument("--repo", type=Path, help="another checkout to compare")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best of each pass is kept")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    files = stdlib_files()
    if args.sample:
        files = files[:: max(1, len(files) // args.sample)][: args.sample]
    data = []
    for f in files:
        raw = f.read_bytes()
        try:
            ast.parse(raw)
        except (SyntaxError, ValueError):
            continue
        data.append((f.relative_to(files[0].parent).as_posix(), raw))
    newer = [(p, raw + b"\ntype _Alias = int\n") for p, raw in data]
    size = sum(len(raw) for _, raw in data)
    print(f"Python {sys.version.split()[0]}, {len(data)} files, {size / 1e6:.1f} MB")

    extract = extractor(HERE)
    passes = {
        "ast.parse": lambda: each(lambda _, raw: ast.parse(raw), data),
        "extract_python": lambda: each(extract, data),
        "ast.parse, newer syntax (fails before 3.12)": lambda: each(
            lambda _, raw: _parse_or_fail(raw), newer
        ),
        "extract_python, newer syntax": lambda: each(extract, newer),
    }
    if args.repo:
        other = extractor(args.repo.resolve())
        passes[f"{args.repo}: extract_python"] = lambda: each(other, data)
        passes[f"{args.repo}: extract_python, newer syntax"] = lambda: each(other, newer)
    # round-robin, so a busy spell of the machine falls on every pass alike
    times: dict[str, float] = {}
    for _ in range(args.rounds):
        for label, fn in passes.items():
            times[label] = min(times.get(label, float("inf")), best(fn, repeat=1))
    base = times["ast.parse"]
    for label, t in times.items():
        print(f"{label}: {t:.2f} s ({t / base:.2f}x)")
    return 0


def _parse_or_fail(raw: bytes) -> None:
    try:
        ast.parse(raw)
    except SyntaxError:
        pass


if __name__ == "__main__":
    sys.exit(main())
