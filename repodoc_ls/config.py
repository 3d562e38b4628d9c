"""One Settings object for the CLI, the language server and the exporter.

Sources, later ones winning: defaults, `[tool.repodoc]` in the workspace's
`pyproject.toml`, then explicit overrides (CLI flags or LSP initialization options).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class SettingsError(ValueError):
    """A setting has a wrong name or type; the message names it."""


@dataclass(frozen=True)
class Settings:
    root: Path
    output_dir: str = "docs/repodoc"  # relative to root unless absolute
    cache_dir: str = ".repodoc"  # the SQLite index; relative to root unless absolute
    include: tuple[str, ...] = ()  # gitignore-style patterns; empty means everything
    exclude: tuple[str, ...] = ()  # gitignore-style patterns, applied after include
    respect_gitignore: bool = True
    max_source_bytes: int = 256 * 1024  # larger files show an excerpt on their page
    jobs: int = 0  # worker processes for a cold build; 0 means one per core
    templates: str | None = None  # folder whose *.md.j2 override the packaged templates
    hover_budget_ms: int = 100  # time budget for jedi inference in hover
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def output_path(self) -> Path:
        return _under(self.root, self.output_dir)

    @property
    def cache_path(self) -> Path:
        return _under(self.root, self.cache_dir)

    @property
    def worker_count(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    def with_overrides(self, overrides: dict[str, Any] | None) -> Settings:
        if not overrides:
            return self
        return replace(self, **_coerce(overrides, origin="overrides"))


def _under(root: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else root / p


_FIELDS = {f.name: f for f in fields(Settings) if f.name not in ("root", "extra")}


def _coerce(raw: dict[str, Any], origin: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name == "output_dir" and value is None:
            continue
        f = _FIELDS.get(name)
        if f is None:
            known = ", ".join(sorted(k.replace("_", "-") for k in _FIELDS))
            raise SettingsError(f"{origin}: unknown setting {key!r} (known: {known})")
        default = f.default
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise SettingsError(f"{origin}: {key} must be true or false, not {value!r}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise SettingsError(f"{origin}: {key} must be a non-negative integer, not {value!r}")
        elif isinstance(default, tuple):
            if isinstance(value, str):
                value = (value,)
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{origin}: {key} must be a list of strings, not {value!r}")
            value = tuple(value)
        elif value is not None and not isinstance(value, str):
            raise SettingsError(f"{origin}: {key} must be a string, not {value!r}")
        out[name] = value
    return out


def load_settings(root: str | Path, overrides: dict[str, Any] | None = None) -> Settings:
    """Settings for the workspace at `root`; raises SettingsError with a one-line reason."""
    root_path = Path(root).resolve()
    if not root_path.is_dir():
        raise SettingsError(f"workspace root {str(root)!r} is not a folder")
    settings = Settings(root=root_path)
    pyproject = root_path / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"{pyproject}: cannot read [tool.repodoc]: {exc}") from None
        section = data.get("tool", {}).get("repodoc", {})
        if not isinstance(section, dict):
            raise SettingsError(f"{pyproject}: [tool.repodoc] must be a table")
        settings = replace(settings, **_coerce(section, origin=f"{pyproject} [tool.repodoc]"))
    return settings.with_overrides(overrides)
