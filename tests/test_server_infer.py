"""Hovers answered from the index and the code around the name (hover_scope.py, index/expr_types.py),
in process: attributes of values whose type the code states, keyword arguments, class
bodies, module variables of other files, builtins' members. And the other half of the
rule: where the code does not state a type, no answer (the hover goes to jedi)."""

from __future__ import annotations

import ast
import textwrap
from types import SimpleNamespace

import jedi
import pytest
from needles import needle_at

from repodoc_ls.config import load_settings
from repodoc_ls.index.indexer import Index
from repodoc_ls.server import hover
from repodoc_ls.server.folders import split_lines
from repodoc_ls.server.hover_format import Format, HoverContext

FILES = {
    "pkg/__init__.py": "",
    "pkg/shapes.py": '''
        """Shapes."""


        class Helper:
            """Helps."""

            def run(self, times: int = 1) -> int:
                """Run the helper."""
                return times


        class Shape:
            kind = "shape"
            alias = Helper

            def __init__(self, name, *, color="red", **extra):
                self.name = name
                self.helper = Helper()

            def area(self) -> float:
                """The area."""
                return 0.0

            @property
            def label(self) -> str:
                return self.name

            @label.setter
            def label(self, value):
                self.name = value

            draw = area


        class Square(Shape):
            def grow(self):
                self.helper.run()
                self.draw()
                return self.kind


        class Custom:
            def __new__(cls, *args):
                return 42

            def method(self):
                pass


        class Stack(list):
            pass


        def make() -> Shape:
            return Shape("made")


        registry = Shape("global")
        counter = 0


        def bump():
            global total
            total = 1
        ''',
    "pkg/use.py": """
        import sys
        from pkg.shapes import Shape, make, registry, Stack, Custom
        from pkg import shapes


        def work(param, typed: Shape):
            items = []
            items.append(1)
            words = ",".join(["a"])
            s = Shape("x", color="blue")
            s.area()
            typed.area()
            param.area()
            made = make()
            made.area()
            registry.area()
            shapes.registry.area()
            Stack().append(1)
            c = Custom()
            c.method()
            twice = Shape("a")
            twice = shapes.Square("b")
            twice.area()
            for loop in [Shape("b")]:
                loop.area()
            made2 = [made.area() for made in [3]]
            sorted(items, key=len)
            unknown_call(flag=True)
            sys.exit(sys.platform)
            return words
        """,
    "pkg/flows.py": """
        from pkg.shapes import Shape, Square


        class Opener:
            def __enter__(self) -> Shape:
                return Shape("opened")

            def __exit__(self, *exc):
                return False


        class Round(Shape):
            def area(self) -> float:
                return super().area()


        def flows(shapes: list[Shape], flag):
            for each in shapes:
                each.area()
            with Opener() as opened:
                opened.area()
            if isinstance(flag, Square):
                flag.grow()
        """,
    "pkg/defaults.py": """
        limit = 10


        def clamp(value, limit=limit):
            return min(value, limit)
        """,
}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    root = tmp_path_factory.mktemp("infer").resolve()
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def ctx(ws):
    settings = load_settings(ws)
    index = Index.build(settings, persistent=False)
    folder = SimpleNamespace(root=ws, index=index, settings=settings, uri=ws.as_uri(), partial=False)
    ls = SimpleNamespace(lines=lambda f, rel: split_lines((ws / rel).read_text(encoding="utf-8")))
    return HoverContext(ls, folder, Format(markdown=False))


def hover_at(ctx, rel: str, needle: str, occurrence: int = 1, offset: int = 0) -> str | None:
    """The plain-text index hover at the `occurrence`-th `needle` of `rel` (+ offset)."""
    lines = ctx.lines(rel)
    result, _ = hover.index_hover(ctx, rel, lines, *needle_at(lines, needle, occurrence, offset))
    return result


def test_attribute_of_a_local_assigned_a_literal_is_the_builtin_method(ctx):
    text = hover_at(ctx, "pkg/use.py", "append(1)")
    assert text.startswith("method list.append(self, object, /)")
    assert text.endswith("builtin list")
    assert hover_at(ctx, "pkg/use.py", "join(").startswith("method str.join(")


def test_attribute_of_an_instance_made_in_the_code(ctx):
    for needle in ("s.area", "typed.area", "made.area", "registry.area", "shapes.registry.area"):
        text = hover_at(ctx, "pkg/use.py", needle, offset=len(needle) - 4)
        assert text.startswith("def Shape.area(self) -> float"), needle
        assert "Defined in pkg/shapes.py:20" in text, needle


