"""One Settings object for the CLI, the language server and the exporter.

Sources, later ones winning: defaults, `[tool.repodoc]` in the workspace's
`pyproject.toml`, then explicit overrides (CLI flags or LSP initialization options).

The workspace is untrusted, its `pyproject.toml` included; overrides are the user's. So the
output and cache folders a `pyproject.toml` names must lie inside the workspace (symlinks
resolved), its `templates` folder is used only when the user trusts templates
(`trust_templates`, which only an override can set), and `jobs` is capped at the core count.
"""

from __future__ import annotations

import os
import re
import string
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from repodoc_ls.safefs import DEFAULT_MAX_FILE_BYTES, is_inside, read_regular

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class SettingsError(ValueError):
    """A setting has a wrong name or type; the message names it."""


#: The standard LSP features repodoc serves, each of which a user beside another Python
#: server (Pylance, jedi-language-server) may turn off: `features = {hover = false}`.
FEATURES = ("hover", "definition", "references", "documentSymbol", "workspaceSymbol", "codeLens")
_FEATURE_KEYS = {name.lower(): name for name in FEATURES}


def parse_features(raw: Any, origin: str) -> dict[str, bool]:
    """`{"hover": false, ...}` checked: known feature names (camelCase, snake_case or
    kebab-case) to booleans."""
    if not isinstance(raw, dict):
        raise SettingsError(f"{origin}: features must be a table of true/false, not {raw!r}")
    out: dict[str, bool] = {}
    for key, value in raw.items():
        name = _FEATURE_KEYS.get(str(key).replace("_", "").replace("-", "").lower())
        if name is None:
            raise SettingsError(f"{origin}: unknown feature {key!r} (known: {', '.join(FEATURES)})")
        if not isinstance(value, bool):
            raise SettingsError(f"{origin}: features.{key} must be true or false, not {value!r}")
        out[name] = value
    return out


#: The placeholders of `source-url`: the file's path (posix, relative to the root,
#: percent-encoded), the revision and, after the `#` only, the line.
SOURCE_URL_FIELDS = ("path", "rev", "line")
#: What a `source-url` may hold besides placeholders: URL characters that cannot end a
#: Markdown link or start markup in one (no space, parentheses, angle brackets or quotes).
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&*+,;=%\[\]]*")
_REV = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/\-]*")


def check_source_url(value: Any, origin: str) -> str:
    """A `source-url` template, checked: an http(s) URL with a host, `{path}` before any
    `#`, `{line}` only after it, no other placeholder and nothing that could break out of a
    Markdown link. The workspace may give it (it is only a link), so it is checked as input."""
    if not isinstance(value, str):
        raise SettingsError(f"{origin}: source-url must be a string, not {value!r}")
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise SettingsError(f"{origin}: source-url {value!r}: {exc}") from None
    base, _, fragment = value.partition("#")
    for literal, name, spec, conversion in parts:
        if not _URL_CHARS.fullmatch(literal):
            raise SettingsError(f"{origin}: source-url {value!r} holds a character a link cannot hold")
        if name is None:
            continue
        if spec or conversion:
            raise SettingsError(f"{origin}: source-url {value!r}: placeholders take no format or conversion")
        if name not in SOURCE_URL_FIELDS:
            raise SettingsError(
                f"{origin}: source-url {value!r}: unknown placeholder {{{name}}} "
                f"(known: {', '.join('{' + f + '}' for f in SOURCE_URL_FIELDS)})"
            )
    if "{path}" not in base:
        raise SettingsError(f"{origin}: source-url {value!r} must hold {{path}} before any '#'")
    if "{line}" in base or fragment.count("#"):
        raise SettingsError(f"{origin}: source-url {value!r}: {{line}} belongs after the one '#'")
    url = urlsplit(base.replace("{path}", "p").replace("{rev}", "r"))
    if url.scheme not in ("http", "https") or not url.netloc:
        raise SettingsError(f"{origin}: source-url {value!r} must be an http:// or https:// URL")
    return value


