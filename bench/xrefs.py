"""Cross-reference benchmark: repodoc's "used by" lines against jedi's `get_references`.

Usage: python bench/xrefs.py [--projects requests,attrs,rich] [--sample 100] [--seed 11] [--jobs 2]
                             [--cache DIR] [--show N]

For each project, its sdist (the wheel when there is no sdist) is fetched at bench time
with `pip download --no-deps` into the cache folder and unpacked there. repodoc indexes the
unpacked folder (a cold build through `Index.build`, in this process); a fixed-seed sample
of `--sample` functions and methods defined outside the tests (nested functions and
`__dunder__` methods left out: their uses are implicit) is drawn from the index. For each,
repodoc's answer is `Index.references(path, qualname)` (the lines the "used by" sections,
hover and `textDocument/references` show); the oracle's is jedi's
`Script.get_references` at the definition's name, project scope: slow, but it infers.

jedi reads a copy of the project's `.py` files alone (as repodoc indexes them): with a
package's `.pyi` stubs beside them, jedi would resolve a use through the package to the
stub and not count it. Both sides are compared as sets of (file, line), leaving out the definition's own line and
any line where jedi says the name is (re)bound, such as `from m import f`: an import is not
a use to jedi, and is one to repodoc's "used by", so neither side is counted there. Printed
per project: precision (the share of repodoc's lines jedi confirms) and recall (the share of
jedi's lines repodoc finds), and the wall time of each side against `ast.parse` of the same
files in the same run. jedi's answers are cached on disk by the content hash of the
project's files (`--cache`), so a second run costs repodoc's side only.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "repodoc-bench" / "xrefs"
PROJECTS = ["requests", "attrs", "rich"]


# -- the corpus --------------------------------------------------------------------------


def fetch(project: str, cache: Path) -> Path | None:
    """The unpacked sdist (or wheel) of `project` under `cache`, or None when pip cannot
    get it."""
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)

    def archives() -> list[Path]:
        found = [p for p in downloads.iterdir() if p.name.lower().startswith(project.lower() + "-")]
        return sorted(found, key=lambda p: (not p.name.endswith(".tar.gz"), p.name))

    if not archives():
        for extra in (["--no-binary", ":all:"], []):  # the sdist, with its tests; else the wheel
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                *extra,
                project,
                "-d",
                str(downloads),
            ]
            if subprocess.run(cmd, capture_output=True).returncode == 0 and archives():
                break
    if not archives():
        return None
    archive = archives()[0]
    target = cache / "src" / archive.name.removesuffix(".tar.gz").removesuffix(".whl")
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    if archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as tf:
            tf.extractall(target, filter="data")
        inner = [p for p in target.iterdir()]
        if len(inner) == 1 and inner[0].is_dir():  # an sdist's single top folder
            for p in inner[0].iterdir():
                p.rename(target / p.name)
            inner[0].rmdir()
    else:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(target)
    (target / ".complete").write_text("")
    return target


def python_files(root: Path) -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        out += [Path(folder) / f for f in sorted(files) if f.endswith(".py")]
    return out


def is_test_path(rel: str) -> bool:
    parts = rel.split("/")
    return any(p in ("test", "tests", "testing") or p.startswith("test_") for p in parts)


# -- repodoc's side ----------------------------------------------------------------------


def repodoc_index(root: Path, cache: Path):
    sys.path.insert(0, str(REPO))
    from repodoc_ls.config import load_settings
    from repodoc_ls.index.indexer import Index

    folder = Path(tempfile.mkdtemp(prefix="repodoc-xrefs-", dir=cache))
    settings = load_settings(
        root, {"cache_dir": str(folder), "output_dir": str(folder / "out"), "include": ["*.py"]}
    )
    try:
        return Index.build(settings, persistent=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def sample_targets(index, size: int, seed: int) -> list[tuple[str, str, int, int, str]]:
    """(path, qualname, line, col, name) of a fixed-seed sample of functions and methods."""
    from repodoc_ls.model import SymbolKind

    found = []
    for path in sorted(index.paths()):
        facts = index.file(path)
        if facts is None or not facts.is_python or is_test_path(path):
            continue
        for s in facts.symbols:
            if s.kind not in (SymbolKind.FUNCTION, SymbolKind.METHOD) or s.local:
                continue
            if s.name.startswith("__") and s.name.endswith("__"):
                continue
            found.append((path, s.qualname, s.line, s.col, s.name))
    rng = random.Random(seed)
    return sorted(rng.sample(found, min(size, len(found))))


# -- jedi's side -------------------------------------------------------------------------


def jedi_references(job: tuple[str, str, int, int]) -> dict:
    """jedi's references to the name at (line, col) of `path` in the project at `root`:
    {"uses": [[file, line], ...], "bound": [[file, line], ...], "seconds": s}."""
    import jedi

    root, path, line, col = job
    started = time.perf_counter()
    # A `src/` layout's packages first: else jedi finds the same packages installed in its
    # environment (this bench's venv has attrs and rich), outside the project.
    src = Path(root, "src")
    project = jedi.Project(root, added_sys_path=[str(src)] if src.is_dir() else [])
    source = Path(root, path).read_text(encoding="utf-8", errors="replace")
    uses, bound = set(), set()
    try:
        refs = jedi.Script(source, path=str(Path(root, path)), project=project).get_references(
            line, col, scope="project", include_builtins=False
        )
    except Exception as exc:  # jedi has bugs on odd code: this target is left out
        return {"error": f"{type(exc).__name__}: {exc}", "seconds": time.perf_counter() - started}
    for ref in refs:
        if ref.module_path is None or not ref.line:
            continue
        try:
            rel = Path(ref.module_path).resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            continue  # outside the project (a stub, the stdlib)
        (bound if ref.is_definition() else uses).add((rel, ref.line))
    return {"uses": sorted(uses), "bound": sorted(bound), "seconds": time.perf_counter() - started}


def python_only(root: Path, cache: Path) -> Path:
    """A copy of the project's `.py` files alone, for jedi: with a package's `.pyi` stubs
    beside them, jedi resolves `attr.fields` to the stub and never counts it a use of
    `_make.fields`, while repodoc indexes the `.py` files; so both see the same files."""
    target = cache / "py-only" / root.name
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    for p in python_files(root):
        dest = target / p.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dest)
    (target / ".complete").write_text("")
    return target


def project_hash(root: Path) -> str:
    import jedi

    h = hashlib.sha256(jedi.__version__.encode() + b"\0src-first")
    for p in python_files(root):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()[:24]


def oracle_calls(root: Path, positions, cache: Path, jobs: int, kind: str = "") -> dict:
    """{(path, line, col): jedi's answer} for positions of the Python-only copy of `root`,
    cached on disk by the project's content hash."""
    store = cache / "jedi" / f"{root.name}-{project_hash(root)}{'-' + kind if kind else ''}.json"
    store.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(store.read_text()) if store.exists() else {}
    todo = [(str(root), p, line, col) for p, line, col in positions if f"{p}:{line}:{col}" not in known]
    if todo:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for job, answer in zip(todo, pool.map(jedi_references, todo, chunksize=4)):
                known[f"{job[1]}:{job[2]}:{job[3]}"] = answer
        store.write_text(json.dumps(known))
    return {(p, line, col): known[f"{p}:{line}:{col}"] for p, line, col in positions}


def oracle(root: Path, targets, cache: Path, jobs: int) -> tuple[dict, float, int]:
    """{(path, line, col): jedi's answer, aliases followed}, jedi's seconds (summed over
    calls), cache hits."""
    root = python_only(root, cache)
    store = cache / "jedi" / f"{root.name}-{project_hash(root)}.json"
    known = json.loads(store.read_text()) if store.exists() else {}
    hits = sum(f"{p}:{line}:{col}" in known for p, _, line, col, _ in targets)
    answers = oracle_calls(root, [(p, line, col) for p, _, line, col, _ in targets], cache, jobs)
    seconds = sum(a["seconds"] for a in answers.values())
    return follow_aliases(root, targets, answers, cache, jobs), seconds, hits


def module_of(rel: str) -> str:
    """The dotted module name of a project file (a `src/` layout's `src/` dropped)."""
    parts = rel.removesuffix(".py").split("/")
    if parts[0] == "src":
        parts = parts[1:]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(root: Path, rel: str, cache: dict) -> list[tuple[str, str, str | None, int, int]]:
    """(module, name, asname, line, column of the name bound) of each `from m import name`
    of a project file, relative imports resolved; parsed once per file."""
    if rel not in cache:
        found = []
        try:
            tree = ast.parse(Path(root, rel).read_bytes())
        except (OSError, SyntaxError, ValueError):
            tree = ast.Module(body=[], type_ignores=[])
        package = module_of(rel).split(".")
        if not rel.endswith("__init__.py"):
            package = package[:-1]
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                if node.level > len(package) + 1:
                    continue
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for a in node.names:
                bound = a.asname or a.name
                found.append((module, a.name, a.asname, a.lineno, (a.end_col_offset or 0) - len(bound)))
        cache[rel] = found
    return cache[rel]


def follow_aliases(root: Path, targets, answers: dict, cache: Path, jobs: int) -> dict:
    """jedi's answers, completed where jedi itself stops and its own answer says so.

    - `from m import f as g`: jedi counts the import line as a use of `f` and never follows
      the alias, so `g()` is missed. The alias is asked to jedi in turn (its references at
      the alias, project scope) and its answer joins the target's: jedi's answer, followed
      one step, never repodoc's. The import line becomes a binding (neutral).
    - A function that a file imports by name (`from m import f`, read with `ast`) while
      jedi's answer holds neither that import line nor any use: jedi did not see the
      importers at all (attrs' `lt`, `ge`, `gt`, whose names are also `operator`'s). The
      target is marked incomplete and left out of both figures, counted and printed.
    """
    parsed: dict = {}
    everything = [p.relative_to(root).as_posix() for p in python_files(root)]
    follow: dict[tuple[str, int, int], list[tuple[str, int, int]]] = {}
    for path, qualname, line, col, name in targets:
        answer = answers[(path, line, col)]
        if "error" in answer:
            continue
        lines = {tuple(u) for u in answer["uses"]} | {tuple(b) for b in answer["bound"]}
        module = module_of(path)
        for rel, n in sorted(lines):
            for mod, imported, asname, at, column in imports_of(root, rel, parsed):
                if at == n and mod == module and imported == name and asname:
                    follow.setdefault((path, line, col), []).append((rel, at, column))
        if "." not in qualname and not answer["uses"]:
            importers = [
                (rel, at)
                for rel in everything
                for mod, imported, _, at, _ in imports_of(root, rel, parsed)
                if mod == module and imported == name
            ]
            if importers and not any(i in lines for i in importers):
                answer["incomplete"] = True
    positions = sorted({a for aliases in follow.values() for a in aliases})
    aliased = oracle_calls(root, positions, cache, jobs, "aliases")
    for key, aliases in follow.items():
        answer = dict(answers[key])
        uses, bound = list(answer["uses"]), list(answer["bound"])
        for rel, at, column in aliases:
            more = aliased[(rel, at, column)]
            if "error" in more:
                continue
            uses += more["uses"]
            bound += more["bound"] + [[rel, at]]
        answer.update(uses=uses, bound=bound, aliases=len(aliases))
        answers[key] = answer
    return answers


# -- comparing ---------------------------------------------------------------------------


def compare(index, targets, answers) -> dict:
    tp = fp = fn = 0
    misses: list[str] = []
    wrong: list[str] = []
    skipped = aliases = 0
    incomplete: list[str] = []
    for path, qualname, line, col, _ in targets:
        answer = answers[(path, line, col)]
        if "error" in answer:
            skipped += 1
            continue
        if answer.get("incomplete"):
            incomplete.append(qualname)
            continue
        aliases += answer.get("aliases", 0)
        neutral = {(path, line)} | {tuple(b) for b in answer["bound"]}
        theirs = {tuple(u) for u in answer["uses"]} - neutral
        ours = {(f, n) for f, lines in index.references(path, qualname).items() for n in lines} - neutral
        tp += len(ours & theirs)
        fp += len(ours - theirs)
        fn += len(theirs - ours)
        misses += [f"{qualname} <- {f}:{n}" for f, n in sorted(theirs - ours)]
        wrong += [f"{qualname} <- {f}:{n}" for f, n in sorted(ours - theirs)]
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "confirmed": tp,
        "ours only": fp,
        "jedi only": fn,
        "skipped": skipped,
        "incomplete": incomplete,
        "aliases": aliases,
        "misses": misses,
        "wrong": wrong,
    }


