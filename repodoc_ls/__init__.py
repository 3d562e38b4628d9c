"""repodoc: documentation and keyword cross-references for a whole Python workspace."""

__version__ = "0.1.0"
