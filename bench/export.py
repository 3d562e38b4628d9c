"""Export benchmark: full, no-change and one-file-change exports against the cold index build.

Usage: python bench/export.py [--corpus stdlib|torch|PATH] [--jobs N]

The corpus is copied to a temporary folder (so one file can be edited). Each step runs in a
fresh subprocess, as `repodoc export` would, and reports the index build and the export
separately (the interpreter's start is left out of both), and the CPU time of the main
process (workers excluded), a steadier figure than wall time on a busy machine:

1. cold index build alone (fresh cache): the baseline;
2. full export, cold: fresh cache, empty output folder (build + render + write);
3. re-export with nothing changed (warm build + export);
4. re-export after one file changed (a function added to one module).

Targets (issue 3): full export <= 2x the cold index build; no-change and one-file-change
re-exports <= 1 s on the stdlib.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from index import STDLIB_EXCLUDE, torch_corpus  # noqa: E402

EDITS = {"stdlib": "email/utils.py", "torch": "torch/nn/modules/linear.py"}


def child(root: str, cache: str, output: str, jobs: int, export_too: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.export import export
    from repodoc_ls.index.indexer import Index

    settings = load_settings(
        root, {"cache_dir": cache, "output_dir": output, "jobs": jobs, "exclude": STDLIB_EXCLUDE}
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    index = Index.build(settings, defer_store=export_too)  # as `repodoc export` does
    built, sys_built = time.perf_counter(), kernel_seconds()
    result = export(index) if export_too else None
    done, cpu_done = time.perf_counter(), time.process_time()
    sys_done = kernel_seconds()
    rss_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    print(
        json.dumps(
            {
                "files": len(index.paths()),
                "build": built - start,
                "export": done - built,
                "total": done - start,
                "cpu": cpu_done - cpu_start,
                "sys": sys_done - sys_built,
                "written": result.written if result else 0,
                "rendered": result.rendered if result else 0,
                "removed": result.removed if result else 0,
                "rss_mb": rss_kb / 1024,
            }
        )
    )


def kernel_seconds() -> float:
    """System CPU time of this process and of its finished workers (the export's pool)."""
    return sum(resource.getrusage(who).ru_stime for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def run_child(root: Path, cache: Path, output: Path, jobs: int, export_too: bool) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        str(root),
        str(cache),
        str(output),
        str(jobs),
        "1" if export_too else "0",
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def corpus_path(name: str) -> tuple[Path, str]:
    import sysconfig

    if name == "stdlib":
        return Path(sysconfig.get_paths()["stdlib"]), EDITS["stdlib"]
    if name == "torch":
        found = torch_corpus()
        if found is None:
            sys.exit("the torch wheel is not available here")
        return found, EDITS["torch"]
    return Path(name), ""


def copy_corpus(source: Path, dest: Path) -> None:
    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {"site-packages", "lib-dynload", "__pycache__", ".repodoc"}
        return {n for n in names if n in skip or n.startswith("config-")}

    shutil.copytree(source, dest, ignore=ignore, symlinks=True)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        root, cache, output, jobs, export_too = sys.argv[2:7]
        child(root, cache, output, int(jobs), export_too == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="stdlib")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the temporary folder in place (deleting thousands of files slows "
        "the next run's file creation on some file systems: see bench/README.md)",
    )
    args = parser.parse_args()
    source, edit = corpus_path(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="repodoc-bench-export-"))
    try:
        root = work / "corpus"
        copy_corpus(source, root)
        out = work / "out"
        base = run_child(root, work / "cache-base", work / "unused", args.jobs, export_too=False)
        full = run_child(root, work / "cache", out, args.jobs, export_too=True)
        noop = run_child(root, work / "cache", out, args.jobs, export_too=True)
        edited = root / edit
        if edit and edited.exists():
            with open(edited, "a", encoding="utf-8") as fh:
                fh.write("\n\ndef added_by_the_benchmark(value):\n    return value\n")
        one = run_child(root, work / "cache", out, args.jobs, export_too=True)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            os.sync()  # a deletion written back slows file creation for one minute, not six (README)

    cold = base["build"]
    print(f"corpus {args.corpus}: {full['files']:,} files, {full['written']:,} pages")
    print(
        f"{'step':<24}{'build s':>9}{'export s':>10}{'total s':>9}{'x cold build':>14}"
        f"{'cpu s':>7}{'sys s':>7}{'rendered':>10}{'written':>9}{'RSS MB':>8}"
    )
    for name, r in (
        ("cold index build", base),
        ("full export (cold)", full),
        ("no-change re-export", noop),
        ("one file changed", one),
    ):
        print(
            f"{name:<24}{r['build']:>9.2f}{r['export']:>10.2f}{r['total']:>9.2f}"
            f"{r['total'] / cold:>14.2f}{r['cpu']:>7.2f}{r['sys']:>7.2f}{r['rendered']:>10,}{r['written']:>9,}"
            f"{r['rss_mb']:>8.0f}"
        )
    print(
        f"targets: full export <= 2x cold build ({full['total'] / cold:.2f}x); "
        f"no-change <= 1 s ({noop['total']:.2f} s); one file <= 1 s ({one['total']:.2f} s)"
        + (f" [edited {edit}]" if edit else "")
    )


if __name__ == "__main__":
    main()
