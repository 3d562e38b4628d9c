"""The analysis layer's type inference, on its own: each rule gives the typed use (the
receiver's type expression and the attribute) on its line, and each unknown case gives
none, never a guess. Cross-file answers (return annotations, `__new__`, bases) are the
index's: tests/test_analysis_resolve.py."""

from __future__ import annotations

import ast
import re
import textwrap

import pytest

from repodoc_ls.analysis import analyze


def typed(source: str) -> set[tuple[str, str, int]]:
    """{(type expression, attribute, line)} of the source's typed uses."""
    uses = analyze(ast.parse(textwrap.dedent(source))).typed_uses
    return {(root + steps, attr, line) for (root, steps, attr), lines in uses.items() for line in lines}


def test_constructor_call():
    assert typed("from m import Foo\ndef f():\n    t = Foo()\n    t.run()\n") == {("Foo()", "run", 4)}


def test_constructor_call_of_a_module_attribute():
    assert typed("import m\ndef f():\n    t = m.Foo()\n    t.run()\n") == {("m.Foo()", "run", 4)}


@pytest.mark.parametrize(
    "annotation",
    ["Foo", "'Foo'", "Optional[Foo]", "Foo | None", "'Foo | None'", "Union[Foo, None]", "Foo[int]"],
)
def test_parameter_annotation(annotation):
    source = f"from m import Foo\ndef f(t: {annotation}):\n    t.run()\n"
    assert typed(source) == {("Foo#", "run", 3)}


def test_variable_annotation():
    source = "from m import Foo, make\ndef f():\n    t: Foo = make()\n    t.run()\n"
    assert typed(source) == {("Foo#", "run", 4)}  # the annotation wins over the value


def test_return_value_is_left_to_the_index():
    assert typed("from m import make\ndef f():\n    make().run()\n") == {("make()", "run", 3)}


def test_self_attribute_assigned_in_a_method():
    source = """\
        from m import Foo
        class C:
            def __init__(self, foo: Foo):
                self.a = Foo()
                self.b = foo
            def go(self):
                self.a.run()
                self.b.stop()
        """
    assert typed(source) == {("Foo()", "run", 7), ("Foo#", "stop", 8)}


def test_class_attributes_and_annotations():
    source = """\
        from m import Foo
        class C:
            a = Foo()
            b: Foo
            def go(self):
                self.a.run()
                self.b.stop()
        """
    assert typed(source) == {("Foo()", "run", 6), ("Foo#", "stop", 7)}


def test_a_declared_type_wins_over_the_assignments():
    source = """\
        from m import Foo, make
        class C:
            a: Foo | None
            def __init__(self, x):
                self.a = None if x is None else make(x)
                b: Foo = make(x)
                b = make(x)
                b.stop()
            def go(self):
                self.a.run()
        """
    assert typed(source) == {("Foo#", "stop", 8), ("Foo#", "run", 10)}


def test_an_unknown_declared_type_stays_unknown():
    source = "from m import Foo, Bar\ndef f():\n    t: Foo | Bar = Foo()\n    t.run()\n"
    assert typed(source) == set()


def test_methods_through_self_and_cls():
    source = """\
        class C:
            def go(self):
                self.run()
            @classmethod
            def make(cls):
                cls.build()
            @staticmethod
            def s(self):
                self.nothing()
        """
    assert typed(source) == {("@C#", "run", 3), ("@C", "build", 6)}


def test_with_target_goes_through_enter():
    source = "from m import Foo\ndef f():\n    with Foo() as t:\n        t.run()\n"
    assert typed(source) == {("Foo().__enter__()", "run", 4)}


def test_for_over_an_annotated_iterable():
    source = """\
        from m import Foo
        def f(items: list[Foo], more: 'Sequence[Foo]', pairs: tuple[Foo, ...]):
            for t in items:
                t.run()
            for u in more:
                u.stop()
            pairs[0].go()
            [v.x for v in items]
        """
    assert typed(source) == {("Foo#", "run", 4), ("Foo#", "stop", 6), ("Foo#", "go", 7), ("Foo#", "x", 8)}


