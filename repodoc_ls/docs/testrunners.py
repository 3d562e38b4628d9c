"""Which runner runs a test file, and the commands that run its tests.

A workspace fact, read from the facts of the files that configure runners:
- a pytest configuration (`pytest.ini`; `[tool.pytest.ini_options]` or `[tool.pytest]` in
  `pyproject.toml`; `[tool:pytest]` in `setup.cfg`; `[pytest]` in `tox.ini`) in the test
  file's folder or above: pytest, node ids;
- else a `runtests.py` (Django's own suite) or `manage.py` importing Django in the folder or
  above: Django's runner, whose labels are dotted paths from that folder;
- else pytest, which also collects unittest classes.
A `runtests.py` that is not Django's and a `tox.ini` are mentioned, not guessed at: how they
select one test is not known.

Commands are checked against the real runners in tests/test_test_commands.py.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from repodoc_ls.docs import pages
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import FileFacts, TestItem

PYTEST = "pytest"
DJANGO = "django"

_PYTEST_SECTIONS = {
    "pytest.ini": None,  # its mere presence configures pytest
    "pyproject.toml": ("tool.pytest.ini_options", "tool.pytest"),
    "setup.cfg": ("tool:pytest",),
    "tox.ini": ("pytest",),
}
_RUNNER_FILES = frozenset({*_PYTEST_SECTIONS, "runtests.py", "manage.py"})


@dataclass(frozen=True, slots=True)
class Runner:
    kind: str  # PYTEST or DJANGO
    script: str = ""  # Django: the runtests.py or manage.py; pytest: its config file, if any
    own_runner: str = ""  # a runtests.py pytest does not replace (not Django's): mentioned only
    tox: str = ""  # the tox.ini of the folder or above


class TestRunners:
    __test__ = False  # not a pytest test class, despite its name

    def __init__(self, index: Index) -> None:
        self.pytest_configs: dict[str, str] = {}  # folder -> config file
        self.django: dict[str, str] = {}  # folder -> runtests.py or manage.py importing django
        self.runtests: dict[str, str] = {}  # folder -> runtests.py not importing django
        self.tox: dict[str, str] = {}  # folder -> tox.ini
        # By name first: only those few files' facts are read (a warm index decodes a
        # file's facts when first read, and an export after an edit reads few).
        for path in index.facts:
            folder, base = posixpath.split(path)
            if base not in _RUNNER_FILES:
                continue
            facts = index.facts[path]
            if base in _PYTEST_SECTIONS and _configures_pytest(facts, _PYTEST_SECTIONS[base]):
                self.pytest_configs.setdefault(folder, path)
            if base == "tox.ini":
                self.tox[folder] = path
            if base in ("runtests.py", "manage.py") and facts.is_python:
                if any(i.level == 0 and i.module.split(".")[0] == "django" for i in facts.imports):
                    self.django[folder] = path
                elif base == "runtests.py":
                    self.runtests[folder] = path

    def describe(self) -> list[str]:
        """What the choice of runner rests on (for the export fingerprint: a change re-renders)."""
        return [
            f"test runner {kind} {path}"
            for kind, found in (
                ("pytest", self.pytest_configs),
                ("django", self.django),
                ("runtests", self.runtests),
                ("tox", self.tox),
            )
            for path in sorted(found.values())
        ]

    def runner_for(self, path: str) -> Runner:
        folders = pages.folders_of(path)
        tox = _nearest(folders, self.tox)
        for folder in folders:  # the nearest configuration decides
            if folder in self.pytest_configs:
                break
            if folder in self.django:
                return Runner(DJANGO, self.django[folder], tox=tox)
        return Runner(PYTEST, _nearest(folders, self.pytest_configs), _nearest(folders, self.runtests), tox)


def _configures_pytest(facts: FileFacts, sections: tuple[str, ...] | None) -> bool:
    return sections is None or any(o.level == 1 and o.title in sections for o in facts.outline)


def _nearest(folders: list[str], found: dict[str, str]) -> str:
    return next((found[f] for f in folders if f in found), "")


# --- commands ----------------------------------------------------------------------


def run_all_command(runner: Runner, path: str) -> str | None:
    if runner.kind == DJANGO:
        label = django_label(runner.script, path)
        return f"{django_command(runner.script)} {label}" if label else None
    return f"python -m pytest {shlex.quote(path)}"


def django_command(script: str) -> str:
    """`python tests/runtests.py` (Django's own suite) or `python manage.py test` (a project)."""
    command = f"python {shlex.quote(script)}"
    return command + " test" if posixpath.basename(script) == "manage.py" else command


def test_command(runner: Runner, path: str, item: TestItem, items: Sequence[TestItem]) -> str | None:
    """The command that runs `item` alone (or its parametrized cases), None when no command
    can single it out."""
    if runner.kind == DJANGO and item.style == "unittest" and not item.renamed_by:
        label = django_label(runner.script, path)
        return f"{django_command(runner.script)} {label}.{item.qualname}" if label else None
    if not item.renamed_by:
        node = f"{path}::{item.qualname.replace('.', '::')}"
        return f"python -m pytest {shlex.quote(node)}"
    return keyword_command(path, item, items)


def keyword_command(path: str, item: TestItem, items: Sequence[TestItem]) -> str | None:
    """`-k` for a test whose name the runner changes at import (torch's
    instantiate_parametrized_tests: `test_x` becomes `test_x_<case>`), inside its class.

    pytest's `-k test_x` matches, case-insensitively and as a substring, the names of the
    item and its parents below the root folder (folders, module file, class): when one of
    those holds `test_x`, `-k` cannot single it out (None). Other tests of the class whose
    names hold `test_x` are excluded by name.
    """
    cls, _, name = item.qualname.rpartition(".")
    if item.renamed_by != "instantiate_parametrized_tests" or not cls or "." in cls:
        return None  # a renamed class (device-type tests) has no node id to start from
    lowered = name.lower()
    if any(lowered in part.lower() for part in [*path.split("/"), cls]):
        return None
    others = sorted(
        {
            t.qualname.rpartition(".")[2]
            for t in items
            if t.qualname.rpartition(".")[0] == cls
            and lowered in t.qualname.rpartition(".")[2].lower()
            and t.qualname.rpartition(".")[2].lower() != lowered
        }
    )
    expression = " and ".join([name, *(f"not {other}" for other in others)])
    return f"python -m pytest {shlex.quote(f'{path}::{cls}')} -k {shlex.quote(expression)}"


def django_label(script: str, path: str) -> str | None:
    """The dotted label Django's runner takes for `path`, relative to its script's folder."""
    folder = posixpath.dirname(script)
    relative = pages.relative_path(path, folder) if folder else path
    if not relative.endswith(".py"):
        return None
    parts = relative[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts)
