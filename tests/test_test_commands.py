"""Tests as the runner collects them, checked against the runners themselves.

Every node id and command a page prints for the fixture workspaces below is run through
the real runner in a subprocess: `pytest --collect-only -q` for pytest commands (the ids it
collects are the oracle), and Django-style `runtests.py` labels through a tiny runtests.py
that loads them the way Django's does (unittest's `loadTestsFromNames`).

PyTorch is not installed: the fixture carries a shim of the two functions of
`torch.testing._internal.common_utils` that matter, renaming tests as torch does
(`instantiate_parametrized_tests` replaces each `@parametrize` method `test_x` with
`test_x_<case>`, with `<case>` `<arg>_<value>` by default, and leaves other methods alone).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from repodoc_ls.config import load_settings
from repodoc_ls.docs import testrunners
from repodoc_ls.docs.render import Renderer
from repodoc_ls.docs.testview import collected
from repodoc_ls.extract.python import extract_python
from repodoc_ls.index.indexer import Index
from repodoc_ls.model import TestItem

REDEFINED = """\
import sys

import pytest


def test_value():
    assert True


def test_value():
    assert True


if sys.platform == "win32":
    def test_platform():
        pass
else:
    def test_platform():
        pass


if sys.version_info >= (3, 99):
    def test_future():
        pass


@pytest.mark.parametrize("n", [1, 2])
def test_param(n):
    pass


class TestGroup:
    def test_a(self):
        pass

    def test_a(self):
        pass

    @pytest.mark.skipif(sys.platform == "win32", reason="posix only")
    def test_b(self):
        pass


class TestOld:
    def test_gone(self):
        pass


class TestOld:
    def test_kept(self):
        pass


if __name__ == "__main__":
    def test_script_only():
        pass
"""

TORCHLIKE = """\
import unittest

from torch.testing._internal.common_utils import TestCase, instantiate_parametrized_tests, parametrize


@instantiate_parametrized_tests
class TestOps(TestCase):
    @parametrize("x", [1, 2])
    def test_add(self, x):
        assert x

    def test_add_many(self):
        pass

    def test_plain(self):
        pass


class TestLater(TestCase):
    @parametrize("y", ["a"])
    def test_mul(self, y):
        assert y

    @unittest.skipIf(True, "never")
    def test_skipped(self):
        pass


instantiate_parametrized_tests(TestLater)
"""

SHIM = '''\
"""A shim of torch.testing._internal.common_utils: the naming rules only."""
from unittest import TestCase  # noqa: F401


def parametrize(arg_name, values):
    def decorator(fn):
        def parametrize_fn(test):
            for value in values:
                yield test, f"{arg_name}_{value}", {arg_name: value}

        fn.parametrize_fn = parametrize_fn
        return fn

    return decorator


def instantiate_parametrized_tests(generic_cls):
    for attr_name in tuple(dir(generic_cls)):
        class_attr = getattr(generic_cls, attr_name)
        if not hasattr(class_attr, "parametrize_fn"):
            continue
        delattr(generic_cls, attr_name)
        for test, suffix, kwargs in class_attr.parametrize_fn(class_attr):

            def instantiated(self, _test=test, _kwargs=kwargs):
                return _test(self, **_kwargs)

            setattr(generic_cls, f"{test.__name__}_{suffix}", instantiated)
    return generic_cls
'''

PYTEST_WS = {
    "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
    "tox.ini": "[tox]\nenv_list = py\n\n[testenv]\ncommands = pytest {posargs}\n",
    "torch/__init__.py": "",
    "torch/testing/__init__.py": "",
    "torch/testing/_internal/__init__.py": "",
    "torch/testing/_internal/common_utils.py": SHIM,
    "tests/test_redefined.py": REDEFINED,
    "tests/test_torchlike.py": TORCHLIKE,
}

RUNTESTS = '''\
"""Runs tests by dotted label, as Django's tests/runtests.py does."""
import os
import sys
import unittest

try:
    import django  # Django's runner imports it; it is not installed here
except ImportError:
    django = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
