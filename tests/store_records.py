"""Reading what a store on disk holds, as the next process would."""

from __future__ import annotations

import marshal
from typing import Any

from repodoc_ls.config import Settings
from repodoc_ls.index.store import Store


def stored_facts(settings: Settings, path: str) -> Any:
    """The facts record of `path` in the store on disk (decoded by marshal, not by the
    facts model), read by a store opened afresh; None when it holds none."""
    store = Store(settings.cache_path, root=settings.root)
    try:
        record = store.load_warm().facts.get(path)
        return None if record is None else facts_record(record)
    finally:
        store.close()


def facts_record(record: bytes) -> tuple[Any, Any]:
    """A facts record read by marshal, not by the facts model: (its header, the rest), laid
    out as `FileFacts.to_bytes` writes them, the header's length first (4 bytes, little-endian)."""
    length = int.from_bytes(record[:4], "little")
    return marshal.loads(record[4 : 4 + length]), marshal.loads(record[4 + length :])
