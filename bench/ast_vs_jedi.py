"""Bulk-pass cost: `ast.parse` + repodoc's extractor versus jedi's name listing.

On a fixed sample of standard library files (sorted paths, every Nth, ~150 files) time

* `ast.parse` alone,
* `extract_python` (which parses with ast and walks the tree once),
* `jedi.Script(code, path=...).get_names(all_scopes=True, definitions=True, references=True)`,

and print the totals and ratios. This decided the architecture: ast for the bulk pass,
jedi only for on-demand semantic questions (definition, inferred targets, signatures).

    python bench/ast_vs_jedi.py [--sample 150]
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import sysconfig
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from repodoc_ls.extract.python import extract_python  # noqa: E402


def stdlib_files() -> list[str]:
    root = sysconfig.get_paths()["stdlib"]
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "__pycache__"))
        files += [os.path.join(d, f) for f in sorted(names) if f.endswith(".py")]
    return sorted(files)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=150, help="number of files (default 150)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="repodoc-jedi-bench-") as cache:
        return run(args.sample, cache)


def run(sample_size: int, cache: str) -> int:
    import jedi

    # A fresh cache directory, so jedi/parso start cold like the extractor does.
    jedi.settings.cache_directory = cache
    warnings.simplefilter("ignore")

    root = sysconfig.get_paths()["stdlib"]
    files = stdlib_files()
    step = max(1, len(files) // sample_size)
    sample = files[::step][:sample_size]
    blobs = [(f, Path(f).read_bytes()) for f in sample]
    size = sum(len(b) for _, b in blobs)
    print(f"{len(blobs)} files (every {step}th of {len(files)}), {size / 1e6:.2f} MB")

    t0 = time.perf_counter()
    for _, data in blobs:
        try:
            ast.parse(data)
        except (SyntaxError, ValueError):
            pass
    t_parse = time.perf_counter() - t0

    t0 = time.perf_counter()
    names_ast = 0
    for f, data in blobs:
        facts = extract_python(os.path.relpath(f, root), data)
        names_ast += len(facts.symbols) + sum(len(v) for v in facts.uses.values())
    t_extract = time.perf_counter() - t0

    t0 = time.perf_counter()
    names_jedi = 0
    failed = 0
    for f, data in blobs:
        try:
            code = data.decode("utf-8")
            names_jedi += len(
                jedi.Script(code, path=f).get_names(all_scopes=True, definitions=True, references=True)
            )
        except Exception:  # undecodable or jedi failing: count, keep going
            failed += 1
    t_jedi = time.perf_counter() - t0

    print(f"ast.parse only          : {t_parse:8.3f} s")
    print(f"ast.parse + extract     : {t_extract:8.3f} s  ({names_ast} symbols + use sites)")
    print(f"jedi get_names          : {t_jedi:8.3f} s  ({names_jedi} names, {failed} failed)")
    print(f"extract / ast.parse     : {t_extract / t_parse:8.2f} x")
    print(f"jedi / (parse+extract)  : {t_jedi / t_extract:8.2f} x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
