"""Test items of one Python file, as the runner will collect them.

From the file's symbols (and, when the file parsed, its tree, for what symbols do not say:
the `if` a definition sits under, `pytestmark`, module-level renaming calls):
- a test defined again later in the same place is kept once, the last (the name is bound
  to it when the runner imports the module); the earlier ones stay as items with
  `redefined_at` set, so a page can say why they are not collected;
- the conditions a test depends on (`if sys.platform == "win32":` around it, skip
  decorators, `pytestmark`) become labels in `guards`;
- tests a decorator or call renames at import (PyTorch's `instantiate_parametrized_tests`
  with `@parametrize`, `parameterized.expand`, `instantiate_device_type_tests`) carry the
  renaming function in `renamed_by`: their written node id does not exist at run time.
"""

from __future__ import annotations

import ast
import sys

from repodoc_ls.model import Symbol, SymbolKind, TestItem

UNITTEST_BASES = frozenset(
    {
        "TestCase",
        "unittest.TestCase",
        "unittest.case.TestCase",
        "IsolatedAsyncioTestCase",
        "unittest.IsolatedAsyncioTestCase",
        "unittest.async_case.IsolatedAsyncioTestCase",
    }
)
INSTANTIATE_PARAMETRIZED = "instantiate_parametrized_tests"
INSTANTIATE_DEVICE_TYPE = "instantiate_device_type_tests"
PARAMETERIZED_EXPAND = "parameterized.expand"
_GUARD_LIMIT = 80
if sys.version_info >= (3, 11):
    _TRIES: tuple[type[ast.Try | ast.TryStar], ...] = (ast.Try, ast.TryStar)
else:  # pragma: no cover
    _TRIES = (ast.Try,)

#: def/class line -> the conditions its definition runs under, outermost first.
Guards = dict[int, list[str]]


def find_tests(
    symbols: list[Symbol],
    pytest_file: bool,
    unittest_bases: frozenset[str] | set[str] = frozenset(),
    tree: ast.Module | None = None,
) -> list[TestItem]:
    """Tests of one file: unittest classes, and pytest ones when `pytest_file`.

    Local detection knows the TestCase spellings in UNITTEST_BASES and classes of the same
    file; a cross-file pass can call again with `unittest_bases`, the base names (as
    written) that resolve to TestCase subclasses elsewhere, and replace `facts.tests`.
    """
    functions: list[Symbol] = []
    unittest_classes: set[str] = set()
    # class -> its definitions in order (a class defined twice is two), each with its methods
    classes: dict[str, list[tuple[Symbol, list[Symbol]]]] = {}
    for s in symbols:
        if s.parent is None:
            if s.kind == SymbolKind.CLASS:
                classes.setdefault(s.qualname, []).append((s, []))
                if any(b in UNITTEST_BASES or b in unittest_classes or b in unittest_bases for b in s.bases):
                    unittest_classes.add(s.qualname)
            elif pytest_file and s.kind == SymbolKind.FUNCTION and s.name.startswith("test"):
                functions.append(s)
        elif s.kind == SymbolKind.METHOD and s.parent in classes:
            classes[s.parent][-1][1].append(s)
    test_classes = []
    for name, definitions in classes.items():
        if name in unittest_classes:
            test_classes.append((definitions, "unittest"))
        elif (
            pytest_file
            and name.startswith("Test")
            and not any(m.name == "__init__" for m in definitions[-1][1])
        ):
            test_classes.append((definitions, "pytest"))
    if not functions and not test_classes:
        return []  # most files: the tree need not be walked again
    context = _TreeContext(tree)
    tests = [
        function_item(s, "pytest", context.module_guards + context.guards.get(s.line, []))
        for s in functions
        if s.line not in context.never_run
    ]
    for definitions, style in test_classes:
        definitions = [d for d in definitions if d[0].line not in context.never_run]
        if not definitions:
            continue
        later = definitions[-1][0]
        for cls, methods in definitions:
            items = class_items(cls, methods, style, context)
            if cls is not later and _covers(
                context.guards.get(later.line, []), context.guards.get(cls.line, [])
            ):
                for item in items:
                    item.redefined_at = later.line
            tests += items
    tests.sort(key=lambda t: t.line)
    collapse_redefinitions(tests, context.guards)
    return tests