suite = unittest.defaultTestLoader.loadTestsFromNames(sys.argv[1:])
result = unittest.TextTestRunner(verbosity=2).run(suite)
sys.exit(not result.wasSuccessful())
'''

DJANGO_WS = {
    "tests/runtests.py": RUNTESTS,
    "tests/basic/__init__.py": "",
    "tests/basic/tests.py": (
        "from unittest import TestCase\n\n\n"
        "class ModelTests(TestCase):\n"
        "    def test_create(self):\n        pass\n\n"
        "    def test_create_many(self):\n        pass\n\n\n"
        "class OtherTests(TestCase):\n"
        "    def test_other(self):\n        pass\n"
    ),
}


def make_workspace(root: Path, files: dict[str, str]) -> Index:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Index.build(load_settings(root))


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def pytest_collect(args: list[str], cwd: Path) -> tuple[int, list[str]]:
    """Node ids pytest collects for `args` (a printed command's arguments)."""
    done = run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args], cwd)
    ids = [line for line in done.stdout.splitlines() if "::" in line and not line.startswith(" ")]
    return done.returncode, ids


def pytest_args(command: str) -> list[str]:
    words = shlex.split(command)
    assert words[:3] == ["python", "-m", "pytest"], command
    return words[3:]


def commands(index: Index, path: str) -> dict[str, str | None]:
    renderer = Renderer(index)
    runner = renderer.test_runners.runner_for(path)
    found = renderer.graph.tests(path)
    return {t.qualname: testrunners.test_command(runner, path, t, found) for t in collected(found)}


def holds(guard: str) -> bool:
    """An `only if` condition, evaluated here: the oracle of which definition pytest sees."""
    return bool(eval(guard.removeprefix("only if "), {"sys": sys}))  # our own fixture's text


# --- extraction ----------------------------------------------------------------------


def items(text: str, path: str = "tests/test_x.py") -> list[TestItem]:
    return extract_python(path, text.encode("utf-8")).tests


def test_redefinitions_guards_and_main_block():
    found = {(t.qualname, t.line): t for t in items(REDEFINED)}
    assert found[("test_value", 6)].redefined_at == 10
    assert found[("test_value", 10)].redefined_at == 0
    assert found[("TestGroup.test_a", 33)].redefined_at == 36
    assert found[("TestOld.test_gone", 45)].redefined_at == 49  # the whole class is defined again
    assert found[("TestOld.test_kept", 50)].redefined_at == 0
    assert found[("test_platform", 15)].guards == ["only if sys.platform == 'win32'"]
    assert found[("test_platform", 18)].guards == ["only if not (sys.platform == 'win32')"]
    assert found[("test_platform", 18)].redefined_at == 0  # each runs on its own platforms
    assert found[("test_future", 23)].guards == ["only if sys.version_info >= (3, 99)"]
    assert found[("TestGroup.test_b", 40)].guards == ["skipped if sys.platform == 'win32'"]
    assert found[("test_param", 28)].parametrized and not found[("test_param", 28)].renamed_by
    assert not any(name == "test_script_only" for name, _ in found)  # pytest never defines it


def test_torch_parametrize_renames_only_parametrize_methods():
    found = {t.qualname: t for t in items(TORCHLIKE)}
    assert found["TestOps.test_add"].renamed_by == "instantiate_parametrized_tests"
    assert found["TestOps.test_add"].parametrized
    # the class decorator does not make every method parametrized
    assert not found["TestOps.test_plain"].parametrized and not found["TestOps.test_plain"].renamed_by
    assert not found["TestOps.test_add_many"].renamed_by
    assert found["TestLater.test_mul"].renamed_by == "instantiate_parametrized_tests"  # the call form
    assert found["TestLater.test_skipped"].guards == ["skipped if True"]


def test_module_and_class_marks_and_other_skips():
    text = textwrap.dedent(
        """\
        import sys, unittest, pytest
        pytestmark = [pytest.mark.skipif("sys.platform == 'win32'"), pytest.mark.slow]

        class TestA:
            pytestmark = pytest.mark.skip(reason="later")
            def test_a(self): pass

        @unittest.skipUnless(sys.version_info >= (3, 12), "new")
        class TestB(unittest.TestCase):
            def test_b(self): pass

        @pytest.mark.xfail(sys.platform == "darwin", reason="flaky")
        def test_c(): pass
        """
    )
    found = {t.qualname: t.guards for t in items(text)}
    assert found == {
        "TestA.test_a": ["skipped if sys.platform == 'win32'", "always skipped"],
        "TestB.test_b": ["skipped if sys.platform == 'win32'", "skipped unless sys.version_info >= (3, 12)"],
        "test_c": ["skipped if sys.platform == 'win32'", "expected to fail if sys.platform == 'darwin'"],
    }


def test_parameterized_expand_and_device_type_tests_are_renamed():
    text = textwrap.dedent(
        """\
        from unittest import TestCase
        from parameterized import parameterized

        class TestP(TestCase):
            @parameterized.expand([(1,), (2,)])
            def test_p(self, n): pass

        class TestDevice(TestCase):
            def test_d(self, device): pass

        instantiate_device_type_tests(TestDevice, globals())
        """
    )
    found = {t.qualname: t.renamed_by for t in items(text)}
    assert found == {
        "TestP.test_p": "parameterized.expand",
        "TestDevice.test_d": "instantiate_device_type_tests",
    }


# --- against pytest ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def pytest_ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("pytest_ws")
    return root, make_workspace(root, PYTEST_WS)


def test_pytest_collects_what_the_page_lists(pytest_ws):
    root, index = pytest_ws
    path = "tests/test_redefined.py"
    code, ids = pytest_collect([path], root)
    assert code == 0, ids
    by_pytest = {i.partition("::")[2].split("[")[0].replace("::", ".") for i in ids}
    listed = {
        t.qualname
        for t in collected(Renderer(index).graph.tests(path))
        if all(holds(g) for g in t.guards if g.startswith("only if"))
    }
    assert listed == by_pytest
    assert "test_future" not in by_pytest and "TestOld.test_gone" not in by_pytest


def test_every_node_id_command_collects_exactly_its_test(pytest_ws):
    root, index = pytest_ws
    path = "tests/test_redefined.py"
    _, all_ids = pytest_collect([path], root)
    for qualname, command in commands(index, path).items():
        assert command is not None
        node = f"{path}::{qualname.replace('.', '::')}"
        expected = sorted(i for i in all_ids if i.split("[")[0] == node)
        code, ids = pytest_collect(pytest_args(command), root)
        if qualname == "test_future" or (qualname == "test_platform" and not expected):
            assert code != 0  # defined only on another interpreter or platform: nothing to collect
            continue
        assert code == 0 and sorted(ids) == expected, (command, ids)
    code, ids = pytest_collect(
        pytest_args(testrunners.run_all_command(Renderer(index).test_runners.runner_for(path), path) or ""),
        root,
    )
    assert code == 0 and sorted(ids) == sorted(all_ids)


def test_renamed_tests_get_k_commands_that_pytest_honours(pytest_ws):
    root, index = pytest_ws
    path = "tests/test_torchlike.py"
    code, all_ids = pytest_collect([path], root)
    assert code == 0, all_ids
    # the written node id of an instantiated test does not exist
    code, _ = pytest_collect([f"{path}::TestOps::test_add"], root)
    assert code != 0
    found = commands(index, path)
    assert found["TestOps.test_add"] == (
        "python -m pytest tests/test_torchlike.py::TestOps -k 'test_add and not test_add_many'"
    )
    expected = {
        "TestOps.test_add": ["TestOps::test_add_x_1", "TestOps::test_add_x_2"],
        "TestOps.test_add_many": ["TestOps::test_add_many"],
        "TestOps.test_plain": ["TestOps::test_plain"],
        "TestLater.test_mul": ["TestLater::test_mul_y_a"],
        "TestLater.test_skipped": ["TestLater::test_skipped"],
    }
    assert set(found) == set(expected)
    for qualname, command in found.items():
        assert command is not None
        code, ids = pytest_collect(pytest_args(command), root)
        assert code == 0 and sorted(ids) == [f"{path}::{i}" for i in expected[qualname]], (command, ids)
    assert sorted(all_ids) == sorted(f"{path}::{i}" for ids in expected.values() for i in ids)


def test_k_is_not_offered_when_a_parent_name_matches(tmp_path):
    index = make_workspace(
        tmp_path,
        {
            **PYTEST_WS,
            "tests/test_add.py": TORCHLIKE,  # `-k test_add` matches the module's name too
        },
    )
    assert commands(index, "tests/test_add.py")["TestOps.test_add"] is None


def test_pytest_config_and_tox_are_found(pytest_ws):
    _, index = pytest_ws
    runner = Renderer(index).test_runners.runner_for("tests/test_redefined.py")
    assert runner == testrunners.Runner("pytest", "pyproject.toml", tox="tox.ini")
    page = Renderer(index).render_page("tests/test_redefined.py", "docs")
    assert "tox runs the suites as configured: `tox`." in page
    assert "| `TestGroup.test_b` |" in page and "skipped if `sys.platform == 'win32'`" in page
    assert "Not collected, because defined again later in the file" in page
    assert "`TestOld.test_gone` at [45]" in page


# --- against a Django-style runtests.py ----------------------------------------------


def test_django_runtests_labels_run_exactly_their_test(tmp_path):
    index = make_workspace(tmp_path, DJANGO_WS)
    path = "tests/basic/tests.py"
    runner = Renderer(index).test_runners.runner_for(path)
    assert runner.kind == testrunners.DJANGO and runner.script == "tests/runtests.py"
    found = commands(index, path)
    assert found["ModelTests.test_create"] == "python tests/runtests.py basic.tests.ModelTests.test_create"
    for qualname, command in found.items():
        assert command is not None
        done = run([sys.executable, *shlex.split(command)[1:]], tmp_path)
        assert done.returncode == 0, done.stderr
        ran = [line.split(" ... ")[0] for line in done.stderr.splitlines() if " ... " in line]
        cls, _, method = qualname.rpartition(".")
        # Python 3.11 and later print the method's full name, 3.10 its class's
        assert ran in ([f"{method} (basic.tests.{qualname})"], [f"{method} (basic.tests.{cls})"]), (
            command,
            ran,
        )
    run_all = testrunners.run_all_command(runner, path)
    assert run_all == "python tests/runtests.py basic.tests"
    done = run([sys.executable, *shlex.split(run_all)[1:]], tmp_path)
    assert done.returncode == 0 and "Ran 3 tests" in done.stderr


MANAGE = RUNTESTS.replace("sys.argv[1:]", "sys.argv[2:]")  # manage.py test <labels>


def test_manage_py_test_labels_run_exactly_their_test(tmp_path):
    files = {"manage.py": MANAGE, "app/__init__.py": "", "app/tests.py": DJANGO_WS["tests/basic/tests.py"]}
    index = make_workspace(tmp_path, files)
    found = commands(index, "app/tests.py")
    assert found["OtherTests.test_other"] == "python manage.py test app.tests.OtherTests.test_other"
    for command in found.values():
        assert command is not None
        done = run([sys.executable, *shlex.split(command)[1:]], tmp_path)
        assert done.returncode == 0 and "Ran 1 test in" in done.stderr, (command, done.stderr)
    page = Renderer(index).render_page("app/tests.py", "docs")
    assert "The commands use Django's test runner, `python manage.py test`." in page
    assert "Run them all with `python manage.py test app.tests`." in page


def test_a_pytest_config_nearer_than_runtests_wins(tmp_path):
    index = make_workspace(tmp_path, {**DJANGO_WS, "tests/pytest.ini": "[pytest]\n"})
    assert Renderer(index).test_runners.runner_for("tests/basic/tests.py").kind == testrunners.PYTEST


def test_a_runtests_that_is_not_djangos_is_only_mentioned(tmp_path):
    files = {**DJANGO_WS, "tests/runtests.py": RUNTESTS.replace("import django", "import os as django")}
    index = make_workspace(tmp_path, files)
    runner = Renderer(index).test_runners.runner_for("tests/basic/tests.py")
    assert runner == testrunners.Runner("pytest", "", own_runner="tests/runtests.py")
    page = Renderer(index).render_page("tests/basic/tests.py", "docs")
    assert "its own runner, `python tests/runtests.py`; how it selects one test is not known." in page


def test_an_export_after_a_runner_appears_renders_the_test_pages_again(tmp_path):
    from repodoc_ls.docs.export import export

    output = tmp_path / "out"
    export(make_workspace(tmp_path / "ws", DJANGO_WS), output)
    page = output / "tests" / "basic" / "tests.py_docs.md"
    assert "`python tests/runtests.py basic.tests.ModelTests.test_create`" in page.read_text("utf-8")
    # a file the test page does not show decides its runner now
    export(make_workspace(tmp_path / "ws", {"tests/pytest.ini": "[pytest]\n"}), output)
    assert "`python -m pytest tests/basic/tests.py::ModelTests::test_create`" in page.read_text("utf-8")


def test_a_guard_with_a_pipe_stays_in_its_table_cell(tmp_path):
    from markdown_it import MarkdownIt

    index = make_workspace(
        tmp_path,
        {
            "tests/test_flags.py": "FLAGS = 1\nif FLAGS | 2:\n    def test_x():\n        pass\ndef test_y():\n    pass\n"
        },
    )
    page = Renderer(index).render_page("tests/test_flags.py", "docs")
    assert "only if `FLAGS \\| 2`" in page
    html = MarkdownIt("commonmark").enable("table").render(page)
    row = html.split("<h2>Tests</h2>")[1].split("<tbody>")[1].split("</tr>")[0]
    assert row.count("<td>") == 4 and "<code>FLAGS | 2</code>" in row
