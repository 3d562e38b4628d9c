"""The index's facts by path, each stored record decoded on first use.

A warm start reads every file's record from the store, but one query (a hover, a one-file
export) needs a few of them: decoding all of them up front cost more than the rest of the
load. Iteration over the paths decodes nothing; `items()` and `values()` (a walk over every
file's facts) decode what is left at once, with the cyclic GC off, as the build would have.
Paths are kept sorted, as the index's plain dict was. A record is decoded under a lock, so
that two threads asking for it get the same object, and an edit applied meanwhile (by a
thread holding the index's lock) is never overwritten by the facts it replaced.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, ItemsView, Iterator, Mapping, MutableMapping, ValuesView

from repodoc_ls.model import FactsHeader, FileFacts

_PENDING = object()  # a path whose stored record is not decoded yet

#: Called with a path whose stored record does not decode: the facts to use instead.
Fallback = Callable[[str], FileFacts]


class LazyFacts(MutableMapping[str, FileFacts]):
    __slots__ = ("_facts", "_records", "fallback", "_lock")

    def __init__(
        self,
        decoded: Mapping[str, FileFacts] | None = None,
        records: Mapping[str, bytes] | None = None,
        fallback: Fallback | None = None,
    ) -> None:
        records = {p: b for p, b in (records or {}).items() if decoded is None or p not in decoded}
        merged: dict[str, object] = dict.fromkeys(records, _PENDING)
        merged.update(decoded or {})
        self._facts = dict(sorted(merged.items(), key=_first))
        self._records = records
        self.fallback = fallback
        self._lock = threading.Lock()

    def __getitem__(self, path: str) -> FileFacts:
        found = self._facts[path]
        if found is _PENDING:
            return self._decode(path)
        return found  # type: ignore[return-value]

    def get(self, path: str, default: FileFacts | None = None) -> FileFacts | None:  # type: ignore[override]
        found = self._facts.get(path, default)
        if found is _PENDING:
            return self._decode(path)
        return found  # type: ignore[return-value]

    def header(self, path: str) -> FactsHeader:
        """What folder pages read of a file (model.FactsHeader): from its stored record's
        header when its facts are not decoded, without decoding the rest."""
        found = self._facts[path]
        if found is not _PENDING:
            return found.header  # type: ignore[attr-defined,no-any-return]
        record = self._records.get(path)
        if record is not None:
            try:
                return FileFacts.header_from_bytes(record)
            except ValueError:
                pass  # (decoding it whole brings in the fallback's facts)
        return self[path].header

    def __contains__(self, path: object) -> bool:
        return path in self._facts

    def __iter__(self) -> Iterator[str]:
        return iter(self._facts)

    def __len__(self) -> int:
        return len(self._facts)

    def __setitem__(self, path: str, facts: FileFacts) -> None:
        with self._lock:
            self._records.pop(path, None)
            new = path not in self._facts
            self._facts[path] = facts
            if new:
                self._facts = dict(sorted(self._facts.items(), key=_first))

    def __delitem__(self, path: str) -> None:
        with self._lock:
            del self._facts[path]
            self._records.pop(path, None)

    def items(self) -> ItemsView[str, FileFacts]:
        self.decode_all()
        return self._facts.items()  # type: ignore[return-value]

    def values(self) -> ValuesView[FileFacts]:
        self.decode_all()
        return self._facts.values()  # type: ignore[return-value]

    def pending(self) -> set[str]:
        """The paths whose stored record is not decoded yet."""
        return set(self._records)

    def decoded(self, path: str) -> bool:
        """Whether `path`'s facts are in memory already (for tests and measurements)."""
        return self._facts.get(path, _PENDING) is not _PENDING

    def decode_all(self) -> None:
        """Decode every record not yet decoded (before a walk over every file's facts, or
        before forking workers that would each decode them again)."""
        if not self._records:
            return
        enabled = gc.isenabled()
        gc.disable()  # millions of objects that stay alive: a GC pass would only rescan them
        try:
            for path in list(self._records):
                if path in self._facts:  # not removed by another thread meanwhile
                    self._decode(path)
        finally:
            if enabled:
                gc.enable()
                # They live as long as the index: keep them out of every later GC pass, as
                # the build does with what it decoded itself (Index.build).
                gc.freeze()

    def _decode(self, path: str) -> FileFacts:
        with self._lock:
            found = self._facts[path]
            if found is not _PENDING:  # decoded (or replaced) by another thread meanwhile
                return found  # type: ignore[return-value]
            try:
                facts = FileFacts.from_bytes(self._records[path])
            except Exception:  # an unreadable record is not trusted: the fallback extracts the file
                if self.fallback is None:
                    raise
                facts = self.fallback(path)
            self._facts[path] = facts
            del self._records[path]
            return facts


def _first(item: tuple[str, object]) -> str:
    return item[0]
