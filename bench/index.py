"""Index benchmark: cold build and warm rebuild against single-process `ast.parse`.

Usage: python bench/index.py [--corpus stdlib|torch|PATH ...] [--jobs N]

Each build runs in a fresh subprocess so that peak RSS (the process and its workers) and
timings are its own. Ratios compare with `ast.parse` of the same files measured in the
same run, so a busy machine moves both sides.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from pathlib import Path

BENCH_DIR = Path(tempfile.gettempdir()) / "repodoc-bench"
STDLIB_EXCLUDE = ["site-packages/", "lib-dynload/", "config-*/"]


def torch_corpus() -> Path | None:
    target = BENCH_DIR / "torch-2.13.0"
    if (target / ".complete").exists():
        return target
    wheels = BENCH_DIR / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob("torch-2.13.0*.whl")):
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "torch==2.13.0", "-d", str(wheels)]
        if subprocess.run(cmd, capture_output=True).returncode != 0:
            return None
    wheel = next(iter(wheels.glob("torch-2.13.0*.whl")), None)
    if wheel is None:
        return None
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.endswith(".py"):
                zf.extract(name, target)
    (target / ".complete").write_text("")
    return target


def compile_code(code: str | os.PathLike[str] | None = None) -> None:
    """Byte-compile the `repodoc_ls` under test, as installing it does. With
    PYTHONDONTWRITEBYTECODE set (as on this project's machines) an editable checkout is
    never compiled, so every step's process compiled each module it imported: 0.3-0.5 s
    of its interpreter start (importing `repodoc_ls.cli`: 0.68-0.77 s without `.pyc`
    files, 0.19-0.38 s with them, on a loaded machine), which no installed copy pays."""
    import compileall

    root = Path(code) if code else Path(__file__).resolve().parents[1]
    compileall.compile_dir(str(root / "repodoc_ls"), quiet=1)


def python_files(root: Path, exclude: list[str]) -> list[Path]:
    skip = {e.rstrip("/") for e in exclude if "*" not in e}
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(
            d for d in dirs if d not in skip and d != "__pycache__" and not d.startswith("config-")
        )
        out += [Path(folder) / f for f in sorted(files) if f.endswith(".py")]
    return out


def time_ast_parse(files: list[Path]) -> float:
    sources = []
    for f in files:
        try:
            sources.append(f.read_bytes())
        except OSError:
            pass
    start = time.perf_counter()
    for src in sources:
        try:
            ast.parse(src)
        except (SyntaxError, ValueError):
            pass
    return time.perf_counter() - start


def child(root: str, cache: str, exclude: list[str], jobs: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from repodoc_ls.config import load_settings
    from repodoc_ls.index.indexer import Index

    settings = load_settings(
        root,
        {
            "cache_dir": cache,
            "exclude": exclude,
            "include": ["*.py"],
            "output_dir": os.path.join(cache, "out"),
            "jobs": jobs,
        },
    )
    start = time.perf_counter()
    index = Index.build(settings)
    seconds = time.perf_counter() - start
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "files": index.stats.files,
                "extracted": index.stats.extracted,
                "symbols": index.symbol_count(),
                "rss_mb": (self_rss + child_rss) / 1024,
            }
        )
    )


def run_build(root: Path, cache: Path, exclude: list[str], jobs: int) -> dict:
    cmd = [sys.executable, __file__, "--child", str(root), str(cache), json.dumps(exclude), str(jobs)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def bench(name: str, root: Path, exclude: list[str], jobs: int) -> None:
    files = python_files(root, exclude)
    parse = time_ast_parse(files)
    cache = Path(tempfile.mkdtemp(prefix=f"repodoc-{name}-"))
    try:
        cold = run_build(root, cache, exclude, jobs)
        warm = run_build(root, cache, exclude, jobs)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    print(f"\n{name}: {root}")
    print(f"  files {cold['files']}  symbols {cold['symbols']}  ast.parse (1 process) {parse:.2f}s")
    print(
        f"  cold build {cold['seconds']:.2f}s  = {cold['seconds'] / parse:.2f}x ast.parse"
        f"   (target <= 1.5x)   peak RSS {cold['rss_mb']:.0f} MB"
    )
    print(
        f"  warm build {warm['seconds']:.2f}s  = {warm['seconds'] / parse:.3f}x ast.parse"
        f"   (target <= 0.1x)   peak RSS {warm['rss_mb']:.0f} MB   re-extracted {warm['extracted']}"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), int(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", help="stdlib, torch or a folder (repeatable)")
    parser.add_argument("--jobs", type=int, default=0)
    args = parser.parse_args()
    for corpus in args.corpus or ["stdlib", "torch"]:
        if corpus == "stdlib":
            bench("stdlib", Path(sysconfig.get_paths()["stdlib"]), STDLIB_EXCLUDE, args.jobs)
        elif corpus == "torch":
            root = torch_corpus()
            if root is None:
                print("\ntorch: skipped (torch==2.13.0 wheel cannot be had here)")
            else:
                bench("torch", root, [], args.jobs)
        else:
            bench(Path(corpus).name, Path(corpus), [], args.jobs)


if __name__ == "__main__":
    main()
