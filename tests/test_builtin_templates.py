"""The built-in templates' code compiled ahead (builtin_templates.py, compiled_templates/):
current with the sources, used when it is, and rendering what the sources render."""

from __future__ import annotations

import jinja2

from repodoc_ls.config import load_settings
from repodoc_ls.docs import builtin_templates, render
from repodoc_ls.docs.builtin_templates import COMPILED, write
from repodoc_ls.docs.compiled_templates import FINGERPRINT, JINJA2_VERSION
from repodoc_ls.docs.workers import render_all
from repodoc_ls.index.indexer import Index


def _files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.py"))}


def test_the_compiled_code_is_current_with_the_sources(tmp_path):
    """When this fails after a template edit: `make templates`."""
    environment = render.make_environment(None)
    if jinja2.__version__ != JINJA2_VERSION:  # (the lowest versions' job): compiled at run time
        assert builtin_templates._compiled_for(environment) is None
        return
    assert FINGERPRINT == builtin_templates.fingerprint(environment)
    write(environment, tmp_path / "compiled")
    assert _files(tmp_path / "compiled") == _files(COMPILED)
    assert builtin_templates._compiled_for(environment) is not None


def test_a_template_source_that_changed_is_compiled_from_source(tmp_path, monkeypatch):
    environment = render.make_environment(None)
    sources = tmp_path / "templates"
    sources.mkdir()
    for path in builtin_templates.SOURCES.glob("*.j2"):
        (sources / path.name).write_bytes(path.read_bytes())
    monkeypatch.setattr(builtin_templates, "SOURCES", sources)
    fresh = builtin_templates.fingerprint(environment)
    (sources / "file_kw.md.j2").write_text((sources / "file_kw.md.j2").read_text() + "\nedited\n")
    assert builtin_templates.fingerprint(environment) != fresh
    assert builtin_templates._compiled_for(environment) is None


def test_the_compiled_code_renders_every_page_as_the_sources_do(workspace, monkeypatch):
    index = Index.build(load_settings(workspace))
    compiled = render_all(render.Renderer(index, None))
    render._environment.cache_clear()
    monkeypatch.setattr(builtin_templates, "_compiled_for", lambda environment: None)
    try:
        from_sources = render_all(render.Renderer(index, None))
    finally:
        render._environment.cache_clear()
    assert len(compiled) >= 10
    assert compiled == from_sources
