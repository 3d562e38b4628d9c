"""Export benchmark: index, exports and `check`, as ratios to `ast.parse` of the same files.

Usage: python bench/export.py [--corpus stdlib|django|torch|PATH] [--jobs N] [--code CHECKOUT]

The corpus is copied to a temporary folder (so one file can be edited). Each step runs in a
fresh subprocess, as `repodoc export` would, and reports the index build and the export
separately (the interpreter's start is left out of both), and the CPU time of the main
process (workers excluded), a steadier figure than wall time on a busy machine:

1. cold index build alone (fresh cache): the baseline;
2. full export, cold: fresh cache, empty output folder (build + render + write);
3. re-export with nothing changed (warm build + export);
4. re-export after one file changed (a function added to one module), then after a module
   was added beside it (importing that function), and after it was removed again;
5. warm index build alone; `repodoc check` (the fast path) and `check --deep`.

Every row is also printed as a ratio to single-process `read + ast.parse` of the corpus's
`.py` files, measured in the same run; the "wall" columns include the interpreter's start.
`--code` runs the steps with another checkout's code (a "before" measurement).

Targets (issue 3): full export <= 2x the cold index build; no-change and one-file-change
re-exports <= 1 s on the stdlib.
"""

from __future__ import annotations

import argparse
import ast
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from index import BENCH_DIR, STDLIB_EXCLUDE, compile_code, python_files, time_ast_parse, torch_corpus  # noqa: E402

EDITS = {
    "stdlib": "email/utils.py",
    "torch": "torch/nn/modules/linear.py",
    "django": "django/utils/text.py",
}
DJANGO = "django==5.2.19"


def django_corpus() -> Path | None:
    """The Django 5.2 sdist, unpacked (every file of it, not only the `.py` ones)."""
    target = BENCH_DIR / "django-5.2.19"
    if (target / ".complete").exists():
        return next(p for p in target.iterdir() if p.is_dir())
    sdists = BENCH_DIR / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    if not list(sdists.glob("[dD]jango-5.2.19.tar.gz")):
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        if subprocess.run([*cmd, DJANGO, "-d", str(sdists)], capture_output=True).returncode != 0:
            return None
    found = next(iter(sdists.glob("[dD]jango-5.2.19.tar.gz")), None)
    if found is None:
        return None
    shutil.rmtree(target, ignore_errors=True)
    with tarfile.open(found) as tar:
        tar.extractall(target, filter="data")
    (target / ".complete").write_text("")
    return next(p for p in target.iterdir() if p.is_dir())  # django-5.2.19/ (Django-... in older sdists)


def child(root: str, cache: str, output: str, jobs: int, step: str) -> None:
    sys.path.insert(0, os.environ.get("REPODOC_BENCH_CODE") or str(Path(__file__).resolve().parents[1]))
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.export import check, export
    from repodoc_ls.index.indexer import Index

    export_too = step == "export"
    gc.disable()  # as `repodoc` runs a command that ends the process (cli.main)

    settings = load_settings(
        root, {"cache_dir": cache, "output_dir": output, "jobs": jobs, "exclude": STDLIB_EXCLUDE}
    )
    start, cpu_start = time.perf_counter(), time.process_time()
    index = Index.build(settings, defer_store=export_too)  # as `repodoc export` does
    built, sys_built = time.perf_counter(), kernel_seconds()
    result = export(index) if export_too else None
    if step in ("check", "deep"):
        found = check(index, deep=True) if step == "deep" else check(index)
        if not found.ok:  # the corpus's own doc set, just exported: a finding is a bug
            print(f"check found: {found}"[:2000], file=sys.stderr)
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
    sys.stdout.flush()
    os._exit(0)  # as the `repodoc` command ends (cli.run): the index is not freed object by object


def children_cpu_seconds() -> float:
    """User and system CPU time of the finished children (each step's process, and the
    workers it waited for): the work done, whatever else the machine runs (wall time on a
    loaded machine measures the load)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kernel_seconds() -> float:
    """System CPU time of this process and of its finished workers (the export's pool)."""
    return sum(resource.getrusage(who).ru_stime for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))


def cpu_ast_parse(files: list[Path]) -> float:
    start = time.process_time()
    for f in files:
        try:
            ast.parse(f.read_bytes())
        except (OSError, SyntaxError, ValueError):
            pass
    return time.process_time() - start


def run_child(root: Path, cache: Path, output: Path, jobs: int, step: str) -> dict:
    cmd = [sys.executable, __file__, "--child", str(root), str(cache), str(output), str(jobs), step]
    start, cpu_start = time.perf_counter(), children_cpu_seconds()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    all_cpu = children_cpu_seconds() - cpu_start
    if proc.returncode != 0:
        sys.exit(f"step {step} failed:\n{proc.stderr[-3000:]}")
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    found["wall"] = time.perf_counter() - start
    found["all_cpu"] = all_cpu  # interpreter start included
    return found


