"""What the analysis layer adds to extraction, per file, against `ast.parse`.

Usage: python bench/analysis.py [--every N]

On every Nth `.py` file of the standard library (sorted paths, tests left out), in one
process with the cyclic GC off (as an index build runs): `ast.parse`, the analysis of the
parsed trees alone (`repodoc_ls.analysis.analyze`), and `extract_python` (which parses,
analyzes and extracts). Each figure is the best of several rounds; ratios are to
`ast.parse` of the same files in the same run.
"""

from __future__ import annotations

import argparse
import ast
import gc
import os
import sys
import sysconfig
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from repodoc_ls.analysis import analyze  # noqa: E402
from repodoc_ls.extract.python import extract_python  # noqa: E402


def corpus(every: int) -> list[tuple[str, bytes]]:
    lib = Path(sysconfig.get_paths()["stdlib"])
    files: list[Path] = []
    for folder, dirs, names in os.walk(lib):
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in ("site-packages", "__pycache__", "test", "tests", "lib-dynload")
            and not d.startswith("config-")
        )
        files += [Path(folder) / n for n in sorted(names) if n.endswith(".py")]
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for f in files[::every]:
            data = f.read_bytes()
            try:
                ast.parse(data)
            except (SyntaxError, ValueError):
                continue
            out.append((f.relative_to(lib).as_posix(), data))
    return out


def best_of(rounds: int, run) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    files = corpus(args.every)
    size = sum(len(d) for _, d in files)
    gc.disable()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trees = [ast.parse(d) for _, d in files]
        parse = best_of(args.rounds, lambda: [ast.parse(d) for _, d in files])
        analysis = best_of(args.rounds, lambda: [analyze(t) for t in trees])
        extract = best_of(args.rounds, lambda: [extract_python(p, d) for p, d in files])
    print(f"{len(files)} stdlib files, {size / 1e6:.1f} MB")
    print(f"  ast.parse        {parse:6.2f} s")
    print(f"  analyze (trees)  {analysis:6.2f} s  = {analysis / parse:.2f}x ast.parse")
    print(f"  extract_python   {extract:6.2f} s  = {extract / parse:.2f}x ast.parse (parse included)")


if __name__ == "__main__":
    main()
