"""The reference index's target -> file -> lines, built per target path when first read.

After a process adopts saved reference records, a one-file export reads the users of the
symbols of a few files: inverting every file's uses on adoption (the stdlib: 58,740 of
them) cost as much as the rest of adopting the records, and decoding every file's uses
as much again. So each file's uses (its contribution) stay encoded until read, and the
users of the symbols of a path P (P's group) are gathered when one of them is first
looked up, from the files whose record names P among the paths their uses point into.

The rule that keeps it right: a group once built holds the uses of every contribution
that points into it, and only a built group does: adding or removing a file's
contribution updates the built groups it touches and leaves the others, which are made
from the contributions as they are then. A contribution still encoded is in no group
(building one decodes what it reads), so dropping it decodes nothing. Every decoded
contribution is checked against the paths its record names (the store is untrusted
input): one pointing into other paths counts as damaged, and its file is recomputed. A
record that names too few paths and is never decoded goes unnoticed, as any other wrong
record that reads as a valid one (a `dep_paths` naming too few, too).
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import TypeAlias

from repodoc_ls.index.lazyparts import DecodedOnUse

Target: TypeAlias = tuple[str, str]  # (path, qualname) of a symbol
#: what a file's uses resolve to: target -> sorted lines
Contribution: TypeAlias = dict[Target, list[int]]

#: groups built one by one, each found by scanning every file's target paths, before
#: those are inverted (which costs about as much as 30 scans)
_SCANS_BEFORE_INVERTING = 32


class UsesByTarget:
    """Each file's contribution (decoded on first use) and the index made of them."""

    def __init__(self, damaged: Callable[[str], None]) -> None:
        self.contrib: DecodedOnUse[Contribution] = DecodedOnUse(self._decode, damaged)
        #: file -> the paths its contribution's targets are in
        self.points_into: dict[str, frozenset[str]] = {}
        self.refs: dict[Target, dict[str, list[int]]] = {}
        #: the paths whose groups are built; None: all of them (a cold build)
        self._built: set[str] | None = None
        #: target path -> files pointing into it, once enough groups were scanned for
        self._into: dict[str, set[str]] | None = None
        self._scans = 0

    def adopt(self, encoded: dict[str, bytes], points_into: dict[str, frozenset[str]]) -> None:
        """Take over saved contributions (by file, as bytes), no group built."""
        self.contrib.put_encoded(encoded)
        self.points_into.update(points_into)
        self._built = set()

    def group(self, path: str) -> dict[Target, dict[str, list[int]]]:
        """The index, with the group of `path` built."""
        built, refs = self._built, self.refs
        if built is None or path in built:
            return refs
        built.add(path)
        contrib = self.contrib
        for user in sorted(self._users_into(path)):  # (each target's files sorted, as a full build)
            found = contrib.get(user)
            for target, lines in found.items() if found is not None else ():
                if target[0] == path:
                    refs.setdefault(target, {})[user] = lines
        return refs

    def whole(self) -> dict[Target, dict[str, list[int]]]:
        """The index with every group built."""
        if self._built is None:
            return self.refs
        contrib = self.contrib
        contrib.decode_all()  # (damaged ones dropped)
        refs: dict[Target, dict[str, list[int]]] = {}
        for user in sorted(contrib):
            for target, lines in contrib[user].items():
                refs.setdefault(target, {})[user] = lines
        self.refs, self._built = refs, None
        return refs

    def add(self, path: str, found: Contribution, in_order: bool) -> None:
        """`path`'s new contribution (its old one removed); `in_order`: every file added
        since the index was empty comes after the ones before."""
        self.contrib[path] = found
        into = frozenset(map(_target_path, found))
        self.points_into[path] = into
        if self._into is not None:
            for target_path in into:
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
        old = self.contrib.pop_decoded(path)
        for target_path in self.points_into.pop(path, ()):
            if self._into is not None:
                self._into.get(target_path, set()).discard(path)
        built, refs = self._built, self.refs
        for target in old or ():
            if built is not None and target[0] not in built:
                continue
            by_file = refs.get(target)
            if by_file is not None:
                by_file.pop(path, None)
                if not by_file:
                    del refs[target]

    def _users_into(self, path: str) -> Iterable[str]:
        if self._into is None:
            self._scans += 1
            if self._scans <= _SCANS_BEFORE_INVERTING:
                return [user for user, into in self.points_into.items() if path in into]
            inverted: dict[str, set[str]] = {}
            for user, into in self.points_into.items():
                for target_path in into:
                    inverted.setdefault(target_path, set()).add(user)
            self._into = inverted
        return self._into.get(path, ())

    def _decode(self, path: str, raw: bytes) -> Contribution:
        found = marshal.loads(raw)
        into = self.points_into.get(path)
        if type(found) is not dict or into is None:
            raise ValueError("not a contribution")
        for target, lines in found.items():
            if not (
                type(target) is tuple
                and len(target) == 2
                and type(target[0]) is type(target[1]) is str
                and type(lines) is list
                and lines
                and all(type(line) is int for line in lines)
            ):
                raise ValueError("not a contribution")
        if frozenset(map(_target_path, found)) != into:
            raise ValueError("not a contribution into the paths its record names")
        return found


_target_path = itemgetter(0)  # of a (path, qualname) target
