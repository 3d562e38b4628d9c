"""repodoc: documentation and keyword cross-references for a whole Python workspace."""

# The one place the version is written: pyproject.toml reads it, and scripts/version.py
# copies it to the VS Code extension.
__version__ = "0.1.0"
