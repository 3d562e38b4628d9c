"""A repository's templates never run code: they are used only when the user trusts them,
and then render in jinja's sandbox, where every classic escape is a one-line error.

Each hostile workspace names `templates = "tpl"` in its pyproject.toml and holds a
`tpl/file_docs.md.j2` whose payload, run unsandboxed, creates a marker file (checked by
`test_the_payloads_are_live_without_the_sandbox`): the marker must never appear.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
import pytest_lsp
from hostile_workspace import assert_one_line_error, make_victim, make_workspace, payloads, repodoc, snapshot
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp.client import LanguageClient
from server_helpers import CONFIG, request, start, uri

from repodoc_ls.config import load_settings
from repodoc_ls.docs.render import Renderer, TemplateError
from repodoc_ls.index.indexer import Index

PAYLOADS = sorted(payloads(Path("/marker")))
CUSTOM_KW = "# custom keywords of {{ title | text }}\n"
NOT_USED = "the workspace's templates folder 'tpl' is not used"


@pytest.fixture
def hostile(tmp_path):
    """(workspace, marker, victim): a workspace whose file_docs template runs a payload."""

    def build(payload: str = "cycler_globals", extra: str = ""):
        marker = tmp_path / "pwned"
        ws = make_workspace(tmp_path, 'templates = "tpl"\n' + extra)
        (ws / "tpl").mkdir()
        (ws / "tpl" / "file_docs.md.j2").write_text(payloads(marker)[payload])
        (ws / "tpl" / "file_kw.md.j2").write_text(CUSTOM_KW)
        return ws, marker, make_victim(tmp_path)

    return build


@pytest.mark.parametrize("name", PAYLOADS)
def test_the_payloads_are_live_without_the_sandbox(tmp_path, name):
    marker = tmp_path / "pwned"
    jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(payloads(marker)[name]).render()
    assert marker.exists(), "the payload would not prove anything"


def _renderer(ws, **overrides) -> Renderer:
    return Renderer(Index.build(load_settings(ws, overrides), persistent=False))


@pytest.mark.parametrize("name", PAYLOADS)
def test_every_payload_is_refused_by_the_sandbox_in_one_line(hostile, name):
    ws, marker, victim = hostile(name)
    before = snapshot(victim)
    renderer = _renderer(ws, trust_templates=True)
    with pytest.raises(TemplateError) as caught:
        renderer.render_page("pkg/mod.py", "docs")
    message = str(caught.value)
    assert message.startswith("template file_docs.md.j2: line 1: ") and "\n" not in message
    assert not marker.exists()
    assert snapshot(victim) == before


def test_untrusted_templates_are_not_used_in_process(hostile):
    ws, marker, _ = hostile()
    renderer = _renderer(ws)
    assert renderer.template_dir is None
    assert renderer.render_page("pkg/mod.py", "docs").startswith("# `pkg/mod.py`\n")
    assert renderer.render_page("pkg/mod.py", "kw").startswith("# `pkg/mod.py` — keywords\n")
    assert not marker.exists()


def test_built_in_templates_render_in_the_sandbox(hostile):
    ws, _, _ = hostile()
    assert isinstance(_renderer(ws).env, jinja2.sandbox.ImmutableSandboxedEnvironment)


def test_the_users_own_templates_setting_is_trusted(hostile):
    ws, marker, _ = hostile()
    renderer = _renderer(ws, templates="tpl")  # given by the user (a flag, an editor setting)
    assert renderer.render_page("pkg/mod.py", "kw") == "# custom keywords of pkg/mod.py\n"
    with pytest.raises(TemplateError):
        renderer.render_page("pkg/mod.py", "docs")
    assert not marker.exists()


def test_a_templates_folder_outside_the_workspace_is_not_used(hostile, tmp_path):
    ws, marker, victim = hostile()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file_kw.md.j2").write_text(CUSTOM_KW)
    (ws / "pyproject.toml").write_text(f'[tool.repodoc]\ntemplates = "{outside}"\n')
    renderer = _renderer(ws, trust_templates=True)
    assert renderer.template_dir is None
    assert renderer.render_page("pkg/mod.py", "kw").startswith("# `pkg/mod.py` — keywords\n")


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("{% for %}\n", "line 1: Expected an expression"),
        ("# {{ title | text }}\n{{ no_such_value }}\n", "line 2: 'no_such_value' is undefined"),
        ("{{ range(10**10) | list }}\n", "Range too big"),
        ("{{ 10 ** (10 ** 10) }}\n", "too large"),
        ("{{ 'x' * 10 ** 9 }}\n", "too long"),
        ("{% set d = {} %}{{ d.update(a=1) }}\n", "unsafe"),
        ("{{ 1 / 0 }}\n", "ZeroDivisionError: division by zero"),
        (b"\xff\xfe{{ title }}\n", "UnicodeDecodeError"),
    ],
)
def test_a_broken_user_template_is_one_clear_line(hostile, text, fragment):
    ws, _, _ = hostile()
    target = ws / "tpl" / "file_docs.md.j2"
    target.write_bytes(text) if isinstance(text, bytes) else target.write_text(text)
    with pytest.raises(TemplateError) as caught:
        _renderer(ws, trust_templates=True).render_page("pkg/mod.py", "docs")
    message = str(caught.value)
    assert message.startswith("template file_docs.md.j2: ") and fragment in message and "\n" not in message


# -- the command line ---------------------------------------------------------


def test_cli_without_trust_renders_with_the_built_in_templates(hostile):
    ws, marker, victim = hostile()
    before = snapshot(victim)
    exported = repodoc("export", str(ws))
    assert exported.returncode == 0, exported.stderr
    page = ws / "docs" / "repodoc" / "pkg" / "mod.py_docs.md"
    assert page.read_text().startswith("# `pkg/mod.py`\n")
    assert (
        (ws / "docs" / "repodoc" / "pkg" / "mod.py_kw.md")
        .read_text()
        .startswith("# `pkg/mod.py` — keywords\n")
    )
    checked = repodoc("check", str(ws))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    shown = repodoc("show", str(ws / "pkg" / "mod.py"))
    assert shown.returncode == 0 and shown.stdout == page.read_text()
    for result in (exported, checked, shown):
        warnings = [line for line in result.stderr.splitlines() if NOT_USED in line]
        assert (
            len(warnings) == 1 and warnings[0].startswith("warning: ") and "--trust-templates" in warnings[0]
        )
    assert not marker.exists()
    assert snapshot(victim) == before


def test_cli_with_trust_uses_a_harmless_template(hostile):
    ws, marker, _ = hostile()
    (ws / "tpl" / "file_docs.md.j2").write_text("# custom page of {{ title | text }}\n")
    exported = repodoc("export", str(ws), "--trust-templates")
    assert exported.returncode == 0, exported.stderr
    out = ws / "docs" / "repodoc" / "pkg"
    assert (out / "mod.py_docs.md").read_text() == "# custom page of pkg/mod.py\n"
    assert (out / "mod.py_kw.md").read_text() == "# custom keywords of pkg/mod.py\n"
    # (The custom page drops the anchors other pages link to: those links are reported.)
    trusted = repodoc("check", str(ws), "--trust-templates")
    assert ": 0 stale, 0 missing, 0 extra pages, " in trusted.stderr
    # Without the flag the built-in templates render: the pages on disk are then stale.
    untrusted = repodoc("check", str(ws))
    assert f"stale: {ws}/docs/repodoc/pkg/mod.py_docs.md" in untrusted.stdout.splitlines()
    shown = repodoc("show", "pkg/mod.py", "--trust-templates", cwd=ws)
    assert shown.returncode == 0 and shown.stdout == "# custom page of pkg/mod.py\n"
    assert NOT_USED not in exported.stderr + shown.stderr


@pytest.mark.parametrize("command", ["export", "check", "show"])
def test_cli_with_trust_refuses_the_payload_in_one_line(hostile, command):
    ws, marker, victim = hostile()
    before = snapshot(victim)
    target = str(ws / "pkg" / "mod.py") if command == "show" else str(ws)
    result = repodoc(command, target, "--trust-templates")
    assert_one_line_error(
        result,
        "repodoc: error: template file_docs.md.j2: line 1: ",
        "access to attribute '__init__'",
        "is unsafe",
    )
    assert not marker.exists()
    assert snapshot(victim) == before


@pytest.mark.parametrize("name", ["subclasses", "lipsum_globals", "template_reference"])
def test_cli_show_with_trust_refuses_other_payloads(hostile, name):
    ws, marker, _ = hostile(name)
    assert_one_line_error(
        repodoc("show", str(ws / "pkg" / "mod.py"), "--trust-templates"),
        "repodoc: error: template file_docs.md.j2: line 1: ",
        "unsafe",
    )
    assert not marker.exists()


def test_cli_template_syntax_error_is_one_line(hostile):
    ws, _, _ = hostile()
    (ws / "tpl" / "file_docs.md.j2").write_text("# ok\n{% if %}\n")
    assert_one_line_error(
        repodoc("export", str(ws), "--trust-templates"), "repodoc: error: template file_docs.md.j2: line 2: "
    )


# -- the language server (a real server over stdio) ---------------------------

REQUEST_FAILED = -32803
REFUSED = (
    "repodoc: template file_docs.md.j2: line 1: access to attribute '__init__' of 'type' object is unsafe."
)


def _lsp_workspace(parent):
    marker = parent / "pwned"
    ws = make_workspace(parent, 'templates = "tpl"\n')
    (ws / "tpl").mkdir()
    (ws / "tpl" / "file_docs.md.j2").write_text(payloads(marker)["cycler_globals"])
    (ws / "tpl" / "file_kw.md.j2").write_text(CUSTOM_KW)
    victim = make_victim(parent)
    return ws.resolve(), marker, victim, snapshot(victim)


@pytest.fixture(scope="module")
def untrusted_ws(tmp_path_factory):
    return _lsp_workspace(tmp_path_factory.mktemp("untrusted"))


@pytest.fixture(scope="module")
def trusted_ws(tmp_path_factory):
    return _lsp_workspace(tmp_path_factory.mktemp("trusted"))


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def untrusted(lsp_client: LanguageClient, untrusted_ws):
    await start(lsp_client, untrusted_ws[0])
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def trusted(lsp_client: LanguageClient, trusted_ws):
    await start(lsp_client, trusted_ws[0], options={"trustTemplates": True})
    yield
    await lsp_client.shutdown_session()


def _unharmed(workspace) -> None:
    _, marker, victim, before = workspace
    assert not marker.exists(), "a template payload ran"
    assert snapshot(victim) == before


async def _execute(client, command, *arguments):
    return await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=command, arguments=list(arguments))
    )


@pytest.mark.asyncio(loop_scope="module")
async def test_server_without_trust_renders_with_the_built_in_templates(
    untrusted: LanguageClient, untrusted_ws
):
    ws = untrusted_ws[0]
    doc = await request(untrusted, "repodoc/fileDoc", {"uri": uri(ws, "pkg/mod.py")})
    assert doc["markdown"].startswith("# `pkg/mod.py`\n")
    kw = await request(untrusted, "repodoc/keywordIndex", {"uri": uri(ws, "pkg/mod.py")})
    assert kw["markdown"].startswith("# `pkg/mod.py` — keywords\n")
    shown = await _execute(untrusted, "repodoc.showFileDoc", {"uri": uri(ws, "pkg/mod.py")})
    assert shown["markdown"] == doc["markdown"]
    exported = await _execute(untrusted, "repodoc.exportDocs")
    assert exported["written"] > 0
    assert (ws / "docs/repodoc/pkg/mod.py_docs.md").read_text() == doc["markdown"]
    notes = [m.message for m in untrusted.log_messages if NOT_USED in m.message]
    assert notes and "trustTemplates" in notes[0]
    _unharmed(untrusted_ws)


@pytest.mark.asyncio(loop_scope="module")
async def test_server_trust_from_the_settings_applies_at_once(untrusted: LanguageClient, untrusted_ws):
    ws = untrusted_ws[0]
    settings = {"hoverBudgetMs": 10000}
    untrusted.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"repodoc": {**settings, "trustTemplates": True}})
    )
    with pytest.raises(JsonRpcException) as caught:
        await request(untrusted, "repodoc/fileDoc", {"uri": uri(ws, "pkg/mod.py")})
    assert (caught.value.code, caught.value.message) == (REQUEST_FAILED, REFUSED)
    untrusted.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"repodoc": settings})
    )
    doc = await request(untrusted, "repodoc/fileDoc", {"uri": uri(ws, "pkg/mod.py")})
    assert doc["markdown"].startswith("# `pkg/mod.py`\n")
    _unharmed(untrusted_ws)


@pytest.mark.asyncio(loop_scope="module")
async def test_server_with_trust_uses_the_templates_and_refuses_the_payload(
    trusted: LanguageClient, trusted_ws
):
    ws = trusted_ws[0]
    kw = await request(trusted, "repodoc/keywordIndex", {"uri": uri(ws, "pkg/mod.py")})
    assert kw["markdown"] == "# custom keywords of pkg/mod.py\n"
    attempts = [
        request(trusted, "repodoc/fileDoc", {"uri": uri(ws, "pkg/mod.py")}),
        _execute(trusted, "repodoc.showFileDoc", {"uri": uri(ws, "pkg/mod.py")}),
        _execute(trusted, "repodoc.exportDocs"),
    ]
    for attempt in attempts:
        with pytest.raises(JsonRpcException) as caught:
            await attempt
        assert (caught.value.code, caught.value.message) == (REQUEST_FAILED, REFUSED)
        status = await request(trusted, "repodoc/status", {})  # the server keeps answering
        assert status["state"] == "ready"
    logged = [m.message for m in trusted.log_messages if "file_docs.md.j2" in m.message]
    assert logged and all(m == REFUSED for m in logged), logged  # one line each, no traceback
    assert not any(NOT_USED in m.message for m in trusted.log_messages)
    _unharmed(trusted_ws)


def test_view_keys_read_in_the_sandbox_as_jinja_reads_a_dict():
    """The sandbox's shortcut for a view's keys gives what jinja's own sandbox gives for
    the same dict: the value of a plain key, the dict's method for a key named like one,
    and no private key."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from repodoc_ls.docs.fileview import View
    from repodoc_ls.docs.render import make_environment

    values = {"name": "n", "items": "shadowed", "_private": "p", "keys": [1]}
    source = "{{ v.name }}|{{ v.items is callable }}|{{ v.keys is callable }}|{{ v._private is defined }}|{{ v.missing is defined }}"
    ours = make_environment(None).from_string(source).render(v=View(values))
    plain = ImmutableSandboxedEnvironment().from_string(source).render(v=View(values))
    assert ours == plain == "n|True|True|False|False"