def corpus_path(name: str) -> tuple[Path, str]:
    import sysconfig

    if name == "stdlib":
        return Path(sysconfig.get_paths()["stdlib"]), EDITS["stdlib"]
    if name == "django":
        found = django_corpus()
        if found is None:
            sys.exit("the Django sdist is not available here")
        return found, EDITS["django"]
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
        child(root, cache, output, int(jobs), export_too)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="stdlib")
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--code", help="run the steps with this checkout's repodoc_ls")
    parser.add_argument("--no-deep", action="store_true", help="skip `check --deep` (the slowest step)")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the temporary folder in place (deleting thousands of files slows "
        "the next run's file creation on some file systems: see bench/README.md)",
    )
    args = parser.parse_args()
    source, edit = corpus_path(args.corpus)
    if args.code:
        os.environ["REPODOC_BENCH_CODE"] = str(Path(args.code).resolve())
    compile_code(args.code)  # the steps' interpreter starts are an installed copy's
    work = Path(tempfile.mkdtemp(prefix="repodoc-bench-export-"))
    try:
        root = work / "corpus"
        copy_corpus(source, root)
        out = work / "out"
        parse = min(time_ast_parse(python_files(root, STDLIB_EXCLUDE)) for _ in range(2))
        parse_cpu = min(cpu_ast_parse(python_files(root, STDLIB_EXCLUDE)) for _ in range(2))
        base = run_child(root, work / "cache-base", work / "unused", args.jobs, "build")
        warm = run_child(root, work / "cache-base", work / "unused", args.jobs, "build")
        full = run_child(root, work / "cache", out, args.jobs, "export")
        noop = run_child(root, work / "cache", out, args.jobs, "export")
        fast = run_child(root, work / "cache", out, args.jobs, "check")
        deep = (
            run_child(root, work / "cache", out, args.jobs, "deep")
            if not (args.code or args.no_deep)
            else None
        )
        edited = root / edit
        if edit and edited.exists():
            with open(edited, "a", encoding="utf-8") as fh:
                fh.write("\n\ndef added_by_the_benchmark(value):\n    return value\n")
        one = run_child(root, work / "cache", out, args.jobs, "export")
        added_module = edited.with_name("added_by_the_benchmark.py") if edit else None
        added = removed = None
        if added_module is not None and edited.exists():
            module = edited.stem
            added_module.write_text(
                f"from .{module} import added_by_the_benchmark\n\n\ndef also_added():\n"
                "    return added_by_the_benchmark(1)\n",
                encoding="utf-8",
            )
            added = run_child(root, work / "cache", out, args.jobs, "export")
            added_module.unlink()
            removed = run_child(root, work / "cache", out, args.jobs, "export")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            os.sync()  # a deletion written back slows file creation for one minute, not six (README)

    cold = base["build"]
    print(f"corpus {args.corpus}: {full['files']:,} files, {full['written']:,} pages")
    print(f"read + ast.parse of the .py files, one process: {parse:.2f} s")
    print(
        f"{'step':<24}{'build s':>9}{'step s':>8}{'total s':>9}{'x parse':>8}{'wall s':>8}{'x parse':>8}"
        f"{'x cold build':>13}{'cpu s':>7}{'sys s':>7}{'rendered':>10}{'written':>9}{'RSS MB':>8}"
    )
    rows = [
        ("cold index build", base),
        ("warm index build", warm),
        ("full export (cold)", full),
        ("no-change re-export", noop),
        ("one file changed", one),
        *([("module added", added), ("module removed", removed)] if added and removed else []),
        ("check", fast),
    ]
    if deep is not None:
        rows.append(("check --deep", deep))
    for name, r in rows:
        print(
            f"{name:<24}{r['build']:>9.2f}{r['export']:>8.2f}{r['total']:>9.2f}{r['total'] / parse:>8.2f}"
            f"{r['wall']:>8.2f}{r['wall'] / parse:>8.2f}{r['total'] / cold:>13.2f}{r['cpu']:>7.2f}"
            f"{r['sys']:>7.2f}{r['rendered']:>10,}{r['written']:>9,}{r['rss_mb']:>8.0f}"
        )
    print(f"check / cold export: {fast['export'] / full['total']:.2f}x (the check step alone)")
    print(
        f"CPU of each step's process and workers (user + sys, interpreter start included) / CPU "
        f"of read + ast.parse ({parse_cpu:.2f} s): "
        + ", ".join(f"{name} {r['all_cpu'] / parse_cpu:.2f}x" for name, r in rows)
    )
    print(
        f"targets: full export <= 2x cold build ({full['total'] / cold:.2f}x); "
        f"no-change <= 1 s ({noop['total']:.2f} s); one file <= 1 s ({one['total']:.2f} s)"
        + (f" [edited {edit}]" if edit else "")
    )


if __name__ == "__main__":
    main()
