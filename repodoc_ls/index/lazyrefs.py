"""The reference index's target -> file -> lines, built per target path when first read.

After a process adopts saved reference records, a one-file export reads the users of the
symbols of a few files: inverting every file's uses on adoption (the stdlib: 58,740 of
them) cost as much as the rest of adopting the records, and decoding every file's uses
as much again. So a file's uses (its contribution) are saved split by the path of the
symbols they use, each part (a slice: qualname -> lines) encoded on its own and decoded
when first read, and the users of the symbols of a path P (P's group) are gathered when
one of them is first looked up, from the files that have a slice for P: building a group
decodes the slices in it, no more (the users of `re` are 300 files of the stdlib, and
their slices for `re` a fraction of their uses).

The rule that keeps it right: a group once built holds the slices of every file for its
path, and only a built group does: adding or removing a file's contribution updates the
built groups it touches and leaves the others, which are made from the slices as they
are then. A slice still encoded is in no group (building one decodes its slices), so
dropping it decodes nothing. The paths a file's uses point into are the keys its slices
are saved under, so no saved list of them can disagree with the uses; a slice that does
not decode to lines by qualname (the store is untrusted input) drops its whole file's
contribution, and the file is recomputed.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from typing import TypeAlias

Target: TypeAlias = tuple[str, str]  # (path, qualname) of a symbol
#: what a file's uses resolve to: target -> sorted lines
Contribution: TypeAlias = dict[Target, list[int]]
#: a file's uses of one path's symbols: qualname -> sorted lines
Slice: TypeAlias = dict[str, list[int]]

#: groups built one by one, each found by scanning every file's slices, before those are
#: inverted (which costs about as much as 4 scans)
_SCANS_BEFORE_INVERTING = 4


class UsesByTarget:
    """Each file's contribution, in slices decoded on first use, and the index of them."""

    def __init__(self, damaged: Callable[[str], None]) -> None:
        #: called with a file whose saved contribution turned out unreadable (then dropped)
        self.damaged = damaged
        #: file -> target path -> its slice, or the bytes it is decoded from
        self._slices: dict[str, dict[str, Slice | bytes]] = {}
        self.refs: dict[Target, dict[str, list[int]]] = {}
        #: the paths whose groups are built; None: all of them (a cold build)
        self._built: set[str] | None = None
        #: target path -> files with a slice for it, once enough groups were scanned for
        self._into: dict[str, set[str]] | None = None
        self._scans = 0
        self.contrib = Contributions(self)

    def adopt(self, encoded: dict[str, dict[str, bytes]]) -> None:
        """Take over saved contributions (by file: target path -> slice as bytes), no
        group built."""
        self._slices.update(encoded)  # type: ignore[arg-type]  # (bytes, to be decoded)
        self._built = set()

    def group(self, path: str) -> dict[Target, dict[str, list[int]]]:
        """The index, with the group of `path` built."""
        built, refs = self._built, self.refs
        if built is None or path in built:
            return refs
        built.add(path)
        for user in sorted(self._users_into(path)):  # (each target's files sorted, as a full build)
            found = self._slice(user, path)
            for qualname, lines in found.items() if found is not None else ():
                refs.setdefault((path, qualname), {})[user] = lines
        return refs

    def whole(self) -> dict[Target, dict[str, list[int]]]:
        """The index with every group built."""
        if self._built is None:
            return self.refs
        self.decode_all()
        refs: dict[Target, dict[str, list[int]]] = {}
        for user in sorted(self._slices):
            for path, found in self._slices[user].items():
                for qualname, lines in found.items():  # type: ignore[union-attr]  # (decoded)
                    refs.setdefault((path, qualname), {})[user] = lines
        self.refs, self._built = refs, None
        return refs

    def decode_all(self) -> None:
        for user in list(self._slices):
            for path in list(self._slices.get(user, ())):
                self._slice(user, path)

    def add(self, path: str, found: Contribution, in_order: bool) -> None:
        """`path`'s new contribution (its old one removed); `in_order`: every file added
        since the index was empty comes after the ones before."""
        slices: dict[str, Slice | bytes] = {}
        for (target_path, qualname), lines in found.items():
            slices.setdefault(target_path, {})[qualname] = lines  # type: ignore[index]
        self._slices[path] = slices
        if self._into is not None:
            for target_path in slices:
                self._into.setdefault(target_path, set()).add(path)
        built, refs = self._built, self.refs
        for target, lines in found.items():
            if built is not None and target[0] not in built:
                continue
            by_file = refs.get(target)
            if by_file is None:
                refs[target] = {path: lines}
            elif in_order or path > next(reversed(by_file)):
                by_file[path] = lines
            else:  # keep each target's files sorted, as a full build leaves them
                by_file[path] = lines
                refs[target] = dict(sorted(by_file.items()))

    def remove(self, path: str) -> None:
        """Drop `path`'s contribution."""
        slices = self._slices.pop(path, None)
        if not slices:
            return
        built, refs, into = self._built, self.refs, self._into
        for target_path, found in slices.items():
            if into is not None and type(target_path) is str:
                into.get(target_path, set()).discard(path)
            if isinstance(found, bytes) or (built is not None and target_path not in built):
                continue
            for qualname in found:
                by_file = refs.get((target_path, qualname))
                if by_file is not None:
                    by_file.pop(path, None)
                    if not by_file:
                        del refs[target_path, qualname]

    def encoded(self, path: str) -> dict[str, bytes]:
        """`path`'s contribution as saved: target path -> slice (marshal), the slices not
        decoded as they were adopted."""
        dumps = marshal.dumps
        return {p: s if isinstance(s, bytes) else dumps(s) for p, s in self._slices[path].items()}

    def decoded_slices(self) -> set[tuple[str, str]]:
        """(file, target path) of each slice in memory (for tests and measurements)."""
        return {
            (u, p)
            for u, slices in self._slices.items()
            for p, s in slices.items()
            if not isinstance(s, bytes)
        }

    def _slice(self, user: str, path: str) -> Slice | None:
        """`user`'s slice for `path`, decoded now if it was not; None if it has none, or
        if it is damaged (then the file's contribution is dropped: it is recomputed)."""
        slices = self._slices.get(user)
        found = slices.get(path) if slices is not None else None
        if type(found) is not bytes:
            return found  # type: ignore[return-value]
        try:
            decoded = _decode_slice(path, found)
        except Exception:  # untrusted bytes: whatever they raise, the file's uses are unknown
            self.remove(user)
            self.damaged(user)
            return None
        slices[path] = decoded  # type: ignore[index]
        return decoded

    def _users_into(self, path: str) -> Iterable[str]:
        if self._into is None:
            self._scans += 1
            if self._scans <= _SCANS_BEFORE_INVERTING:
                return [user for user, slices in self._slices.items() if path in slices]
            inverted: dict[str, set[str]] = {}
            for user, slices in self._slices.items():
                for target_path in slices:
                    inverted.setdefault(target_path, set()).add(user)
            self._into = inverted
        return self._into.get(path, ())


