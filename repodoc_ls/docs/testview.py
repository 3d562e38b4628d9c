"""The Tests section of a file page: its tests as the runner collects them, with commands."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from repodoc_ls.docs import caps, pages, testrunners
from repodoc_ls.docs.fileview import PageLinks, View
from repodoc_ls.model import FileFacts, TestItem

if TYPE_CHECKING:
    from repodoc_ls.docs.render import Renderer

MAX_FILES_LISTED = 50  # testers, tested files: beyond this, "and N more"


def count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def more(total: int, shown: int) -> str:
    return f"and {total - shown:,} more" if total > shown else ""


def collected(tests: list[TestItem]) -> list[TestItem]:
    """The tests the runner collects: a test defined again later in the file is not."""
    return [t for t in tests if not t.redefined_at]


def test_summary(renderer: Renderer, path: str) -> str:
    tests = collected(renderer.graph.tests(path))
    test_classes = {t.qualname.rsplit(".", 1)[0] for t in tests if "." in t.qualname}
    where = f" in {count(len(test_classes), 'class', 'classes')}" if test_classes else ""
    return f"Test module: {count(len(tests), 'test')}{where}"


def tests_view(p: PageLinks, facts: FileFacts) -> View | None:
    graph = p.renderer.graph
    path = facts.path
    found = graph.tests(path)
    tests = collected(found)
    if tests:
        runner = p.renderer.test_runners.runner_for(path)
        common = [g for g in tests[0].guards if all(g in t.guards for t in tests)]
        rows = []
        for t in tests[: caps.MAX_ROWS]:
            command = testrunners.test_command(runner, path, t, found)
            rows.append(
                View(
                    {
                        "name": _cell_code(t.qualname),
                        "line": p.line_link(path, t.line),
                        "style": _style(t, common),
                        "command": _cell_code(command) if command else "unknown",
                    }
                )
            )
        classes = {t.qualname.rsplit(".", 1)[0] for t in tests if "." in t.qualname}
        run_all = testrunners.run_all_command(runner, path)
        parametrized = sum(t.parametrized for t in tests)
        conditional = sum(any(g.startswith("only if ") for g in t.guards) for t in tests)
        return View(
            {
                "rows": rows,
                "summary": f"{count(len(tests), 'test')}"
                + (f" in {count(len(classes), 'class', 'classes')}" if classes else "")
                + (f", {parametrized} parametrized" if parametrized else "")
                + (f", {conditional} defined only under a condition" if conditional else ""),
                "run_all": pages.code(run_all) if run_all else None,
                "runner": _runner_notes(runner),
                "common": ", ".join(guard_text(g) for g in common),
                "redefined": [
                    f"{pages.code(t.qualname)} at {p.line_link(path, t.line)}"
                    f" (defined again at {p.line_link(path, t.redefined_at)})"
                    for t in found
                    if t.redefined_at
                ][: caps.MAX_ROWS],
                "more": caps.more(len(tests), caps.MAX_ROWS, "tests"),
                # (its imports' targets: they follow from this file and the workspace's paths)
                "exercises": [p.existing_file_link(f) for f in graph.exercises(path)[:MAX_FILES_LISTED]],
                "tested_by": [],
            }
        )
    testers = graph.tested_by(path)
    if not testers:
        return None
    return View(
        {
            "rows": [],
            "tested_by": [p.file_link(f) for f in testers[:MAX_FILES_LISTED]],
            "more_testers": more(len(testers), MAX_FILES_LISTED),
            "exercises": [],
        }
    )


def _style(t: TestItem, common: list[str]) -> str:
    parts = [t.style]
    if t.parametrized:
        parts.append("parametrized")
    if t.renamed_by:
        parts.append(f"renamed by {pages.code(t.renamed_by)}")
    parts += [guard_text(g) for g in t.guards if g not in common]
    return ", ".join(parts)


_GUARD_PREFIXES = ("only if ", "skipped if ", "skipped unless ", "expected to fail if ")


def guard_text(guard: str) -> str:
    """A guard label with its condition as code, safe in a table cell."""
    for prefix in _GUARD_PREFIXES:
        if guard.startswith(prefix):
            return prefix + _cell_code(guard[len(prefix) :])
    return pages.text(guard)


def _runner_notes(runner: testrunners.Runner) -> list[str]:
    notes = []
    if runner.kind == testrunners.DJANGO:
        notes.append(
            f"The commands use Django's test runner, {pages.code(testrunners.django_command(runner.script))}"
        )
    if runner.own_runner:
        notes.append(
            f"The project also has its own runner, {pages.code('python ' + shlex.quote(runner.own_runner))};"
            " how it selects one test is not known"
        )
    if runner.tox:
        tox = "tox" if runner.tox == "tox.ini" else f"tox -c {shlex.quote(runner.tox)}"
        notes.append(f"tox runs the suites as configured: {pages.code(tox)}")
    return notes


def _cell_code(value: str) -> str:
    """Inline code inside a table cell, where a `|` ends the cell even in code."""
    return pages.code(value).replace("|", "\\|")