def test_super():
    source = """\
        class C(B):
            def go(self):
                super().go()
                super(C, self).stop()
        """
    assert typed(source) == {("@C#^", "go", 3), ("@C#^", "stop", 4)}


def test_except_and_walrus():
    source = """\
        from m import Err, Foo
        def f():
            try:
                pass
            except Err as e:
                e.detail()
            if (t := Foo()):
                t.run()
        """
    assert typed(source) == {("Err#", "detail", 6), ("Foo()", "run", 8)}


def test_local_class_and_its_uses():
    source = """\
        def test_x():
            class A:
                def m(self):
                    pass
            class B(A):
                pass
            B().m()
        """
    assert typed(source) == {("@test_x.A", "", 5), ("@test_x.B", "", 7), ("@test_x.B()", "m", 7)}


def test_a_chain_over_several_lines_credits_the_line_of_each_name():
    # the line jedi and the editor put the name on: not the chain's first line
    source = "from m import Foo\ndef f(x):\n    return (\n        Foo()\n        .join(x)\n        .split()\n    )\n"
    assert typed(source) == {("Foo()", "join", 5), ("Foo().join()", "split", 6)}


def test_none_assignments_do_not_hide_the_type():
    source = "from m import Foo\ndef f(c):\n    t = None\n    if c:\n        t = Foo()\n    t.run()\n"
    assert typed(source) == {("Foo()", "run", 6)}


def test_self_returning_methods():
    source = """\
        class C:
            def __enter__(self):
                return self
            def other(self):
                if x:
                    return self
                return None
        """
    assert analyze(ast.parse(textwrap.dedent(source))).self_returning == ["C.__enter__"]


@pytest.mark.parametrize(
    "source",
    [
        # a loop variable over something untyped
        "def f(items):\n    for t in items:\n        t.run()\n",
        # an unannotated parameter
        "def f(t):\n    t.run()\n",
        # unpacking, augmented assignment, del
        "from m import Foo\ndef f():\n    t, u = Foo()\n    t.run()\n",
        "from m import Foo\ndef f():\n    t = Foo()\n    t += 1\n    t.run()\n",
        # a name rebound under `global` elsewhere
        "from m import Foo\nt = Foo()\ndef g():\n    global t\n    t = 1\ndef f():\n    t.run()\n",
        # a function's name bound by an import and something else
        "def f(c):\n    from m import Foo\n    if c:\n        Foo = 1\n    Foo().run()\n",
        # an annotation that names no class
        "def f(t: int | str, u: Callable[[], Foo], v: dict[str, Foo]):\n    t.run(); u.run(); v.run()\n",
        # a slice; a subscript or an operator of a class, not an instance
        "from m import Foo\ndef f(t: Foo):\n    t[1:].run()\n",
        "from m import Foo\ndef f():\n    Foo[int].run()\n    (Foo + 1).run()\n",
        # an arm of a conditional value unknown; `and` (whose value may be its falsy left)
        "from m import Foo\ndef f(c, x):\n    t = Foo() if c else x\n    t.run()\n",
        "from m import Foo\ndef f(c):\n    (c and Foo()).run()\n",
        # a name bound only through itself
        "def f(t):\n    t = t.copy()\n    t.run()\n",
        "def f(t):\n    t = t.copy() if t else t\n    t.run()\n",
        # an operator with no special method of its own here
        "from m import Foo\ndef f(t: Foo):\n    (t // 2).run()\n",
    ],
)
def test_unknown_stays_unknown(source):
    assert typed(source) == set()


def test_bindings_that_differ_are_left_to_the_index_as_a_union():
    source = "from m import Foo, make\ndef f(c, t: Foo):\n    if c:\n        t = make()\n    t.run()\n"
    assert typed(source) == {("{Foo~#|make~()}", "run", 5)}


