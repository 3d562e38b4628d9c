"""Workspace symbols by their name, kept current file by file.

What "which definitions are named `cancel`?" asks (the hover of an attribute whose
receiver has no known type lists them as candidates). Built on the first question; after
that an edit costs the edited files' symbols only: `Graph.update` marks the changed and
removed files, and the next question re-reads those alone. Entries are a function of each
file's own facts (no module map, no resolution), so no other file is ever stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from repodoc_ls.model import FileFacts, SymbolRef


class NamesIndex:
    def __init__(self, facts: Callable[[], Mapping[str, FileFacts]]) -> None:
        self.facts = facts  # the current facts (the index replaces its dict when a file is added)
        # name -> path -> that file's symbols of that name (in file order)
        self._by_name: dict[str, dict[str, list[SymbolRef]]] | None = None
        self._names_of: dict[str, set[str]] = {}  # path -> the names it has entries under
        self._dirty: set[str] = set()

    @property
    def built(self) -> bool:
        return self._by_name is not None

    def changed(self, paths: Iterable[str]) -> None:
        """Files whose facts changed, appeared or were removed."""
        if self._by_name is not None:
            self._dirty.update(paths)

    def named(self, name: str) -> list[SymbolRef]:
        """Every symbol whose name (the last part of its qualified name) is `name`, by path
        and line."""
        by_name = self._current()
        per_path = by_name.get(name)
        if not per_path:
            return []
        return [ref for path in sorted(per_path) for ref in per_path[path]]

    def _current(self) -> dict[str, dict[str, list[SymbolRef]]]:
        if self._by_name is None:
            self._by_name = {}
            self._dirty = set(self.facts())
        by_name = self._by_name
        for path in sorted(self._dirty):
            for name in self._names_of.pop(path, ()):
                entries = by_name[name]
                del entries[path]
                if not entries:
                    del by_name[name]
            facts = self.facts().get(path)
            if facts is None:
                continue
            names: set[str] = set()
            for s in facts.symbols:
                by_name.setdefault(s.name, {}).setdefault(path, []).append(SymbolRef.of(path, s))
                names.add(s.name)
            if names:
                self._names_of[path] = names
        self._dirty.clear()
        return by_name
