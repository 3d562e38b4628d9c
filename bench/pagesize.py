"""Page size: how many bytes of each file page come before its Source section, and how much
of that is anchors and link targets.

Usage: python bench/pagesize.py PATH [PATH ...] [--files a.py,b.py] [--json OUT]

Each PATH is a workspace (requests, rich, ...), copied to a temporary folder and exported
with the default settings. For every Python file page it prints the bytes before
`## Source`, the source file's own size (the ratio tells whether a page says more about a
file than the file itself), and the share of those bytes that are `<a id="...">` tags or
link targets `](...)`. Sizes, not times: nothing here depends on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

_ANCHOR = re.compile(r'<a id="[^"]*"></a>')
_TARGET = re.compile(r"\]\([^)\s]*\)")
#: The lines a function's documented parameters, return value and exceptions take (new
#: information since issue 12, counted apart so that noise and information are not mixed).
_DETAIL = re.compile(r"^ *- (Parameters: |Returns |Raises ).*$", re.M)


def measure(root: Path) -> dict[str, dict[str, int]]:
    from repodoc_ls.config import load_settings
    from repodoc_ls.docs.export import export
    from repodoc_ls.index.indexer import Index

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / root.name
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__"))
        settings = load_settings(
            str(work), {"cache_dir": f"{tmp}/cache", "output_dir": f"{tmp}/out", "jobs": 1}
        )
        export(Index.build(settings, defer_store=True))
        out: dict[str, dict[str, int]] = {}
        for page in sorted(Path(tmp, "out").rglob("*.py_docs.md")):
            text = page.read_text(encoding="utf-8")
            head = text.split("\n## Source\n", 1)[0]
            rel = str(page.relative_to(Path(tmp, "out")))[: -len("_docs.md")]
            source = work / rel
            out[rel] = {
                "before_source": len(head.encode()),
                "source": source.stat().st_size if source.is_file() else 0,
                "anchors": sum(len(m.group().encode()) for m in _ANCHOR.finditer(head)),
                "targets": sum(len(m.group().encode()) - 3 for m in _TARGET.finditer(head)),
                "details": sum(len(m.group().encode()) + 1 for m in _DETAIL.finditer(head)),
            }
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--files", default="", help="comma-separated page paths to print in full")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()
    every = {}
    for root in args.paths:
        figures = measure(root)
        every[root.name] = figures
        head = sum(f["before_source"] for f in figures.values())
        source = sum(f["source"] for f in figures.values())
        noise = sum(f["anchors"] + f["targets"] for f in figures.values())
        larger = sum(1 for f in figures.values() if f["before_source"] > f["source"])
        details = sum(f.get("details", 0) for f in figures.values())
        print(
            f"{root.name}: {len(figures)} pages, {head:,} bytes before Source "
            f"({head / max(source, 1):.2f}x the sources' {source:,}), "
            f"{noise / max(head, 1):.0%} anchors and link targets, {details:,} bytes of "
            "parameters/returns/raises; "
            f"{larger} pages say more before Source than their file holds"
        )
        for name in filter(None, args.files.split(",")):
            for rel, f in figures.items():
                if rel == name or rel.endswith("/" + name):
                    share = (f["anchors"] + f["targets"]) / max(f["before_source"], 1)
                    print(
                        f"  {rel}: {f['before_source']:,} bytes before Source, source "
                        f"{f['source']:,}, anchors {f['anchors']:,}, targets {f['targets']:,} ({share:.0%}), "
                        f"parameters/returns/raises {f.get('details', 0):,}"
                    )
    if args.json:
        args.json.write_text(json.dumps(every, indent=1))


if __name__ == "__main__":
    main()