def test_conditional_values_and_or():
    source = """\
        from m import Foo, make
        def f(c, x: Foo | None):
            (Foo() if c else None).run()
            (Foo() if c else make()).run()
            (x or make()).run()
            (x or Foo() or None).run()
        """
    assert typed(source) == {
        ("Foo()", "run", 3),
        ("{Foo~()|make~()}", "run", 4),
        ("{Foo~#|make~()}", "run", 5),
        ("{Foo~#|Foo~()}", "run", 6),
    }


def test_a_name_rebound_through_itself_is_solved_from_its_other_bindings():
    source = """\
        from m import Foo
        def f(t: Foo, c):
            t = t.copy()
            t = t.grow() if c else t
            t.run()
        """
    # the parameter's type, put in for `t`, must give the same as each rebinding
    solved = "{Foo~#|Foo~#.copy()|Foo~#.grow()}"
    assert typed(source) == {(solved, "copy", 3), (solved, "grow", 4), (solved, "run", 5)}


def test_names_rebound_through_each_other():
    source = """\
        from m import Lines
        def f(text: Lines):
            for line in text.split():
                pieces = line.divide()
                for line in pieces:
                    line.run()
        """
    # `line` is an element of `text.split()`, or of `pieces`, which is `line.divide()`
    line = "{Lines~#.split()*|Lines~#.split()*.divide()*}"
    assert typed(source) == {
        ("Lines#", "split", 3),
        (line, "divide", 4),
        (line, "run", 6),
    }


def test_a_self_attribute_rebound_through_itself():
    source = """\
        from m import Foo
        class C:
            def __init__(self):
                self.a = Foo()
            def go(self):
                self.a = self.a.copy()
                self.a.run()
        """
    assert typed(source) == {("{Foo~()|Foo~().copy()}", "copy", 6), ("{Foo~()|Foo~().copy()}", "run", 7)}


def test_subscripts_and_operators_of_instances():
    source = """\
        from m import Foo
        def f(t: Foo):
            t["key"].run()
            (t + t).run()
            (t | t).run()
        """
    assert typed(source) == {
        ("Foo#:__getitem__", "run", 3),
        ("Foo#:__add__", "run", 4),
        ("Foo#:__or__", "run", 5),
    }


def test_a_setter_decorator_reads_the_property_bound_before_it():
    source = """\
        class C:
            @property
            def size(self):
                return 1
            @size.setter
            def size(self, value):
                pass
        """
    assert typed(source) == {("@C.size", "", 5), ("@C.size", "setter", 5)}


def test_plain_module_names_are_left_to_the_uses():
    assert typed("import os\nfrom m import Foo\nos.path.join()\nFoo.make()\n") == set()


def test_a_local_alias_of_a_module_name():
    # the uses chains credit `Foo.make`, not `_Foo.make`: the local alias is a typed use
    source = "from m import Foo\ndef f():\n    _Foo = Foo\n    _Foo.make()\n    Foo.make()\n"
    assert typed(source) == {("Foo", "make", 4)}


def test_a_local_alias_bound_to_two_names_is_left_to_the_index():
    source = "from m import Foo, Bar\ndef f(c):\n    _F = Foo\n    if c:\n        _F = Bar\n    _F.make()\n"
    assert typed(source) == {("{Bar~|Foo~}", "make", 6)}  # credited only if both name one class


def test_a_function_s_own_import_is_resolved_from_its_line():
    # not the module's top-level name: the import on line 2 (and line 5's, a module's attribute)
    source = (
        "def f():\n    from m import Foo\n    Foo().run()\n    Foo.make()\n    import n.sub\n    n.sub.go()\n"
    )
    assert typed(source) == {
        ("!2:Foo", "", 3),
        ("!2:Foo", "", 4),
        ("!5:n", "", 6),
        ("!2:Foo()", "run", 3),
        ("!2:Foo", "make", 4),
        ("!5:n.sub", "go", 6),
        ("!5:n", "sub", 6),
    }


def test_a_loop_over_a_value_of_known_type_is_left_to_its_iter():
    source = "from m import Foo\ndef f():\n    for t in Foo():\n        t.run()\n"
    assert typed(source) == {("Foo()*", "run", 4)}


