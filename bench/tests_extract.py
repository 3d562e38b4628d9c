"""What finding tests as the runner collects them costs the bulk pass.

On the standard library's test files (`test/test_*.py`, unittest classes by the thousand)
and on all of its other `.py` files, time `ast.parse` alone and `extract_python`, best of
`--repeat` runs each (CPU time: steadier than wall time on a shared machine), and print `extract_python / ast.parse` per group. Run it against
another checkout (say, before a change) with `--source PATH`: the ratio of the two runs'
ratios is the change's cost.

    python bench/tests_extract.py [--source PATH] [--repeat 3]
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import sysconfig
import time
import warnings
from pathlib import Path


def stdlib_files() -> tuple[list[Path], list[Path]]:
    root = Path(sysconfig.get_paths()["stdlib"])
    tests, others = [], []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        for name in sorted(names):
            if name.endswith(".py"):
                path = Path(d) / name
                is_test = path.parent.name == "test" and name.startswith("test_")
                (tests if is_test else others).append(path)
    return tests, others


def best(function, files: list[tuple[str, bytes]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        for rel, data in files:
            function(rel, data)
        times.append(time.process_time() - start)
    return min(times)


def parse(rel: str, data: bytes) -> None:
    try:
        ast.parse(data, filename=rel)
    except (SyntaxError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, args.source)
    from repodoc_ls.extract.python import extract_python

    warnings.simplefilter("ignore")
    tests, others = stdlib_files()
    print(f"repodoc_ls from {args.source}")
    for label, paths in (("test/test_*.py", tests), ("other stdlib", others)):
        files = [(p.name, p.read_bytes()) for p in paths]
        found = sum(len(extract_python(rel, data).tests) for rel, data in files)
        base = best(parse, files, args.repeat)
        ours = best(extract_python, files, args.repeat)
        print(f"{label:16} {len(files):5} files {found:6} tests  extract/ast.parse {ours / base:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
