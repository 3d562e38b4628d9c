"""What the export's link records cost: `quick_parse` of each rendered page against the
rendering of that page, per page kind (a file's pages per file kind: Python, `.po`, `.mo`,
`.txt`, `.html`, `.md`, other), in CPU time of one process (steadier than wall time
on a busy machine), as ratios to `read + ast.parse` of the corpus's `.py` files measured in
the same run.

Usage: python bench/linkrecords.py [--corpus stdlib|django|PATH] [--code CHECKOUT]

`--code` also times another checkout's `docs/quicklinks.py` on the same pages (a "before"
figure from the same run) and checks that both give the same records.
"""

from __future__ import annotations

import argparse
import importlib.util
import posixpath
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from export import corpus_path, cpu_ast_parse  # noqa: E402
from index import STDLIB_EXCLUDE, python_files  # noqa: E402

from repodoc_ls.config import load_settings  # noqa: E402
from repodoc_ls.docs.quicklinks import quick_parse  # noqa: E402
from repodoc_ls.docs.render import Renderer  # noqa: E402
from repodoc_ls.index.indexer import Index  # noqa: E402


def other_quick_parse(checkout: str):  # type: ignore[no-untyped-def]
    """The checkout's quick_parse, with its own quickinline.py when it has one (bound while
    its quicklinks.py is loaded, then this checkout's module is put back)."""
    docs = Path(checkout) / "repodoc_ls" / "docs"
    ours = sys.modules.get("repodoc_ls.docs.quickinline")
    try:
        if (docs / "quickinline.py").exists():
            sys.modules["repodoc_ls.docs.quickinline"] = load(docs / "quickinline.py", "quickinline_other")
        return load(docs / "quicklinks.py", "quicklinks_other").quick_parse
    finally:
        if ours is None:
            sys.modules.pop("repodoc_ls.docs.quickinline", None)
        else:
            sys.modules["repodoc_ls.docs.quickinline"] = ours


def load(path: Path, name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: Non-Python files counted apart (Django's catalogs, compiled catalogs, text, templates).
SUFFIXES = (".po", ".mo", ".txt", ".html", ".md")


def file_kind(renderer: Renderer, path: str) -> str:
    """A file page's row: " py" for Python, its suffix for the kinds above, else " other"."""
    facts = renderer.index.file(path)
    if facts is not None and facts.is_python:
        return " py"
    suffix = posixpath.splitext(path)[1].lower()
    return f" {suffix}" if suffix in SUFFIXES else " other"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="stdlib")
    parser.add_argument("--code", help="also time this checkout's quicklinks on the same pages")
    args = parser.parse_args()
    root, _ = corpus_path(args.corpus)
    other = other_quick_parse(args.code) if args.code else None
    parse = min(cpu_ast_parse(python_files(root, STDLIB_EXCLUDE)) for _ in range(2))
    render: Counter[str] = Counter()
    quick: Counter[str] = Counter()
    before: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    size: Counter[str] = Counter()
    gave_up: Counter[str] = Counter()
    differ = 0
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            str(root), {"cache_dir": f"{tmp}/cache", "output_dir": f"{tmp}/out", "exclude": STDLIB_EXCLUDE}
        )
        renderer = Renderer(Index.build(settings))
        renderer.prepare()
        for unit in renderer.units():
            kind = unit.kind + file_kind(renderer, unit.path) if unit.kind in ("docs", "kw") else unit.kind
            start = time.process_time()
            rendered = renderer.render_unit(unit)
            render[kind] += time.process_time() - start
            for result in rendered.values():
                start = time.process_time()
                found = quick_parse(result.text)
                quick[kind] += time.process_time() - start
                pages[kind] += 1
                size[kind] += len(result.text.encode("utf-8"))
                gave_up[kind] += found is None
                if other is not None:
                    start = time.process_time()
                    differ += other(result.text) != found
                    before[kind] += time.process_time() - start
    print(f"corpus {args.corpus}: read + ast.parse of the .py files, CPU: {parse:.2f} s")
    head = f"{'kind':<12}{'pages':>8}{'MB':>8}{'render s':>10}{'quick s':>9}{'quick/render':>14}"
    print(head + (f"{'before s':>10}{'before/render':>15}" if other else "") + f"{'gave up':>9}")
    for kind in [*render, "all"]:
        pick = (lambda c: sum(c.values())) if kind == "all" else (lambda c: c[kind])  # noqa: B023
        r, q, b = pick(render), pick(quick), pick(before)
        row = (
            f"{kind:<12}{pick(pages):>8,}{pick(size) / 1e6:>8.1f}{r:>10.2f}{q:>9.2f}{q / max(r, 1e-9):>14.2f}"
        )
        if other:
            row += f"{b:>10.2f}{b / max(r, 1e-9):>15.2f}"
        print(row + f"{pick(gave_up):>9,}")
    r, q, b = sum(render.values()), sum(quick.values()), sum(before.values())
    print(
        f"x parse: render {r / parse:.2f}, quick {q / parse:.2f}"
        + (f", before {b / parse:.2f}" if other else "")
    )
    if other is not None:
        print(f"pages whose records differ between the two checkouts: {differ}")


if __name__ == "__main__":
    main()