def test_enumerate_gives_the_elements():
    source = """\
        from m import Foo
        def f(items: list[Foo], other):
            for i, t in enumerate(items, 1):
                t.run()
            for i, u in enumerate(other):
                u.run()
        def g(items: list[Foo]):
            enumerate = zip
            for i, t in enumerate(items, items):
                t.run()
        """
    assert typed(source) == {("Foo#", "run", 4)}


def test_a_mapping_s_values():
    source = """\
        from typing import Dict
        from m import Foo
        class C:
            def __init__(self):
                self.tasks: Dict[str, Foo] = {}
            def go(self, key):
                self.tasks[key].run()
                self.tasks.get(key).stop()
                for t in self.tasks.values():
                    t.wait()
                for k in self.tasks:
                    k.run()
                self.tasks.get(key, 1).stop()
        """
    assert typed(source) == {("Foo#", "run", 7), ("Foo#", "stop", 8), ("Foo#", "wait", 10)}


def test_module_level_instance():
    assert typed("from m import Foo\nt = Foo()\ndef f():\n    t.run()\n") == {("Foo()", "run", 4)}


def test_isinstance_narrowing():
    source = """\
        from m import Foo
        def f(x):
            if isinstance(x, Foo):
                x.run()
            x.stop()
            if isinstance(x, Foo):
                x = 1
                x.go()
        """
    assert typed(source) == {("Foo#", "run", 4)}  # not after the block, nor where x is rebound


def test_isinstance_narrowing_of_an_attribute():
    source = """\
        from m import Foo
        class C:
            def go(self, x):
                if isinstance(self.title, Foo):
                    t = self.title
                    self.title.run()
                else:
                    t = make()
                t.stop()
                self.title.go()
                if isinstance(self.title, Foo):
                    self.title = x
                    self.title.run()
        """
    # not after the block (10), nor where the attribute is assigned in it (13)
    assert typed(source) == {("Foo#", "run", 6), ("{Foo~#|make~()}", "stop", 9)}


def test_a_tuple_assigned_element_by_element():
    source = """\
        from m import Foo
        def f(a: Foo, b: Foo, c):
            a, b = b, a
            a.run()
            x, y = c
            x.run()
            z, *w = a, b
            z.run()
        """
    assert typed(source) == {("Foo#", "run", 4)}  # not through unpacking, nor a starred target


def values(source: str) -> dict[str, tuple[str, str]]:
    return analyze(ast.parse(textwrap.dedent(source))).value_types


def test_what_module_variables_and_data_attributes_hold():
    source = """\
        from m import Foo, make
        codes = Foo()
        alias = Foo
        many: list[Foo] = []
        either = Foo() if make else make()
        unknown = make
        unknown = 1
        class C:
            kind = Foo()
            def __init__(self, x, y: Foo):
                self.a = Foo()
                self.b = x
                self.c = y
        """
    # not a bare alias (the graph resolves those), a container, or what is not known
    assert values(source) == {
        "codes": ("Foo", "()"),
        "either": ("{Foo~()|make~()}", ""),
        "C.kind": ("Foo", "()"),
        "C.a": ("Foo", "()"),
        "C.c": ("Foo", "#"),
    }


def test_names_rebound_through_each_other_every_way_stay_sound():
    # 20 names, each bound to every other (and to another's `.m()`): the solving is cut by
    # its limits, and what it answers is the parameter's type or nothing, never a hole
    names = [f"x{i}" for i in range(20)]
    lines = ["from m import Foo", "def f(x0: Foo, c):"]
    for i, a in enumerate(names[1:], 1):
        lines += [
            f"    if c: {a} = {b}{'.m()' if (i + j) % 2 else ''}" for j, b in enumerate(names) if a != b
        ]
    lines.append("    " + "; ".join(f"{a}.run()" for a in names))
    found = typed("\n".join(lines) + "\n")
    assert ("Foo#", "run", len(lines)) in found
    assert all("?" not in t for t, _, _ in found)
    for t, _, _ in found:  # a union's alternatives all start from the parameter's type
        assert t == "Foo#" or set(re.findall(r"([\w.@!:]+)~", t)) == {"Foo"}, t
