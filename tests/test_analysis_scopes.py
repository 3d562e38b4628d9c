"""The analysis layer's scope rules, on its own: which name loads bind to a local scope
(never credited to a module-level name) and which read the module's globals. One small
source per rule; the oracle is Python's own compiler (`symtable`) where it can say."""

from __future__ import annotations

import ast
import symtable
import textwrap

import pytest

from repodoc_ls.analysis import analyze


def loads(source: str) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    """(local loads, global loads) as (name, line), for every Name load of the source."""
    tree = ast.parse(textwrap.dedent(source))
    local_ids = analyze(tree).local_loads
    local, global_ = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            (local if id(node) in local_ids else global_).add((node.id, node.lineno))
    return local, global_


def test_parameter_shadows_the_import():
    local, global_ = loads(
        """\
        from helpers import patch
        def f(patch):
            return patch
        patch()
        """
    )
    assert local == {("patch", 3)}
    assert global_ == {("patch", 4)}


def test_enclosing_function_locals_and_globals():
    local, global_ = loads(
        """\
        g = 1
        def outer():
            v = 2
            def inner():
                return v + g
            return inner
        """
    )
    assert local == {("v", 5), ("inner", 6)}
    assert global_ == {("g", 5)}


def test_class_scope_is_not_visible_from_methods():
    local, global_ = loads(
        """\
        x = 1
        class C:
            x = 2
            y = x
            def m(self):
                return x
        """
    )
    assert ("x", 4) in local  # the class body reads its own x
    assert ("x", 6) in global_  # the method does not see it
    assert ("self", 6) not in local | global_


def test_class_body_reads_the_global_before_binding_it():
    local, global_ = loads(
        """\
        patch = 1
        class C:
            patch = patch
            other = patch
        """
    )
    assert ("patch", 3) in global_
    assert ("patch", 4) in local


def test_comprehension_variable_is_its_own_scope():
    local, global_ = loads(
        """\
        from helpers import patch
        def f():
            return [patch for patch in range(3)]
        x = [patch for patch in patch]
        """
    )
    assert ("patch", 3) in local
    assert ("range", 3) in global_
    # at module level: the element is the comprehension's, the first iterable the module's
    assert ("patch", 4) in local and ("patch", 4) in global_


def test_comprehension_in_a_class_sees_the_class_only_in_its_first_iterable():
    local, global_ = loads(
        """\
        class C:
            xs = [1]
            ys = [x for x in xs]
            zs = [xs for _ in range(2)]
        """
    )
    assert ("xs", 3) in local
    assert ("xs", 4) in global_


def test_global_declaration():
    local, global_ = loads(
        """\
        counter = 0
        def bump():
            global counter
            counter = counter + 1
            return counter
        """
    )
    assert ("counter", 4) in global_ and ("counter", 5) in global_
    assert not local


def test_nonlocal_declaration():
    local, global_ = loads(
        """\
        v = 0
        def outer():
            v = 1
            def inner():
                nonlocal v
                v = 2
                return v
            return v
        """
    )
    assert {("v", 7), ("v", 8)} <= local
    assert ("v", 7) not in global_


def test_del_makes_a_name_local():
    local, _ = loads(
        """\
        x = 1
        def f():
            print(x)
            del x
        """
    )
    assert ("x", 3) in local


def test_defaults_and_annotations_are_evaluated_outside():
    local, global_ = loads(
        """\
        x = 1
        T = int
        def f(a, x=x, *, T: T = T) -> T:
            return x, T
        lam = lambda x=x: x
        """
    )
    assert {("x", 3), ("T", 3)} <= global_
    assert ("x", 3) not in local and ("T", 3) not in local
    assert {("x", 4), ("T", 4)} <= local
    assert ("x", 5) in global_ and ("x", 5) in local  # the default, then the lambda's parameter


