"""Tests for the ast-based Python extractor (repodoc_ls.extract.python)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from repodoc_ls.extract.python import extract_python
from repodoc_ls.model import FileFacts, FileKind, Import, NoteKind, SymbolKind
from repodoc_ls.model import TestItem as Item

WS = Path(__file__).parent / "fixtures" / "ws"


def fixture(rel: str) -> FileFacts:
    return extract_python(rel, (WS / rel).read_bytes())


def src(text: str, path: str = "pkg/mod.py") -> FileFacts:
    return extract_python(path, text.encode("utf-8"))


def notes(facts: FileFacts, kind: str) -> list[tuple[int, str]]:
    return [(n.line, n.detail) for n in facts.notes if n.kind == kind]


def sym(facts: FileFacts, qualname: str):
    s = facts.symbol(qualname)
    assert s is not None, f"{qualname} not in {[x.qualname for x in facts.symbols]}"
    return s


# --- fixture workspace -----------------------------------------------------------------


def test_test_package_symbols():
    f = fixture("tests/test_package.py")
    assert f.kind == FileKind.TEST_MODULE
    assert f.docstring == "Tests for the shop package."
    assert [(s.qualname, s.kind, s.line) for s in f.symbols] == [
        ("tagged", SymbolKind.FUNCTION, 7),
        ("TestPackage", SymbolKind.CLASS, 12),
        ("TestPackage.setUp", SymbolKind.METHOD, 13),
        ("TestPackage.test_basic_fn", SymbolKind.METHOD, 16),
        ("TestPackage.test_basic_fn.fn", SymbolKind.FUNCTION, 17),
        ("TestPackage.test_basic_fn.Local", SymbolKind.CLASS, 20),
        ("TestPackage.test_total", SymbolKind.METHOD, 25),
        ("TestPackage.helper", SymbolKind.METHOD, 29),
    ]
    cls = sym(f, "TestPackage")
    assert (cls.decorators, cls.bases, cls.end_line, cls.col) == (["tagged"], ["BaseTestCase"], 30, 6)
    fn = sym(f, "TestPackage.test_basic_fn.fn")
    assert (fn.local, fn.parent, fn.signature, fn.col) == (True, "TestPackage.test_basic_fn", "(x)", 12)
    local = sym(f, "TestPackage.test_basic_fn.Local")
    assert (local.kind, local.local, local.parent) == (SymbolKind.CLASS, True, "TestPackage.test_basic_fn")
    assert sym(f, "TestPackage.setUp").local is False
    # BaseTestCase comes from another file: locally these are pytest-collected Test* methods.
    assert [(t.qualname, t.line) for t in f.tests] == [
        ("TestPackage.test_basic_fn", 16),
        ("TestPackage.test_total", 25),
    ]


def test_pricing_signatures_and_notes():
    f = fixture("shop/pricing.py")
    assert f.kind == FileKind.MODULE
    price_of = sym(f, "price_of")
    assert price_of.signature == "(item: str, qty: int = 1, /, *, currency: str = 'EUR') -> float"
    assert price_of.decorators == ["functools.lru_cache(maxsize=None)"]
    assert (price_of.line, price_of.end_line, price_of.col) == (10, 13, 4)
    assert price_of.docstring == "Return the price of `qty` items."
    assert sym(f, "apply_discount").signature == "(amount, *rates, rounding=None, **options)"
    disc = sym(f, "DISCOUNT")
    assert (disc.kind, disc.value, disc.line, disc.col) == (SymbolKind.CONSTANT, "0.1", 5, 0)
    assert sym(f, "CURRENCIES").value == '("EUR", "USD")'
    assert notes(f, NoteKind.CACHE) == [(9, "@functools.lru_cache(maxsize=None) on price_of")]
    assert notes(f, NoteKind.TODO) == [(12, "TODO: real price table")]
    assert f.uses["functools.lru_cache"] == [9]
    assert f.uses["DISCOUNT"] == [17]


def test_cart_imports_flags():
    f = fixture("shop/cart.py")
    assert f.imports == [
        Import("__future__", "annotations", None, 0, 3),
        Import("typing", "TYPE_CHECKING", None, 0, 5),
        Import("", "pricing", None, 1, 7),
        Import("pricing", "DISCOUNT", "discount_rate", 1, 8),
        Import("pricing", "price_of", None, 1, 8),
        Import("util.helpers", "SpecialCart", None, 1, 11, type_checking=True),
        Import("ujson", None, "json", 0, 14, in_try=True),
        Import("json", None, None, 0, 16, in_try=True),
        Import("util.helpers", "SpecialCart", None, 1, 45),
    ]
    assert sym(f, "Cart.Line.__init__").signature == "(self, item: str, qty: int = 1) -> None"
    assert sym(f, "Cart.Line").parent == "Cart"
    checkout = sym(f, "Cart.checkout")
    assert (checkout.is_async, checkout.col, checkout.kind) == (True, 14, SymbolKind.METHOD)
    assert sym(f, "Cart.upgrade").decorators == ["staticmethod"]
    assert sym(f, "Cart").docstring == "Holds items until checkout."
    assert f.uses["Cart.Line"] == [30, 32, 33]
    assert f.uses["pricing.CURRENCIES"] == [41]
    assert not any(k.startswith("self.") for k in f.uses)


def test_widget_multiline_import_and_uses():
    f = fixture("src/gadgets/widget.py")
    assert f.imports == [
        Import("shop.util.helpers", None, "helpers", 0, 3),
        Import("shop.cart", "Cart", "BaseCart", 0, 4),
        Import("shop.pricing", "price_of", None, 0, 5),
        Import("shop.pricing", "DISCOUNT", "rate", 0, 5),
    ]
    assert f.uses["price_of"] == [13]
    assert f.uses["rate"] == [13]
    assert f.uses["helpers.SpecialCart"] == [16]
    assert f.uses["BaseCart"] == [11]
    assert sym(f, "Gizmo").bases == ["helpers.SpecialCart"]


def test_pytest_module():
    f = fixture("tests/test_pricing.py")
    assert f.kind == FileKind.TEST_MODULE
    assert f.tests == [
        Item("test_price", 7, "pytest", True),
        Item("test_discount", 11, "pytest", False),
        Item("TestCurrency.test_default", 16, "pytest", False),
    ]


def test_script_with_main_guard_and_argparse():
    f = fixture("scripts/run_me.py")
    assert f.kind == FileKind.SCRIPT
    assert f.shebang == "#!/usr/bin/env python3"
    assert (f.main_guard, f.cli) == (16, [("argparse", 10)])
    assert f.docstring == "Print a price from the command line."


def test_broken_syntax_recovers_with_parso():
    f = fixture("broken/bad_syntax.py")
    assert f.kind == FileKind.MODULE
    assert [n.line for n in f.notes if n.kind == NoteKind.SYNTAX_ERROR] == [8]
    assert f.notes[0].detail.startswith("SyntaxError: ")
    assert f.docstring == "A module with a syntax error in the middle."
    names = [(s.qualname, s.kind, s.line, s.end_line, s.col) for s in f.symbols]
    assert ("fine", SymbolKind.FUNCTION, 4, 5, 4) in names
    assert ("AfterError", SymbolKind.CLASS, 12, 14, 6) in names
    assert ("AfterError.method", SymbolKind.METHOD, 13, 14, 8) in names
    assert sym(f, "fine").signature == "(a, b=2)"


def test_latin1_and_package_init():
    f = fixture("legacy/latin1.py")
    assert f.encoding == "iso-8859-1"
    assert f.docstring == "Café crème: a latin-1 module."
    assert sym(f, "GREETING").value == '"déjà vu"'
    init = fixture("shop/__init__.py")
    assert init.kind == FileKind.PACKAGE_INIT
    assert (init.all_names, init.all_line) == (["Cart", "price_of"], 6)


def test_fixture_misc():
    helpers = fixture("shop/util/helpers.py")
    assert notes(helpers, NoteKind.SHELL) == [(10, "subprocess.run(command, shell=True)")]
    assert fixture("typings/extra.pyi").kind == FileKind.STUB
    odd = fixture("odd names/café menu.py")
    assert sym(odd, "menu").signature == "() -> list[str]"
    for path in WS.rglob("*.py*"):  # every fixture survives a record round trip
        f = fixture(path.relative_to(WS).as_posix())
        assert FileFacts.from_bytes(f.to_bytes()) == f
        assert not notes(f, NoteKind.MALFORMED)


# --- inline sources -------------------------------------------------------------------


def test_bom_and_size_and_lines():
    data = b"\xef\xbb\xbf" + '"""Doc é."""\nX = 1\n'.encode()
    f = extract_python("m.py", data)
    assert (f.encoding, f.docstring, f.lines, f.size) == ("utf-8-sig", "Doc é.", 2, len(data))
    assert sym(f, "X").col == 0
    assert extract_python("e.py", b"").lines == 0
    assert extract_python("c.py", b"a = 1\r\nb = 2").lines == 2


def test_undecodable_bytes_are_binary():
    f = extract_python("bin.py", b"x = 1\ny = '\xff\xfe'\n")
    assert f.kind == FileKind.BINARY
    assert [(n.kind, n.line) for n in f.notes] == [(NoteKind.ENCODING, 2)]
    assert f.encoding is None and f.symbols == []
    bad_cookie = extract_python("c.py", b"# -*- coding: nope -*-\nx = 1\n")
    assert bad_cookie.kind == FileKind.BINARY and bad_cookie.notes[0].kind == NoteKind.ENCODING


def test_null_bytes_give_syntax_note():
    f = extract_python("n.py", b"def ok():\n    pass\nx = '\x00'\n")
    assert [(n.kind, n.line) for n in f.notes] == [(NoteKind.SYNTAX_ERROR, 3)]
    assert [s.qualname for s in f.symbols] == ["ok"]


def test_deep_nesting_never_raises():
    deep = src("x = " + "+".join(["a"] * 2500) + "\n")  # deeper than the recursion limit
    assert deep.uses["a"] == [1] and not deep.notes
    deeper = src("def f(): pass\nx = " + "+".join(["a"] * 50000) + "\n")  # too deep for 3.11's ast
    if sys.version_info >= (3, 11):
        assert [n.kind for n in deeper.notes] == [NoteKind.SYNTAX_ERROR]
    else:  # 3.10's parser takes it
        assert deeper.uses["a"] == [2] and not deeper.notes
    parens = src("y = " + "(" * 300 + "1" + ")" * 300 + "\n")
    assert parens.kind == FileKind.MODULE
    assert not notes(parens, NoteKind.MALFORMED)


def test_decorated_async_methods_and_signatures():
    f = src(
        "class A(Base, metaclass=ABCMeta):\n"
        "    @staticmethod\n"
        "    @other.deco(1, k=2)\n"
        "    async def run(self, *, key: 'T' = -1, **kw) -> dict[str, int | None]:\n"
        "        '''Run.\n\n        More.\n        '''\n"
    )
    run = sym(f, "A.run")
    assert (run.line, run.col, run.is_async, run.kind) == (4, 14, True, SymbolKind.METHOD)
    assert run.decorators == ["staticmethod", "other.deco(1, k=2)"]
    assert run.signature == "(self, *, key: 'T' = -1, **kw) -> dict[str, int | None]"
    assert run.docstring == "Run.\n\nMore."
    assert sym(f, "A").bases == ["Base", "metaclass=ABCMeta"]
    assert f.uses["other.deco"] == [3] and f.uses["ABCMeta"] == [1]


def test_all_extensions():
    f = src("__all__ = ['a']\n__all__ += ('b',)\n__all__.extend(['c'])\n__all__.append('d')\n")
    assert (f.all_names, f.all_line) == (["a", "b", "c", "d"], 1)
    assert src("__all__ = names()\n").all_names is None
    assert sym(src("__version__ = '1.0'\n__all__ = []\n"), "__version__").value == "'1.0'"
    assert src("__all__ = []\n").symbols == []


def test_deprecation_notes():
    f = src(
        "import warnings\n"
        "def old():\n"
        "    '''Old.\n\n    .. deprecated:: 2.0\n    '''\n"
        "    warnings.warn('old', DeprecationWarning)\n"
        "    warnings.warn('x', category=FutureWarning)\n"
        "    warnings.warn('not a deprecation', UserWarning)\n"
        "@typing_extensions.deprecated('use new')\n"
        "def older(): pass\n"
    )
    # the docstring's directive (line 5), the two warnings, the decorator
    assert [line for line, _ in notes(f, NoteKind.DEPRECATION)] == [5, 7, 8, 10]


def test_eval_exec_shell_pickle():
    f = src(
        "import pickle, subprocess, builtins, yaml\n"
        "eval('1')\nexec(code)\nbuiltins.eval(x)\n"
        "subprocess.call('ls', shell=True)\n"
        "obj = pickle.loads(blob)\n"
        "yaml.load(s)\nyaml.load(s, Loader=yaml.SafeLoader)\n"
        "obj.eval()\n"
    )
    assert [line for line, _ in notes(f, NoteKind.EVAL)] == [2, 3, 4]
    assert notes(f, NoteKind.SHELL) == [(5, "subprocess.call('ls', shell=True)")]
    assert notes(f, NoteKind.DESERIALIZE) == [(6, "pickle.loads(blob)"), (7, "yaml.load(s)")]


def test_io_network_concurrency_notes():
    f = src(
        "import socket\nfrom concurrent.futures import ThreadPoolExecutor\n"
        "from http import client\nimport os.path, shutil\nfrom pathlib import Path\n"
        "with open('f') as fh:\n    Path('p').read_text()\n    shutil.rmtree(d)\n"
        "client.HTTPConnection(host)\nsocket.create_connection(addr)\n"
    )
    # network I/O rests on calls, not on imports
    assert [line for line, _ in notes(f, NoteKind.NETWORK)] == [9, 10]
    assert notes(f, NoteKind.CONCURRENCY) == [(2, "from concurrent.futures import ThreadPoolExecutor")]
    assert [line for line, _ in notes(f, NoteKind.FILE_IO)] == [6, 7, 8]


def test_main_guard_reversed_and_todo_in_strings():
    f = src(
        "x = '''\n# TODO not a comment\n'''\ny = '# TODO no'  # FIXME: yes\nif '__main__' == __name__:\n    pass\n"
    )
    assert f.main_guard == 5
    assert notes(f, NoteKind.TODO) == [(4, "FIXME: yes")]
    assert src("def f():\n    if __name__ == '__main__': pass\n").main_guard == 0


def test_kinds_and_unittest_detection():
    code = (
        "import unittest\nclass T(unittest.TestCase):\n    def test_a(self): pass\n"
        "class U(T):\n    @pytest.mark.parametrize('x', [1])\n    def test_b(self, x): pass\n"
    )
    f = src(code, "pkg/checks.py")
    assert f.kind == FileKind.TEST_MODULE
    assert f.tests == [Item("T.test_a", 3, "unittest"), Item("U.test_b", 6, "unittest", True)]
    assert src("def test_x(): pass\n", "pkg/helpers.py").tests == []
    assert (
        src("class TestX:\n    def __init__(self): pass\n    def test_y(self): pass\n", "a/test_i.py").tests
        == []
    )
    assert src("x = 1\n", "pkg/__main__.py").kind == FileKind.SCRIPT
    assert src("x = 1\n", "pkg/__init__.py").kind == FileKind.PACKAGE_INIT
    assert src("x = 1\n", "pkg/foo_test.py").kind == FileKind.TEST_MODULE
    assert src("if __name__ == '__main__':\n    pass\n", "pkg/m.py").kind == FileKind.MODULE


def test_click_cli_and_typer():
    f = src("import click\n@click.command()\ndef main(): pass\n")
    assert f.cli == [("click", 2)]
    assert src("@command()\ndef main(): pass\n").cli == []
    assert src("import typer\napp = typer.Typer()\n").cli == [("typer", 2)]


def test_uses_skip_definitions_and_imports():
    f = src(
        "import os.path as p\nfrom a import b\nx = 1\ndef f(arg=DEFAULT) -> R:\n"
        "    y = p.join(x, arg)\n    self.a.b = y\n    del z\n"
    )
    # `arg` and `y` are the function's own names (repodoc_ls/analysis): no module-level use
    assert set(f.uses) == {"DEFAULT", "R", "p", "p.join", "x", "self"}


def test_too_large(monkeypatch):
    import repodoc_ls.extract.python as mod

    monkeypatch.setattr(mod, "MAX_BYTES", 10)
    f = src("x = 1\ny = 2\nz = 3\n")
    assert [n.kind for n in f.notes] == [NoteKind.TOO_LARGE]
    assert (f.kind, f.lines, f.symbols) == (FileKind.MODULE, 3, [])


@pytest.mark.parametrize("data", [b"\x00\x01\x02", b"def (", b"\xef\xbb\xbf", b"class A(:\n  def"])
def test_never_raises(data):
    assert isinstance(extract_python("x.py", data), FileFacts)


def test_deep_annotation_and_internal_failure(monkeypatch):
    # jedi raises the recursion limit for its whole process (3000): a test that ran jedi
    # before this one would let 1,500 levels through. The product runs at Python's default.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        f = src("def f(a: " + " | ".join(["int"] * 1500) + " = 1): pass\n")
    finally:
        sys.setrecursionlimit(limit)
    assert sym(f, "f").signature == "(a: ... = 1)"
    import repodoc_ls.extract.python as mod

    def boom(self, stmts):
        raise RuntimeError("boom")

    monkeypatch.setattr(mod._Walker, "body", boom)
    broken = src("x = 1\n", "pkg/test_x.py")
    assert broken.kind == FileKind.TEST_MODULE
    assert [(n.kind, n.line, n.detail) for n in broken.notes] == [
        (NoteKind.MALFORMED, 0, "extractor failed: RuntimeError: boom")
    ]


def test_find_tests_with_cross_file_bases():
    from repodoc_ls.extract.python import find_tests

    f = fixture("tests/test_package.py")
    tests = find_tests(f.symbols, True, unittest_bases={"BaseTestCase"})
    assert [(t.qualname, t.style) for t in tests] == [
        ("TestPackage.test_basic_fn", "unittest"),
        ("TestPackage.test_total", "unittest"),
    ]


def test_recovery_keeps_imports_and_flags():
    f = src(
        "from concurrent.futures import A, B\ntry:\n    import socket as s\nexcept ImportError:\n"
        "    pass\n# TODO: fix\ndef broken(:\n    pass\n"
    )
    assert f.imports == [
        Import("concurrent.futures", "A", None, 0, 1),
        Import("concurrent.futures", "B", None, 0, 1),
        Import("socket", None, "s", 0, 3, in_try=True),
    ]
    assert [(n.kind, n.line) for n in f.notes] == [
        (NoteKind.CONCURRENCY, 1),
        (NoteKind.TODO, 6),
        (NoteKind.SYNTAX_ERROR, 7),
    ]