def test_attribute_through_self_assignments_class_body_and_builtin_bases(ctx):
    text = hover_at(ctx, "pkg/shapes.py", "helper.run", offset=7)
    assert text.startswith("def Helper.run(self, times: int = 1) -> int")
    text = hover_at(ctx, "pkg/shapes.py", "self.draw", offset=5)
    assert text.startswith("(class attribute) Shape.draw")
    assert "bound at pkg/shapes.py:32" in text and text.endswith("draw = area")
    assert hover_at(ctx, "pkg/use.py", "Stack().append", offset=8).startswith("method list.append(")


def test_class_body_names_and_decorators(ctx):
    text = hover_at(ctx, "pkg/shapes.py", "kind =")
    assert text.startswith("(class attribute) Shape.kind")
    text = hover_at(ctx, "pkg/shapes.py", "@label.setter", offset=1)
    assert text.startswith("@property\ndef Shape.label(self) -> str")


def test_keyword_arguments(ctx):
    text = hover_at(ctx, "pkg/use.py", "color=")
    assert text.startswith("(parameter) color='red'")
    assert "Parameter of Shape.__init__, pkg/shapes.py:16" in text
    text = hover_at(ctx, "pkg/use.py", "key=")
    assert text.startswith("(parameter) key=None") and "Parameter of builtin sorted" in text
    text = hover_at(ctx, "pkg/use.py", "flag=")
    assert text == "(keyword argument) flag\n\nArgument of the call to unknown_call"


def test_module_variables_of_other_files_and_globals(ctx):
    text = hover_at(ctx, "pkg/use.py", "registry")  # in the import: the variable is a symbol
    assert text.startswith('(variable) registry = Shape("global")\n\nDefined in pkg/shapes.py:58')
    text = hover_at(ctx, "pkg/shapes.py", "total", occurrence=2)
    assert text.startswith("(variable) total\n\nModule variable, first bound at pkg/shapes.py:64")


def test_modules_compiled_into_the_interpreter(ctx):
    text = hover_at(ctx, "pkg/use.py", "sys.exit")
    assert text.startswith("module sys\n\nThis module provides access")
    text = hover_at(ctx, "pkg/use.py", "exit(sys", offset=1)
    assert text.startswith("function exit(status=None, /)") and text.endswith(
        "function in module sys (compiled)"
    )
    text = hover_at(ctx, "pkg/use.py", "platform)")
    assert text.startswith("(variable) sys.platform: str")


@pytest.mark.parametrize(
    "needle",
    [
        "param.area",  # a parameter without annotation
        "c.method",  # a class with its own __new__
        "twice.area",  # two assignments of different types (a Shape, a Square)
        "loop.area",  # a loop variable
        "made.area() for",  # a comprehension's own variable, not the function's `made`
    ],
)
def test_no_answer_where_the_code_does_not_state_the_type(ctx, needle):
    offset = {"c.method": 2, "made.area() for": 5}.get(needle, len(needle) - 4)
    assert hover_at(ctx, "pkg/use.py", needle, offset=offset) is None


def test_a_default_reads_the_enclosing_scope_not_the_parameter(ctx):
    # `def clamp(value, limit=limit):` the default is the module's `limit` (analysis layer)
    default = hover_at(ctx, "pkg/defaults.py", "limit=limit", offset=6)
    assert default is not None and "parameter" not in default
    assert "limit = 10" in default
    body = hover_at(ctx, "pkg/defaults.py", "limit)", occurrence=2)
    assert body is not None and "parameter" in body


def definition_line(path, qualname: str) -> int:
    """The line `ast` gives the `def` of `qualname` (Class.method) in file `path`."""
    klass, _, method = qualname.partition(".")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == klass)
    return next(n.lineno for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == method)


@pytest.mark.parametrize(
    ("needle", "expected", "jedi_knows"),
    [
        ("each.area", "Shape.area", True),  # an element of an annotated list
        ("opened.area", "Shape.area", True),  # a `with` target, through `__enter__`'s return annotation
        ("super().area", "Shape.area", True),  # the base class's method
        ("flag.grow", "Square.grow", False),  # narrowed by `isinstance` (jedi does not narrow it)
    ],
)
def test_what_the_analysis_layer_types_the_index_evaluates(ctx, ws, needle, expected, jedi_knows):
    attr = needle.rpartition(".")[2]
    offset = len(needle) - len(attr)
    text = hover_at(ctx, "pkg/flows.py", needle, offset=offset)
    line = definition_line(ws / "pkg/shapes.py", expected)
    assert text is not None and text.startswith(f"def {expected}(self"), (needle, text)
    assert f"Defined in pkg/shapes.py:{line}" in text
    if jedi_knows:
        at_line, char = needle_at(ctx.lines("pkg/flows.py"), needle, offset=offset)
        script = jedi.Script(path=str(ws / "pkg/flows.py"), project=jedi.Project(str(ws)))
        (oracle,) = script.goto(at_line + 1, char, follow_imports=True)
        assert (oracle.full_name, oracle.line) == (f"pkg.shapes.{expected}", line)
