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
        return None if record is None else marshal.loads(record)
    finally:
        store.close()
