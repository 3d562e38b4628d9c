"""Test items of one Python file, found from its symbols alone."""

from __future__ import annotations

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


def find_tests(
    symbols: list[Symbol], pytest_file: bool, unittest_bases: frozenset[str] | set[str] = frozenset()
) -> list[TestItem]:
    """Tests of one file: unittest classes, and pytest ones when `pytest_file`.

    Local detection knows the TestCase spellings in UNITTEST_BASES and classes of the same
    file; a cross-file pass can call again with `unittest_bases`, the base names (as
    written) that resolve to TestCase subclasses elsewhere, and replace `facts.tests`.
    """
    tests: list[TestItem] = []
    unittest_classes: set[str] = set()
    classes: dict[str, tuple[Symbol, list[Symbol]]] = {}  # class -> (its symbol, its methods)
    for s in symbols:
        if s.parent is None:
            if s.kind == SymbolKind.CLASS:
                classes[s.qualname] = (s, [])
                if any(b in UNITTEST_BASES or b in unittest_classes or b in unittest_bases for b in s.bases):
                    unittest_classes.add(s.qualname)
            elif pytest_file and s.kind == SymbolKind.FUNCTION and s.name.startswith("test"):
                tests.append(
                    TestItem(s.name, s.line, "pytest", any("parametrize" in d for d in s.decorators))
                )
        elif s.kind == SymbolKind.METHOD and s.parent in classes:
            classes[s.parent][1].append(s)
    for name, (cls, methods) in classes.items():
        if name in unittest_classes:
            style = "unittest"
        elif pytest_file and name.startswith("Test") and not any(m.name == "__init__" for m in methods):
            style = "pytest"
        else:
            continue
        cls_param = any("parametrize" in d for d in cls.decorators)
        for m in methods:
            if m.name.startswith("test"):
                tests.append(
                    TestItem(
                        m.qualname, m.line, style, cls_param or any("parametrize" in d for d in m.decorators)
                    )
                )
    tests.sort(key=lambda t: t.line)
    return tests
