"""A file's resolved imports in the form the store keeps them between runs.

Where each import of a file leads (graph.py's `_resolve_import`) is a function of that
file's facts and of the module map, which is a function of the set of paths alone. So a
record is valid for a file whose content hash is the one it was computed from, in a
workspace whose set of paths has the `paths_signature` it was saved under: a warm start
then links the reverse edges from the records, and builds a file's `ResolvedImport`s only
when one is asked for, without decoding every file's facts. A record also keeps every name
the file's imports mention: when modules were added, removed or renamed since, the record
of a file that did not move and mentions none of the names the change reaches
(`modulemap.names_moved`) resolves as it did, and stays valid.

The store is untrusted: a record of the wrong shape, or naming a file that is not in the
workspace, is dropped (the file's imports are then resolved again), never used.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Container, Iterable

from repodoc_ls.model import Category

#: Bumped when the rules of resolution (graph.py) or the record's form change.
RESOLVED_VERSION = 3

CATEGORIES = (Category.WORKSPACE, Category.STDLIB, Category.THIRD_PARTY)
CATEGORY_INDEX = {c: i for i, c in enumerate(CATEGORIES)}

#: Per import of the file, in order: (index in CATEGORIES, target file, names a submodule?)
Resolutions = tuple[tuple[int, str | None, bool], ...]
#: (the file's resolutions, the outside modules it imports and their parent packages:
#: graph.py's external importers, the outside modules its imports name: its import targets,
#: every name its imports mention: the parts of the modules and the names imported, which
#: tell whether a module added or removed can change where its imports lead)
Resolution = tuple[Resolutions, tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def paths_signature(paths: Iterable[str]) -> str:
    """What a set of records is valid for: the resolution rules and the set of paths."""
    text = "\n".join(sorted(paths)).encode("utf-8", "surrogateescape")
    head = f"resolved {RESOLVED_VERSION}\n".encode()
    return hashlib.blake2b(head + text, digest_size=16).hexdigest()


def encode(resolution: Resolution) -> bytes:
    return marshal.dumps(resolution)


def decode(blob: bytes, paths: Container[str]) -> Resolution | None:
    """The record in `blob`, or None when it is not one (or names a file not in `paths`)."""
    try:
        found = marshal.loads(blob)
    except Exception:
        return None
    if type(found) is not tuple or len(found) != 4:
        return None
    resolutions, externals, named, mentioned = found
    if any(type(part) is not tuple for part in found):
        return None
    for item in resolutions:
        if type(item) is not tuple or len(item) != 3:
            return None
        category, target, submodule = item
        if type(category) is not int or not 0 <= category < len(CATEGORIES):
            return None
        if (target is not None and (type(target) is not str or target not in paths)) or type(
            submodule
        ) is not bool:
            return None
    if not all(type(name) is str for name in externals + named + mentioned):
        return None
    return resolutions, externals, named, mentioned
