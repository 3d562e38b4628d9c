"""The module map's rules: which dotted names a file answers to, given the package folders
(those holding an `__init__` module), and what a module added or removed can change.

Functions of paths alone: `graph.py` builds the workspace's module map with them, and a
warm start (`indexer.py`) compares the map its saved resolutions were made under with
today's before it reuses them.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Set


def module_parts(path: str) -> list[str] | None:
    """["a", "b", "c"] for "a/b/c.py" or "a/b/c/__init__.py"; None when not a module."""
    if path.endswith(".py"):
        stem = path[:-3]
    elif path.endswith(".pyi"):
        stem = path[:-4]
    else:
        return None
    parts = stem.split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return parts


def _is_identifier_path(parts: list[str]) -> bool:
    return bool(parts) and all(p.isidentifier() for p in parts)


def package_dirs(paths: Iterable[str]) -> set[str]:
    """The folders holding an `__init__` module."""
    return {folder for folder, _, name in map(_split, paths) if name in ("__init__.py", "__init__.pyi")}


def module_names(path: str, packages: Container[str]) -> list[str]:
    """Dotted names the file can be imported as, the canonical one first, where the
    package folders are `packages`."""
    parts = module_parts(path)
    if parts is None:
        return []
    # The package root: the nearest ancestor folder that is not itself a package.
    folder_parts = path.split("/")[:-1]
    depth = len(folder_parts)
    while depth > 0 and "/".join(folder_parts[:depth]) in packages:
        depth -= 1
    candidates = []
    in_package = depth < len(folder_parts) or path.endswith(("__init__.py", "__init__.pyi"))
    from_package_root = parts[depth:]
    from_src = parts[1:] if parts and parts[0] in ("src", "lib") else None
    ordered = [from_package_root, from_src, parts] if in_package else [parts, from_src, from_package_root]
    for p in ordered:
        if p is not None and _is_identifier_path(p):
            name = ".".join(p)
            if name not in candidates:
                candidates.append(name)
    return candidates


def top_level_names(paths: Iterable[str], packages: Container[str]) -> set[str]:
    """The first parts of the modules' dotted names (`Graph.top_level_names`)."""
    return {
        name.split(".")[0]
        for path in paths
        if path.endswith((".py", ".pyi"))
        for name in module_names(path, packages)
    }


def renamed_below(paths: Iterable[str], packages_before: Set[str], packages_after: Set[str]) -> set[str]:
    """The files whose dotted names changed because a package folder above them appeared or
    vanished (its `__init__` module added or removed)."""
    flipped = packages_before ^ packages_after
    if not flipped:
        return set()
    if "" in flipped:  # the workspace's root itself
        return set(paths)
    prefixes = tuple(f"{folder}/" for folder in flipped)
    return {path for path in paths if path.startswith(prefixes)}


def names_moved(moved: Iterable[str], maps: Iterable[Container[str]], tops_changed: set[str]) -> set[str]:
    """The names through which modules added, removed or renamed (`moved`, under the module
    maps whose package folders are `maps`: before and after) can change where an import
    leads: each module name's last part (the candidates of that dotted name changed), each
    file's stem (a relative import's candidate path), and the top-level names that appeared
    or vanished (`tops_changed`: an import's category). An import that mentions none of
    them (its resolution's mentioned names) resolves as before."""
    reach = set(tops_changed)
    maps = list(maps)
    for path in moved:
        for packages in maps:
            reach.update(name.rpartition(".")[2] for name in module_names(path, packages))
        parts = module_parts(path)
        if parts:
            reach.add(parts[-1])
    return reach


def _split(path: str) -> tuple[str, str, str]:
    return path.rpartition("/")
