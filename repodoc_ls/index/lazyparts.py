"""Per-file parts of adopted reference records, each decoded on first use.

An export after a one-file edit adopts every file's saved reference record but reads the
lookups and interfaces of a few files only: unmarshalling all of them cost ten times
fetching them from the store (Django: 0.2 s against 0.02 s). A part that does not decode,
or decodes to the wrong shape (the store is untrusted input), is dropped as if it had never
been saved, and its path reported to `damaged`. Iteration over the paths decodes nothing;
`items()` and `values()` decode what is left first. Decoding happens under a lock, so that
a value set meanwhile (by a thread holding the index's lock) is never overwritten by the
one it replaced: `ReferenceIndex.prepare` reads interfaces off that lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, ItemsView, Iterator, Mapping, MutableMapping, ValuesView
from typing import Generic, TypeVar

V = TypeVar("V")

_ABSENT = object()


class DecodedOnUse(MutableMapping[str, V], Generic[V]):
    """path -> value, where a value may still be the bytes it is decoded from. The values
    themselves are never `bytes`."""

    __slots__ = ("_values", "_decode", "damaged", "_lock")

    def __init__(self, decode: Callable[[bytes], V], damaged: Callable[[str], None] | None = None) -> None:
        #: raises (any exception) on bytes that do not hold a valid value
        self._decode = decode
        self.damaged = damaged
        self._values: dict[str, object] = {}
        self._lock = threading.Lock()

    def put_encoded(self, encoded: Mapping[str, bytes]) -> None:
        """Values by path, each to be decoded from its bytes when first needed."""
        with self._lock:
            self._values.update(encoded)

    def encoded(self, path: str, encode: Callable[[V], bytes]) -> bytes:
        """`path`'s value as bytes: the ones it was put as, while not decoded."""
        found = self._values[path]
        return found if type(found) is bytes else encode(found)  # type: ignore[arg-type]

    def decoded(self, path: str) -> bool:
        """Whether `path`'s value is in memory already (for tests and measurements)."""
        return type(self._values.get(path)) is not bytes

    def __getitem__(self, path: str) -> V:
        found = self._values[path]
        if type(found) is bytes:
            return self._decoded(path)
        return found  # type: ignore[return-value]

    def get(self, path: str, default: V | None = None) -> V | None:  # type: ignore[override]
        found = self._values.get(path, _ABSENT)
        if found is _ABSENT:
            return default
        if type(found) is bytes:
            try:
                return self._decoded(path)
            except KeyError:  # damaged: dropped
                return default
        return found  # type: ignore[return-value]

    def __contains__(self, path: object) -> bool:
        """(True for a part whose damage is not known yet: it is not decoded for this.)"""
        return path in self._values

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __setitem__(self, path: str, value: V) -> None:
        with self._lock:
            self._values[path] = value

    def __delitem__(self, path: str) -> None:
        with self._lock:
            del self._values[path]

    def discard(self, path: str) -> None:
        """Drop `path`'s value, without decoding it."""
        with self._lock:
            self._values.pop(path, None)

    def items(self) -> ItemsView[str, V]:
        self.decode_all()
        return self._values.items()  # type: ignore[return-value]

    def values(self) -> ValuesView[V]:
        self.decode_all()
        return self._values.values()  # type: ignore[return-value]

    def decode_all(self) -> None:
        for path, found in list(self._values.items()):
            if type(found) is bytes:
                try:
                    self._decoded(path)
                except KeyError:  # damaged: dropped
                    pass

    def _decoded(self, path: str) -> V:
        """`path`'s value, decoded now; KeyError if it is damaged (then dropped)."""
        with self._lock:
            # (read again: decoded, replaced or dropped by another thread meanwhile?)
            found = self._values.get(path, _ABSENT)
            if found is _ABSENT:
                raise KeyError(path)
            if type(found) is not bytes:
                return found  # type: ignore[return-value]
            try:
                value = self._decode(found)
            except Exception:  # untrusted bytes: whatever they raise, the part is unknown
                del self._values[path]
            else:
                self._values[path] = value
                return value
        if self.damaged is not None:
            self.damaged(path)
        raise KeyError(path)