@pytest.mark.parametrize(
    "binding",
    [
        "for patch in range(3): pass",
        "with open('f') as patch: pass",
        "(patch := 3)",
        "try:\n        pass\n    except OSError as patch:\n        pass",
        "match 1:\n        case [patch]:\n            pass",
        "import patch",
        "from os import path as patch",
        "patch, other = 1, 2",
        "patch += 1",
        "class patch: pass",
        "def patch(): pass",
    ],
)
def test_every_binding_makes_a_name_local(binding):
    source = f"from helpers import patch\ndef f():\n    {binding}\n    return patch\n"
    local, global_ = loads(source)
    last = source.count("\n")
    assert ("patch", last) in local, binding
    assert ("patch", last) not in global_


def test_walrus_in_a_comprehension_binds_in_the_function():
    local, _ = loads(
        """\
        def f():
            [y := n for n in range(3)]
            return y
        """
    )
    assert ("y", 3) in local


def test_agrees_with_symtable_on_a_mixed_source():
    source = textwrap.dedent(
        """\
        import os
        from helpers import patch, table
        def a(patch, n=table):
            q = [os for os in range(n)]
            def b():
                return patch, q, table
            return b, os
        class K:
            table = table
            def m(self, x):
                return table, x
        """
    )
    local, global_ = loads(source)
    # the compiler's view: a name is global in a function when symtable says so
    top = symtable.symtable(source, "<t>", "exec")

    def function_globals(table: symtable.SymbolTable) -> set[str]:
        return {s.get_name() for s in table.get_symbols() if s.is_global()}

    a = next(t for t in top.get_children() if t.get_name() == "a")
    assert function_globals(a) == {"os", "range"}
    assert ("table", 3) in global_  # the default
    assert ("patch", 6) in local and ("table", 6) in global_
    assert ("os", 7) in global_ and ("os", 4) in local
    assert ("table", 9) in global_ and ("table", 11) in global_


def test_methods_without_a_positional_parameter():
    local, _ = loads(
        """\
        class C:
            def m(*, key):
                return key
            def n(*args):
                return args
        """
    )
    assert {("key", 3), ("args", 5)} <= local


def test_the_standard_library_analyzes_without_a_failure(monkeypatch):
    """Every stdlib module (a sample) analyzes with `_analyze` raising nothing: `analyze`'s
    safety net is for trees nobody foresaw, not for the common ones."""
    import os
    import sysconfig
    import warnings

    from repodoc_ls.analysis import _analyze

    lib = sysconfig.get_paths()["stdlib"]
    checked = 0
    for folder, dirs, files in os.walk(lib):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        for name in sorted(files)[::8]:
            if not name.endswith(".py"):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    tree = ast.parse(open(os.path.join(folder, name), "rb").read())
                except (SyntaxError, ValueError):
                    continue
            _analyze(tree)
            checked += 1
    assert checked > 150


def test_a_tuple_assigned_to_a_tuple_binds_each_name_to_its_element():
    from repodoc_ls.analysis.scopes import collect

    tree = ast.parse("def f(a, b):\n    a, b = b, a\n    c, d = a\n    e, *g = a, b\n")
    function = collect(tree).scopes[1]
    assert [(b.kind, ast.unparse(b.a)) for b in function.bindings["a"][1:]] == [("assign", "b")]
    assert [(b.kind, ast.unparse(b.a)) for b in function.bindings["b"][1:]] == [("assign", "a")]
    for name in ("c", "d", "e", "g"):  # unpacking, a starred target: nothing known
        assert [b.kind for b in function.bindings[name]] == ["other"]
    # the names stay the function's, as the compiler says
    compiled = symtable.symtable(ast.unparse(tree), "m", "exec").get_children()[0]
    assert set(function.bindings) == {s.get_name() for s in compiled.get_symbols() if s.is_local()}


def test_isinstance_narrowing_of_an_attribute_is_recorded_with_its_dotted_name():
    from repodoc_ls.analysis.scopes import collect

    source = "def f(self):\n    if isinstance(self.title, Text):\n        t = 1\n        u = 2\n"
    narrowings = collect(ast.parse(source)).narrowings
    assert [(name, ast.unparse(klass), first, last) for _, name, klass, first, last in narrowings] == [
        ("self.title", "Text", 3, 4)
    ]