class Contributions(Mapping[str, Contribution]):
    """file -> its contribution, assembled from its slices (each decoded on first use)."""

    def __init__(self, uses: UsesByTarget) -> None:
        self._uses = uses

    def __getitem__(self, path: str) -> Contribution:
        uses = self._uses
        out: Contribution = {}
        for target_path in list(uses._slices[path]):
            found = uses._slice(path, target_path)
            if found is None:
                raise KeyError(path)  # damaged: dropped
            for qualname, lines in found.items():
                out[target_path, qualname] = lines
        return out

    def __contains__(self, path: object) -> bool:
        """(True for a contribution whose damage is not known yet: it is not decoded for this.)"""
        return path in self._uses._slices

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._uses._slices))

    def __len__(self) -> int:
        return len(self._uses._slices)

    def decode_all(self) -> None:
        self._uses.decode_all()


def _decode_slice(path: object, raw: object) -> Slice:
    found = marshal.loads(raw)  # type: ignore[arg-type]  # (raises TypeError on no bytes)
    if not (type(path) is str and type(found) is dict and found):
        raise ValueError("not a slice")
    lines = found.values()
    if not (
        _STR.issuperset(map(type, found))
        and _LIST.issuperset(map(type, lines))
        and all(lines)
        and _INT.issuperset(map(type, chain.from_iterable(lines)))
    ):
        raise ValueError("not a slice")
    return found


_STR, _LIST, _INT = frozenset({str}), frozenset({list}), frozenset({int})