def class_items(cls: Symbol, methods: list[Symbol], style: str, context: _TreeContext) -> list[TestItem]:
    """The test items of one class definition: its `test*` methods, last definition of a
    name marking the earlier ones as redefined."""
    callees = [callee(d) for d in cls.decorators]
    class_param = any(is_pytest_parametrize(c) for c in callees)
    renamer = ""
    if cls.name in context.device_type:
        renamer = INSTANTIATE_DEVICE_TYPE
    instantiated = cls.name in context.instantiated or any(
        last(c) == INSTANTIATE_PARAMETRIZED for c in callees
    )
    class_guards = context.module_guards + context.guards.get(cls.line, []) + skip_guards(cls.decorators)
    class_guards += context.class_marks.get(cls.line, [])
    items = []
    for m in methods:
        if not m.name.startswith("test"):
            continue
        item = function_item(m, style, class_guards + context.guards.get(m.line, []))
        item.parametrized = item.parametrized or class_param
        if renamer:
            item.renamed_by = renamer
        elif (
            instantiated
            and not item.renamed_by
            and any(is_torch_parametrize(callee(d)) for d in m.decorators)
        ):
            item.renamed_by = INSTANTIATE_PARAMETRIZED
        items.append(item)
    return items


def cross_file_class_items(cls: Symbol, methods: dict[str, Symbol]) -> list[TestItem]:
    """Items of a unittest class only another file's facts show to be one: `methods` maps
    each test name to its definition (inherited ones included). What the tree adds (`if`
    guards, module-level renaming calls) is not known here."""
    items = class_items(cls, list(methods.values()), "unittest", _TreeContext(None))
    for name, item in zip(methods, items, strict=True):
        item.qualname = f"{cls.qualname}.{name}"
    return items


def function_item(s: Symbol, style: str, guards: list[str]) -> TestItem:
    callees = [callee(d) for d in s.decorators]
    parametrized = any(last(c) == "parametrize" for c in callees)
    renamed_by = PARAMETERIZED_EXPAND if PARAMETERIZED_EXPAND in callees else ""
    parametrized = parametrized or bool(renamed_by)
    return TestItem(s.qualname, s.line, style, parametrized, guards + skip_guards(s.decorators), renamed_by)


def collapse_redefinitions(tests: list[TestItem], guards: Guards) -> None:
    """Mark each test whose name a later definition rebinds, whenever it is bound, as
    `redefined_at` that line (tests in line order). A later definition under a condition
    the earlier one is not under leaves it: on other platforms the earlier one runs."""
    last: dict[str, TestItem] = {}
    for t in reversed(tests):
        if t.redefined_at:
            continue  # its whole class is defined again
        later = last.get(t.qualname)
        if later is not None and _covers(guards.get(later.line, []), guards.get(t.line, [])):
            t.redefined_at = later.line
        else:
            last[t.qualname] = t


def _covers(later: list[str], earlier: list[str]) -> bool:
    return earlier[: len(later)] == later


# --- decorators --------------------------------------------------------------------


def callee(decorator: str) -> str:
    """`pytest.mark.skipif` for `pytest.mark.skipif(cond, reason=...)`."""
    return decorator.partition("(")[0].strip()


def last(dotted: str) -> str:
    return dotted.rpartition(".")[2]


def is_pytest_parametrize(name: str) -> bool:
    return name in ("pytest.mark.parametrize", "mark.parametrize")


def is_torch_parametrize(name: str) -> bool:
    """`@parametrize` of torch.testing._internal.common_utils (any spelling but pytest's)."""
    return last(name) == "parametrize" and not is_pytest_parametrize(name)


def skip_guards(decorators: list[str]) -> list[str]:
    """Labels for the skip decorators among `decorators` (as written, without `@`)."""
    labels = []
    for d in decorators:
        name = last(callee(d))
        lowered = name.lower()
        if not lowered.startswith("skip") and lowered != "xfail":
            continue
        label = _skip_label(d, name)
        if label:
            labels.append(label)
    return labels


