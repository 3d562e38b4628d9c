"""The import graph a folder's `doc.md` draws (Mermaid), bounded by nodes and by edges.

A graph that fits is drawn whole. A larger one is drawn by subpackage (one node per
subfolder, its modules' imports merged) when that fits; otherwise its most imported modules
are drawn, and of their imports those into the most imported first. The page says what it
left out, so a reader never takes a partial graph for the whole.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, NamedTuple

from repodoc_ls.docs.folderview import under

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer


class ImportGraph(NamedTuple):
    diagram: str
    hidden_modules: int  # modules not drawn
    hidden_edges: int  # imports between drawn nodes not drawn
    grouped: int  # modules drawn inside a subpackage's node (0: every node is a module)


def mermaid_label(value: str) -> str:
    """A Mermaid node label, quoted: entity codes for the characters Mermaid would read."""
    escaped = value.replace("#", "#35;").replace('"', "#quot;").replace("`", "#96;")
    escaped = escaped.replace("<", "#lt;").replace(">", "#gt;").replace("&", "#amp;")
    escaped = " ".join(escaped.split())  # no line breaks inside a label
    return f'"{escaped}"'


def import_graph(
    renderer: Renderer, folder: str, subtree: list[str], max_nodes: int, max_edges: int
) -> ImportGraph | None:
    """The import edges between the files of `subtree`, drawn relative to `folder`; None
    when there are none."""
    inside = set(subtree)
    edges: set[tuple[str, str]] = set()
    import_targets = renderer.graph.import_targets
    for path in subtree:
        targets = import_targets(path)[0]  # (read from no file's facts)
        if targets:
            source = under(folder, path)
            edges.update((source, under(folder, target)) for target in targets & inside)
    if not edges:
        return None
    nodes = {n for edge in edges for n in edge}
    if len(nodes) <= max_nodes and len(edges) <= max_edges:
        return ImportGraph(_draw(sorted(nodes), sorted(edges)), 0, 0, 0)
    grouped = _by_subpackage(edges, nodes)
    grouped_nodes = {n for edge in grouped for n in edge}
    if 1 < len(grouped_nodes) <= max_nodes and len(grouped) <= max_edges:
        members = sum(1 for n in nodes if "/" in n)
        return ImportGraph(_draw(sorted(grouped_nodes), sorted(grouped)), 0, 0, members)
    fan_in = Counter(target for _, target in edges)
    shown = set(sorted(nodes, key=lambda n: (-fan_in[n], n))[:max_nodes])
    between = [e for e in edges if e[0] in shown and e[1] in shown]
    kept = sorted(between, key=lambda e: (-fan_in[e[1]], e))[:max_edges]
    return ImportGraph(
        _draw(sorted(shown), sorted(kept)), len(nodes) - len(shown), len(between) - len(kept), 0
    )


def _by_subpackage(edges: set[tuple[str, str]], nodes: set[str]) -> set[tuple[str, str]]:
    """The edges between subfolders (`mime/`) and the folder's own modules, within one dropped."""
    group = {}
    for node in nodes:  # (a large tree has several edges per node)
        head, sep, _ = node.partition("/")
        group[node] = f"{head}/" if sep else node
    grouped = {(group[a], group[b]) for a, b in edges}
    return {(a, b) for a, b in grouped if a != b}


def _draw(nodes: list[str], edges: list[tuple[str, str]]) -> str:
    ids = {node: f"n{i}" for i, node in enumerate(nodes)}
    lines = ["flowchart LR"]
    lines += [f"    {ids[node]}[{mermaid_label(node)}]" for node in nodes]
    lines += [f"    {ids[a]} --> {ids[b]}" for a, b in edges]
    return "\n".join(lines)