def parse_seconds(root: Path) -> float:
    started = time.perf_counter()
    for p in python_files(root):
        try:
            ast.parse(p.read_bytes())
        except (SyntaxError, ValueError):
            pass
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", default=",".join(PROJECTS))
    parser.add_argument("--sample", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--jobs", type=int, default=2, help="processes running jedi (default 2)")
    parser.add_argument(
        "--cache", default=str(DEFAULT_CACHE), help=f"download and jedi cache ({DEFAULT_CACHE})"
    )
    parser.add_argument("--show", type=int, default=5, help="print up to N lines each side alone has")
    args = parser.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    rows = []
    for project in [p for p in args.projects.split(",") if p]:
        root = fetch(project, cache)
        if root is None:
            print(f"{project}: pip download failed: skipped", flush=True)
            continue
        baseline = parse_seconds(root)
        started = time.perf_counter()
        index = repodoc_index(root, cache)
        targets = sample_targets(index, args.sample, args.seed)
        index.references(*targets[0][:2]) if targets else None  # the reference index is built
        ours_s = time.perf_counter() - started
        answers, jedi_s, hits = oracle(root, targets, cache, args.jobs)
        result = compare(index, targets, answers)
        result.update(
            project=root.name, targets=len(targets), ours_x=ours_s / baseline, jedi_x=jedi_s / baseline
        )
        rows.append(result)
        print(
            f"{root.name}: {len(targets)} targets ({result['skipped']} skipped: jedi failed; "
            f"{len(result['incomplete'])} left out: jedi saw no importer; "
            f"{result['aliases']} `import as` aliases followed), "
            f"jedi answers cached for {hits}; index build {ours_s:.2f} s ({result['ours_x']:.1f}x ast.parse), "
            f"jedi {jedi_s:.1f} s ({result['jedi_x']:.0f}x ast.parse, summed as measured when computed)",
            flush=True,
        )
        for qualname in result["incomplete"]:
            print(f"  left out (jedi saw no importer): {qualname}")
        for label, key in (("jedi only (missed)", "misses"), ("repodoc only", "wrong")):
            for line in result[key][: args.show]:
                print(f"  {label}: {line}")
    print()
    print("| project | targets | precision | recall | confirmed | repodoc only | jedi only |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['project']} | {r['targets'] - r['skipped'] - len(r['incomplete'])} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['confirmed']} | {r['ours only']} | {r['jedi only']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