def _skip_label(decorator: str, name: str) -> str:
    try:
        node = ast.parse(decorator.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return _shorten("@" + decorator)
    first = node.args[0] if isinstance(node, ast.Call) and node.args else None
    if name in ("skipif", "skipIf") and first is not None:
        return "skipped if " + _condition(first)
    if name == "skipUnless" and first is not None:
        return "skipped unless " + _condition(first)
    if name == "skip":
        return "always skipped"
    if name == "xfail":
        return "expected to fail" + (" if " + _condition(first) if first is not None else "")
    return _shorten("@" + decorator)


def _condition(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _shorten(node.value)  # pytest evaluates a string condition
    try:
        return _shorten(ast.unparse(node))
    except Exception:  # RecursionError on absurd nesting
        return "…"


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _GUARD_LIMIT else text[: _GUARD_LIMIT - 1] + "…"


# --- what the tree adds ------------------------------------------------------------


class _TreeContext:
    """What a test's symbol does not record: the `if`s around its definition, the
    `pytestmark`s of its module and class, the classes module-level calls rename, and the
    definitions that never run under a runner (`if __name__ == "__main__":`)."""

    def __init__(self, tree: ast.Module | None) -> None:
        self.guards: Guards = {}
        self.module_guards: list[str] = []
        self.class_marks: dict[int, list[str]] = {}
        self.instantiated: set[str] = set()
        self.device_type: set[str] = set()
        self.never_run: set[int] = set()
        if tree is not None:
            self.module_guards = _marks(tree.body)
            self._walk(tree.body, [], in_class=False)

    def _walk(self, body: list[ast.stmt], chain: list[str], in_class: bool) -> None:
        for st in body:
            if isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                line = st.lineno
                if chain:
                    self.guards[line] = chain
                if isinstance(st, ast.ClassDef):
                    self.class_marks[line] = _marks(st.body)
                    self._walk(st.body, [], in_class=True)
            elif isinstance(st, ast.If):
                if not in_class and _is_main_guard(st.test):
                    self.never_run.update(_definition_lines(st.body))
                    self._walk(st.orelse, chain, in_class)
                    continue
                condition = _condition(st.test)
                self._walk(st.body, chain + ["only if " + condition], in_class)
                self._walk(st.orelse, chain + ["only if not " + _negatable(condition)], in_class)
            elif isinstance(st, _TRIES):
                for part in (st.body, *[h.body for h in st.handlers], st.orelse, st.finalbody):
                    self._walk(part, chain, in_class)
            elif isinstance(st, ast.With | ast.AsyncWith):
                self._walk(st.body, chain, in_class)
            elif not in_class and isinstance(st, ast.Expr) and isinstance(st.value, ast.Call):
                self._renaming_call(st.value)

    def _renaming_call(self, call: ast.Call) -> None:
        func = call.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if call.args and isinstance(call.args[0], ast.Name):
            if name == INSTANTIATE_PARAMETRIZED:
                self.instantiated.add(call.args[0].id)
            elif name == INSTANTIATE_DEVICE_TYPE:
                self.device_type.add(call.args[0].id)


def _marks(body: list[ast.stmt]) -> list[str]:
    """Skip labels of a `pytestmark = ...` among `body`'s statements."""
    for st in body:
        if (
            isinstance(st, ast.Assign)
            and len(st.targets) == 1
            and isinstance(st.targets[0], ast.Name)
            and st.targets[0].id == "pytestmark"
        ):
            value = st.value
            marks = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
            try:
                return skip_guards([ast.unparse(m) for m in marks])
            except Exception:  # RecursionError on absurd nesting
                return []
    return []


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides) and any(
        isinstance(s, ast.Constant) and s.value == "__main__" for s in sides
    )


def _definition_lines(body: list[ast.stmt]) -> list[int]:
    return [
        st.lineno
        for st in ast.walk(ast.Module(body=body, type_ignores=[]))
        if isinstance(st, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]


def _negatable(condition: str) -> str:
    return (
        condition
        if condition.isidentifier() or condition.replace(".", "").isidentifier()
        else f"({condition})"
    )
