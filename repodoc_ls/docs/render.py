"""One renderer for every face: `export`, `check`, `show` and the server's custom requests.

A `Renderer` wraps an `Index` and turns rendering units into page text with jinja2
templates. Which units there are, their pages and their view builders (`filepage.py`,
`keywordpage.py`, `folders.py`, `subpages.py`) come from the page-kind registry, `kinds.py`;
every path and link the builders hand to templates comes from `pages.py`. Each rendered
page carries the workspace files whose facts it shows (`deps`), so an export after an edit
knows which pages to redo.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Sized
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment

from repodoc_ls import __version__
from repodoc_ls.config import Settings
from repodoc_ls.docs import kinds, pages, slugs, sourceurl
from repodoc_ls.docs.builtin_templates import BuiltinLoader
from repodoc_ls.docs.fileview import View
from repodoc_ls.docs.folderview import FolderCache
from repodoc_ls.docs.kinds import NoSuchPage, Scope
from repodoc_ls.docs.testrunners import TestRunners
from repodoc_ls.docs.units import Rendered, Unit
from repodoc_ls.index.indexer import Index
from repodoc_ls.safefs import is_inside, read_regular

#: Bumped when the meaning of rendered output changes without a template changing.
RENDER_VERSION = 2


__all__ = [
    "RENDER_VERSION",
    "NoSuchPage",
    "Rendered",
    "Renderer",
    "TemplateError",
    "Unit",
    "hash_text",
    "make_environment",
    "template_error",
    "template_folder",
    "template_notice",
]


class TemplateError(Exception):
    """A user's template failed to load or render; the message is one line naming it."""


#: Results of `*` and `**` in a template larger than this are refused: a trusted template
#: still must not exhaust memory, nor hang compiling a constant such as `10 ** (10 ** 10)`.
_MAX_RESULT_ITEMS = MAX_RANGE
_MAX_POWER_BITS = 4096


_VIEW_ATTRIBUTES = frozenset(dir(View))


class _Sandbox(ImmutableSandboxedEnvironment):
    """jinja's immutable sandbox (no private attributes, no internals of functions or
    frames, no mutation of lists and dicts, `range` capped), with `*` and `**` bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any) -> None:  # jinja2.Environment's keyword options
        super().__init__(**options)
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: object, attr: str, value: object) -> bool:
        # jinja's verdict depends on the object's type and the name alone (isinstance
        # checks, many against ABCs): remembered, it no longer costs a quarter of a render.
        key = (type(obj), attr)
        safe = self._safe_attributes.get(key)
        if safe is None:
            if len(self._safe_attributes) > 4096:  # names built at render time: stay bounded
                self._safe_attributes.clear()
            safe = self._safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        # A view's keys are data the builders made: read them as jinja's `getitem` would,
        # without the safety checks of a real attribute (profiled on Django: two thirds of
        # the file page template's time).
        # A dict method's name or a private name still takes jinja's way.
        if type(obj) is View and attribute not in _VIEW_ATTRIBUTES and attribute[:1] != "_":
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: object, right: object) -> Any:
        # The result is whatever the operator gives on template values (jinja's own signature).
        if operator == "**" and _big_power(left, right):
            raise SecurityError(f"the power {left!r} ** {right!r} is too large")
        if operator == "*" and _long_repeat(left, right):
            raise SecurityError("the repetition is too long")
        return super().call_binop(context, operator, left, right)


def _big_power(base: object, exponent: object) -> bool:
    if not isinstance(base, int) or not isinstance(exponent, int) or exponent <= 1:
        return False
    return abs(base) > 1 and abs(base).bit_length() * exponent > _MAX_POWER_BITS


def _long_repeat(left: object, right: object) -> bool:
    for seq, count in ((left, right), (right, left)):
        if isinstance(count, int) and not isinstance(seq, (int, float, complex)) and isinstance(seq, Sized):
            return len(seq) * count > _MAX_RESULT_ITEMS
    return False


def template_folder(settings: Settings) -> Path | None:
    """The folder of the user's templates, when they are used (see `template_notice`)."""
    folder = settings.template_path
    if folder is None or "templates" in settings.from_user or is_inside(folder, settings.root):
        return folder
    return None