def check_source_rev(value: Any, origin: str) -> str:
    """A revision for `{rev}`: a commit, branch or tag name (no `..`, nothing a URL escapes)."""
    if not isinstance(value, str) or not _REV.fullmatch(value) or ".." in value:
        raise SettingsError(f"{origin}: source-rev must be a commit, branch or tag name, not {value!r}")
    return value


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
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # larger files get metadata and a note, never a read
    trust_templates: bool = False  # only an override (CLI flag, editor setting) can set it
    features: frozenset[str] = frozenset(FEATURES)  # the enabled ones; see FEATURES
    source_url: str | None = None  # e.g. https://github.com/o/r/blob/{rev}/{path}#L{line}
    source_rev: str | None = None  # {rev} of source_url; default: the commit .git/HEAD names
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    #: Names of the settings an override (the user, not the workspace) gave.
    from_user: frozenset[str] = field(default=frozenset(), compare=False)

    @property
    def output_path(self) -> Path:
        return _under(self.root, self.output_dir)

    @property
    def cache_path(self) -> Path:
        return _under(self.root, self.cache_dir)

    @property
    def worker_count(self) -> int:
        cores = os.cpu_count() or 1
        return min(self.jobs, cores) if self.jobs > 0 else cores

    @property
    def template_path(self) -> Path | None:
        """The folder of overriding templates, when the user trusts it: the user named it,
        or the user trusts the workspace's templates. None otherwise."""
        if not self.templates or not (self.trust_templates or "templates" in self.from_user):
            return None
        return _under(self.root, self.templates)

    def with_overrides(self, overrides: dict[str, Any] | None) -> Settings:
        if not overrides:
            return self
        values = self._resolve(_coerce(overrides, origin="overrides"))
        return replace(self, **values, from_user=self.from_user | values.keys())

    def _resolve(self, values: dict[str, Any]) -> dict[str, Any]:
        """Coerced values made fields: a `features` table turns on or off only the features
        it names, so the user's table adds to the workspace's rather than replacing it."""
        if "features" in values:
            choices = values["features"]
            values = {
                **values,
                "features": frozenset(name for name in FEATURES if choices.get(name, name in self.features)),
            }
        return values


def _under(root: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else root / p


_FIELDS = {f.name: f for f in fields(Settings) if f.name not in ("root", "extra", "from_user")}
#: Settings a workspace's own pyproject.toml may not give.
_USER_ONLY = frozenset({"trust_templates"})


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
        if name == "features":
            value = parse_features(value, origin)
        elif name in ("source_url", "source_rev") and value is not None:
            value = (
                check_source_url(value, origin) if name == "source_url" else check_source_rev(value, origin)
            )
        elif isinstance(default, bool):
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
            data = tomllib.loads(read_regular(pyproject, DEFAULT_MAX_FILE_BYTES).decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"{pyproject}: cannot read [tool.repodoc]: {exc}") from None
        section = data.get("tool", {}).get("repodoc", {})
        if not isinstance(section, dict):
            raise SettingsError(f"{pyproject}: [tool.repodoc] must be a table")
        origin = f"{pyproject} [tool.repodoc]"
        values = _coerce(section, origin=origin)
        for name in sorted(values.keys() & _USER_ONLY):
            raise SettingsError(
                f"{origin}: {name.replace('_', '-')} can only be given on the command "
                f"line or in the editor's settings, not by the workspace"
            )
        settings = replace(settings, **settings._resolve(values))
        if values.get("max_file_bytes", 0) > DEFAULT_MAX_FILE_BYTES:
            raise SettingsError(
                f"{origin}: max-file-bytes can only be lowered by the workspace "
                f"(at most {DEFAULT_MAX_FILE_BYTES}); raise it on the command line "
                f"or in the editor's settings"
            )
        for name in ("output_dir", "cache_dir"):
            if name in values:
                _check_inside_workspace(root_path, values[name], f"{origin}: {name.replace('_', '-')}")
    return settings.with_overrides(overrides)


def _check_inside_workspace(root: Path, value: str, what: str) -> None:
    """A folder the workspace names for repodoc to write in must lie strictly inside it,
    symlinks resolved: it is where pages, a manifest and a database go."""
    path = _under(root, value)
    if not is_inside(path, root) or os.path.realpath(path) == os.path.realpath(root):
        raise SettingsError(
            f"{what} = {value!r} is not a folder inside the workspace {root}; "
            f"give a folder outside it on the command line or in the editor's settings"
        )
