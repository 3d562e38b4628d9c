"""CPU time of the index hover (no jedi, no protocol) on `bench/lsp.py`'s 200 positions.

Usage: python bench/hover_cpu.py [--root PATH] [--hovers 200] [--seed 7] [--rounds 3]

In one process: index the root (the stdlib by default, as `bench/lsp.py` does), then call
`hover.index_hover` at each position, `--rounds` times over (the first round parses every
region; later ones find them cached), measuring each call's process CPU time, which the
other processes of a loaded machine do not inflate as they do wall time. The repodoc_ls
measured is the one on `PYTHONPATH` (run it once with the tree before a change and once
after). Ratios are to `read + ast.parse` of the hovered files, measured in the same run.
"""

from __future__ import annotations

import argparse
import ast
import statistics
import sys
import sysconfig
import time
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lsp import STDLIB_EXCLUDE, hover_positions, pct  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--hovers", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folders", default="email,asyncio")
    args = parser.parse_args()

    import repodoc_ls
    from repodoc_ls.config import load_settings
    from repodoc_ls.index.indexer import Index
    from repodoc_ls.server import hover
    from repodoc_ls.server.folders import split_lines
    from repodoc_ls.server.hover_format import Format, HoverContext

    root = Path(args.root).resolve()
    positions = hover_positions(root, args.hovers, args.seed, [f for f in args.folders.split(",") if f])
    settings = load_settings(root, {"exclude": STDLIB_EXCLUDE})
    index = Index.build(settings, persistent=False)
    folder = SimpleNamespace(root=root, index=index, settings=settings, uri=root.as_uri(), partial=False)
    texts: dict[str, list[str]] = {}

    def lines(_folder: object, rel: str) -> list[str]:
        if rel not in texts:
            texts[rel] = split_lines((root / rel).read_text(encoding="utf-8", errors="replace"))
        return texts[rel]

    ctx = HoverContext(SimpleNamespace(lines=lines), folder, Format(markdown=True))
    parse_cpu = time.process_time()
    for path, _ in positions:
        ast.parse(path.read_bytes())
    parse_cpu = time.process_time() - parse_cpu

    print(
        f"repodoc_ls from {Path(repodoc_ls.__file__).parent}; {sum(len(p) for _, p in positions)} positions"
    )
    print(f"read + ast.parse of the {len(positions)} hovered files: {parse_cpu * 1000:.1f} ms CPU")
    for round_ in range(1, args.rounds + 1):
        times: list[float] = []
        answered = 0
        for path, picks in positions:
            rel = path.relative_to(root).as_posix()
            file_lines = lines(None, rel)
            for line, col, _name in picks:
                started = time.process_time()
                text, _word = hover.index_hover(ctx, rel, file_lines, line, col - 1)
                times.append((time.process_time() - started) * 1000)
                answered += text is not None
        total = sum(times)
        print(
            f"round {round_}: answered without jedi {answered}; CPU per hover p50 {statistics.median(times):.2f} "
            f"/ p95 {pct(times, 95):.2f} / max {max(times):.2f} ms; total {total:.1f} ms "
            f"({total / 1000 / parse_cpu:.2f}x the parse)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