def template_notice(settings: Settings) -> str | None:
    """Why the workspace's `templates` folder is not used, when it is not; else None.

    A repository's templates are code the user did not write: they are used only when the
    user trusts them (`--trust-templates`, the editor's `trustTemplates`), and only from a
    folder inside the workspace. The user's own `templates` setting is always used."""
    if not settings.templates or template_folder(settings) is not None:
        return None
    if settings.template_path is None:
        return (
            f"the workspace's templates folder {settings.templates!r} is not used: a repository's "
            f"templates are used only when you trust them (--trust-templates, or trustTemplates in "
            f"the editor); rendering with the built-in templates"
        )
    return (
        f"the workspace's templates folder {settings.templates!r} is not inside the workspace: "
        f"rendering with the built-in templates"
    )


def make_environment(override_dir: Path | None) -> jinja2.Environment:
    """One environment per template folder for the process: compiling the templates costs
    more than rendering a page (the server makes a renderer per request). Overriding
    templates edited on disk are reloaded (jinja2 checks their mtime). Every template,
    built-in ones included, renders in the sandbox."""
    return _environment(str(override_dir) if override_dir is not None else None)


@functools.lru_cache(maxsize=8)
def _environment(override_dir: str | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if override_dir is not None:
        loaders.append(jinja2.FileSystemLoader(override_dir))
    loaders.append(BuiltinLoader())
    env = _Sandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,  # Markdown, not HTML: escaping is done per value by `text`
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["text"] = pages.text
    env.filters["code"] = pages.code
    env.filters["cell_code"] = pages.cell_code
    return env


class _UserTemplate:
    """A template from the user's folder: any failure, a sandbox refusal included, becomes
    a one-line TemplateError naming the template and its line."""

    __slots__ = ("template", "name")

    def __init__(self, template: jinja2.Template, name: str):
        self.template = template
        self.name = name

    def render(self, **values: object) -> str:
        try:
            return self.template.render(**values)
        except Exception as exc:
            raise template_error(self.name, exc, self.template.filename) from None


def template_error(name: str, exc: BaseException, filename: str | None = None) -> TemplateError:
    line = getattr(exc, "lineno", None) if isinstance(exc, jinja2.TemplateSyntaxError) else None
    tb = exc.__traceback__
    while tb is not None:  # jinja rewrites a render's traceback to point at template lines
        if filename is not None and tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    if isinstance(exc, jinja2.TemplateError):
        detail = exc.message or type(exc).__name__
    else:
        detail = f"{type(exc).__name__}: {exc}"
    detail = " ".join(str(detail).split())
    if len(detail) > 300:
        detail = detail[:300] + "..."
    where = f"template {name}" + (f": line {line}" if line else "")
    return TemplateError(f"{where}: {detail}")


def _read_from_disk(root: Path, limit: int) -> Callable[[str], bytes | None]:
    """A file's bytes; None when it cannot be read, is no regular file or is over `limit`."""

    def read(path: str) -> bytes | None:
        try:
            return read_regular(os.path.join(root, path), limit)
        except OSError:
            return None

    return read


class Renderer:
    def __init__(
        self,
        index: Index,
        output_dir: Path | str | None = None,
        read_source: Callable[[str], bytes | None] | None = None,
    ):
        self.index = index
        self.graph = index.graph
        self.settings = index.settings
        self.root = Path(self.settings.root)
        self.output = Path(output_dir).resolve() if output_dir is not None else self.settings.output_path
        self.sources = pages.SourceLinks(
            str(self.root), str(self.output), sourceurl.source_url(self.settings)
        )
        self.read_source = read_source or _read_from_disk(self.root, self.settings.max_file_bytes)
        self.template_dir = template_folder(self.settings)
        self.env = make_environment(self.template_dir)
        #: caps.symbol_fragment's memo: path -> the qualnames its pages list, None for all.
        self.shown_qualnames: dict[str, set[str] | None] = {}
        self.name_entries: dict[tuple[str, str], str] = {}  # namedeps.entry's memo
        self._source_headings: dict[str, list[tuple[int, str]]] = {}
        self._templates: dict[str, jinja2.Template | _UserTemplate] = {}

    def source_headings(self, path: str) -> list[tuple[int, str]]:
        """(line, anchor) of each heading of a Markdown source, as linkcheck reads them."""
        found = self._source_headings.get(path)
        if found is None:
            data = self.read_source(path)
            text = data.decode("utf-8", errors="replace") if data else ""
            found = self._source_headings[path] = slugs.source_headings(text)
        return found

    @functools.cached_property
    def test_runners(self) -> TestRunners:
        """Which runner runs which test files (a workspace fact)."""
        return TestRunners(self.index)

    @functools.cached_property
    def folder_cache(self) -> FolderCache:
        """Facts about folders the folder and symbols pages share (a renderer never
        outlives its index)."""
        return FolderCache.of(self.index)

    # -- what there is to render ---------------------------------------------

    def folders(self) -> list[str]:
        """Every folder holding an indexed file, with its ancestors; "" is the root."""
        return sorted(pages.all_folders(self.index.facts))

    def units(self, known_letters: dict[str, list[str]] | None = None) -> list[Unit]:
        """Every rendering unit. `known_letters` gives the symbols letters of folders whose
        subtree is known not to have changed since they were last laid out (export passes
        them from its manifest: laying out a large folder's symbols costs a sort)."""
        return kinds.units(self, known_letters)

    def pages_of(self, unit: Unit) -> list[str]:
        """The pages `render_unit(unit)` gives, known without rendering."""
        return kinds.kind_of(unit).pages_of(self, unit)

    def has_unit(self, unit: Unit) -> bool:
        """Whether the index has the file or folder the unit documents."""
        if kinds.kind_of(unit).scope is Scope.FILE:
            return unit.path in self.index.facts
        return self.is_folder(unit.path)

    def fingerprint_parts(self) -> list[str]:
        """What, besides the sources, every page depends on (for the export manifest)."""
        parts = [
            f"repodoc {__version__}",
            f"render {RENDER_VERSION}",
            f"output {self.output}",
            f"root {self.root}",
            f"max_source_bytes {self.settings.max_source_bytes}",
            *self.test_runners.describe(),
        ]
        forge = self.sources.forge
        if forge is not None:
            parts.append(f"source-url {forge.template} {forge.rev}")
        names = sorted(self.env.list_templates(extensions=["j2"]))
        loader = self.env.loader
        assert loader is not None  # `_environment` always sets one
        for name in names:
            try:
                source, filename, _ = loader.get_source(self.env, name)
            except Exception as exc:
                if not self._is_users(name):
                    raise
                raise template_error(name, exc) from None
            parts.append(f"template {name} {filename and os.path.basename(filename)} {hash_text(source)}")
        return parts

    # -- rendering -----------------------------------------------------------

    def prepare(self) -> None:
        """Build the graph's lazy indexes now: before rendering many pages (they are cheaper
        than per-page queries) and before forking workers (which would each build their own)."""
        self.graph.refs.index()  # every target's users (adopted ones are built per target path)
        self.graph.definitions("")
        self.graph.index_subclasses()

    def render_unit(self, unit: Unit) -> dict[str, Rendered]:
        """Page path (relative to the output folder) -> rendered page."""
        kind = kinds.kind_of(unit)
        with self.index.lock:
            return kind.render(self, unit)

    def render_page(self, path: str, kind: str) -> str:
        """One page's text: a file's page of a file kind or a folder's of a folder kind
        (`kinds.FILE_KINDS`, `kinds.FOLDER_KINDS`)."""
        return self.render_unit(Unit(kind, path))[kinds.page_path(kind, path)].text

    def render_page_at(self, page: str) -> str:
        """The text of the page at `page` (relative to the output folder); NoSuchPage when
        the doc set of this index has none there."""
        unit = kinds.unit_of_page(page)
        with self.index.lock:
            if unit is None or not self.has_unit(unit) or page not in self.pages_of(unit):
                raise NoSuchPage(f"the doc set has no page {page}")
            return self.render_unit(unit)[page].text

    def template(self, name: str) -> jinja2.Template | _UserTemplate:
        """The template `name`: the user's when their folder has one of that name (failing
        with a one-line TemplateError), else the built-in one. Loaded once per renderer:
        jinja's `get_template` stats the template's file on every call (an export's pages
        would pay a stat each), and a user's edited template is seen by the next renderer
        (the server makes one per request)."""
        found = self._templates.get(name)
        if found is None:
            found = self._templates[name] = self._load_template(name)
        return found

    def _load_template(self, name: str) -> jinja2.Template | _UserTemplate:
        if not self._is_users(name):
            return self.env.get_template(name)
        try:
            return _UserTemplate(self.env.get_template(name), name)
        except Exception as exc:
            raise template_error(name, exc, getattr(exc, "filename", None)) from None

    def _is_users(self, name: str) -> bool:
        return self.template_dir is not None and (self.template_dir / name).is_file()

    # -- helpers shared by the view builders -----------------------------------

    def is_folder(self, path: str) -> bool:
        return path == "" or (
            path not in self.index.facts and any(p.startswith(path + "/") for p in self.index.facts)
        )


def hash_text(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()
