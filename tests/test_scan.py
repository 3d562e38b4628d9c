"""Tests for repodoc_ls.scan: which files make up a workspace."""

from __future__ import annotations

import os
import random
import re
import tempfile
from pathlib import Path

import pytest
from conftest import materialize_workspace

from repodoc_ls.config import Settings, load_settings
from repodoc_ls.ignore import IgnoreRules, entry_patterns
from repodoc_ls.scan import MANIFEST_NAME, ScannedFile, is_excluded, scan

FIXTURE = materialize_workspace(Path(tempfile.mkdtemp(prefix="repodoc-scan-")))


def make(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def paths(settings: Settings) -> list[str]:
    result = scan(settings)
    return [f.path for f in result.files]


def all_paths(root: Path) -> list[str]:
    """Every file path under root, links followed once (for is_excluded comparisons)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in filenames + dirnames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            out.append(rel)
            full = os.path.join(dirpath, name)
            if os.path.islink(full) and os.path.isdir(full):
                for sub in os.listdir(full):
                    out.append(f"{rel}/{sub}")
    return sorted(out)


def assert_agrees(settings: Settings) -> None:
    scanned = set(paths(settings))
    root = Path(settings.root)
    for rel in all_paths(root):
        full = root / rel
        if full.is_dir():
            continue
        assert is_excluded(settings, rel) == (rel not in scanned), rel
        assert is_excluded(settings, str(root / rel)) == (rel not in scanned), rel


# --------------------------------------------------------------------------- the fixture


FIXTURE_FILES = [
    ".gitignore",
    "README.md",
    "broken/bad_syntax.py",
    "data/bad.json",
    "data/config.json",
    "data/logo.png",
    "data/settings.toml",
    "legacy/latin1.py",
    "odd names/café menu.py",
    "pyproject.toml",
    "scripts/run_me.py",
    "shop/__init__.py",
    "shop/cart.py",
    "shop/pricing.py",
    "shop/util/__init__.py",
    "shop/util/helpers.py",
    "src/gadgets/__init__.py",
    "src/gadgets/widget.py",
    "tests/base.py",
    "tests/test_package.py",
    "tests/test_platforms.py",
    "tests/test_pricing.py",
    "typings/extra.pyi",
]


def test_fixture_exact_list():
    settings = load_settings(FIXTURE)
    result = scan(settings)
    assert [f.path for f in result.files] == FIXTURE_FILES
    assert result.warnings == []
    readme = next(f for f in result.files if f.path == "README.md")
    st = (FIXTURE / "README.md").stat()
    assert readme == ScannedFile("README.md", st.st_size, st.st_mtime_ns)


def test_fixture_excluded_paths():
    settings = load_settings(FIXTURE)
    for rel in [
        "debug.log",
        "ignored/secret.py",
        "old_docs/index.md",
        f"old_docs/{MANIFEST_NAME}",
        "loop/README.md",
        "loop/shop/cart.py",
        "escape/anything.py",
        "nested/x.log",
    ]:
        assert is_excluded(settings, rel), rel
    for rel in FIXTURE_FILES:
        assert not is_excluded(settings, rel), rel
    assert is_excluded(settings, "/somewhere/else.py")
    assert is_excluded(settings, "../outside.py")


def test_fixture_without_gitignore():
    settings = load_settings(FIXTURE, {"respect_gitignore": False})
    found = paths(settings)
    assert "debug.log" in found and "ignored/secret.py" in found
    assert not any(p.startswith(("old_docs/", "loop/", "escape/")) for p in found)


def test_deterministic():
    settings = load_settings(FIXTURE)
    assert scan(settings) == scan(settings)


# --------------------------------------------------------------------------- gitignore


def test_nested_gitignore_with_negation(tmp_path):
    make(
        tmp_path,
        {
            ".gitignore": "*.txt\ngen/\n# a comment\n\n",
            "a.txt": "",
            "local.py": "",
            "gen/x.py": "",
            "sub/.gitignore": "!keep.txt\nlocal.py\n/anchored.py\n",
            "sub/keep.txt": "",
            "sub/other.txt": "",
            "sub/local.py": "",
            "sub/anchored.py": "",
            "sub/gen/y.py": "",
            "sub/deep/keep.txt": "",
            "sub/deep/anchored.py": "",
            "sub/deep/local.py": "",
            "sub/deep/mod.py": "",
        },
    )
    settings = Settings(root=tmp_path)
    assert paths(settings) == [
        ".gitignore",
        "local.py",
        "sub/.gitignore",
        "sub/deep/anchored.py",
        "sub/deep/keep.txt",
        "sub/deep/mod.py",
        "sub/keep.txt",
    ]
    assert_agrees(settings)
    everything = paths(Settings(root=tmp_path, respect_gitignore=False))
    assert "a.txt" in everything and "sub/gen/y.py" in everything


def test_git_info_exclude_and_git_folder(tmp_path):
    make(
        tmp_path,
        {
            ".git/info/exclude": "secret.py\n",
            ".git/config": "",
            ".git/HEAD": "",
            "secret.py": "",
            "open.py": "",
            "pkg/secret.py": "",
            "pkg/.gitignore": "!secret.py\n",
        },
    )
    settings = Settings(root=tmp_path)
    # .gitignore files win over info/exclude; .git is never listed.
    assert paths(settings) == ["open.py", "pkg/.gitignore", "pkg/secret.py"]
    assert is_excluded(settings, ".git/config")
    assert_agrees(settings)


def test_ignored_folder_cannot_be_reincluded(tmp_path):
    make(tmp_path, {".gitignore": "gen/\n!gen/keep.py\n", "gen/keep.py": "", "a.py": ""})
    assert paths(Settings(root=tmp_path)) == [".gitignore", "a.py"]


def test_rules_agree_with_pattern_by_pattern_matching():
    """The merged, bucketed matcher decides as the patterns one by one would (last wins)."""
    patterns = [
        "*.pyc",
        "build/",
        "/dist",
        "docs/**/*.html",
        "!docs/keep.html",
        "a?c",
        "[ab]*.log",
        "**/tmp",
        "x/**",
        "!important.log",
        "foo/bar",
        "*.egg",
        "\\#hash",
        "name with space",
        "deep/*/z.py",
        "!deep/1/z.py",
        "*~",
        "!b.log",
        "1/",
        "**/deep/2",
        "!**/tmp/",
    ]
    compiled = [re.compile(source) for p in patterns for _, source in entry_patterns([p])]
    includes = [include for p in patterns for include, _ in entry_patterns([p])]
    rules = IgnoreRules().extend(patterns, 0)
    layered = IgnoreRules().extend(patterns[:8], 0).extend(patterns[8:], 0)
    rng = random.Random(7)
    parts = [
        "a",
        "b",
        "build",
        "dist",
        "docs",
        "tmp",
        "x",
        "foo",
        "bar",
        "deep",
        "1",
        "2",
        "abc",
        "a.log",
        "b.log",
        "important.log",
        "keep.html",
        "p.html",
        "m.pyc",
        "z.py",
        "#hash",
        "name with space",
        "q.egg",
        "f~",
    ]
    checked = 0
    for _ in range(4000):
        comps = [rng.choice(parts) for _ in range(rng.randint(1, 4))]
        rel = "/".join(comps)
        is_dir = rng.random() < 0.3
        entry = rel + "/" if is_dir else rel
        expected = False
        for include, regex in zip(includes, compiled):
            if regex.match(entry):
                expected = include
        assert rules.ignores(rel, comps[-1], is_dir) == expected, (rel, is_dir)
        assert layered.ignores(rel, comps[-1], is_dir) == expected, (rel, is_dir)
        checked += expected
    assert checked > 100


def test_rules_of_a_subfolder_apply_below_it():
    rules = IgnoreRules().extend(["*.log", "/top.py"], 0).extend(["!keep.log", "/top.py"], len("sub/"))
    assert rules.ignores("a.log", "a.log", False)
    assert not rules.ignores("sub/keep.log", "keep.log", False)
    assert not rules.ignores("sub/x/keep.log", "keep.log", False)
    assert rules.ignores("top.py", "top.py", False)
    assert rules.ignores("sub/top.py", "top.py", False)
    assert not rules.ignores("sub/x/top.py", "top.py", False)


# --------------------------------------------------------------------------- settings


def test_include_and_exclude(tmp_path):
    make(
        tmp_path,
        {
            "src/a.py": "",
            "src/b.txt": "",
            "src/gen/c.py": "",
            "tests/test_a.py": "",
            "README.md": "",
            "setup.py": "",
            "docs/x.md": "",
        },
    )
    settings = Settings(root=tmp_path, include=("*.py", "*.md"), exclude=("src/gen/", "docs"))
    assert paths(settings) == ["README.md", "setup.py", "src/a.py", "tests/test_a.py"]
    assert_agrees(settings)
    settings = Settings(root=tmp_path, include=("src/",), exclude=("*.txt",))
    assert paths(settings) == ["src/a.py", "src/gen/c.py"]
    assert_agrees(settings)


def test_output_and_cache_folders_not_scanned(tmp_path):
    make(
        tmp_path,
        {
            "a.py": "",
            "out/docs/a.py_docs.md": "",
            "out/other.txt": "",
            ".repodoc/index.sqlite": "",
            "elsewhere/cache/x": "",
            "docs/repodoc/index.md": "",
        },
    )
    settings = Settings(root=tmp_path, output_dir="out/docs")
    assert paths(settings) == ["a.py", "docs/repodoc/index.md", "elsewhere/cache/x", "out/other.txt"]
    assert_agrees(settings)
    settings = Settings(root=tmp_path, output_dir=str(tmp_path / "out" / "docs"), cache_dir="elsewhere/cache")
    assert paths(settings) == [".repodoc/index.sqlite", "a.py", "docs/repodoc/index.md", "out/other.txt"]
    # The default output folder, docs/repodoc, is skipped by default.
    assert paths(Settings(root=tmp_path, output_dir="docs/repodoc")) == [
        "a.py",
        "elsewhere/cache/x",
        "out/docs/a.py_docs.md",
        "out/other.txt",
    ]


def test_generated_doc_sets_not_scanned(tmp_path):
    make(
        tmp_path,
        {
            "a.py": "",
            "old/" + MANIFEST_NAME: "{}",
            "old/a.py_docs.md": "",
            "old/sub/index.md": "",
            "keep/index.md": "",
        },
    )
    settings = Settings(root=tmp_path)
    assert paths(settings) == ["a.py", "keep/index.md"]
    assert_agrees(settings)


def test_virtualenvs_and_tool_folders_skipped(tmp_path):
    make(
        tmp_path,
        {
            "a.py": "",
            "env/pyvenv.cfg": "home = /usr",
            "env/lib/site.py": "",
            ".venv/pyvenv.cfg": "",
            ".venv/x.py": "",
            "node_modules/m/index.js": "",
            "__pycache__/a.cpython-311.pyc": b"\0",
            "pkg.egg-info/PKG-INFO": "",
            ".tox/py/x.py": "",
            ".mypy_cache/x.json": "",
            ".hg/store": "",
            "pkg/__pycache__/b.pyc": b"\0",
            "pkg/b.py": "",
        },
    )
    settings = Settings(root=tmp_path)
    assert paths(settings) == ["a.py", "pkg/b.py"]
    assert_agrees(settings)


# --------------------------------------------------------------------------- links


def test_symlinked_folder_scanned_once(tmp_path):
    make(tmp_path, {"real/a.py": "", "real/sub/b.py": "", "top.py": ""})
    os.symlink("real", tmp_path / "link")
    os.symlink("../real", tmp_path / "real" / "sub" / "back")
    settings = Settings(root=tmp_path)
    assert paths(settings) == ["real/a.py", "real/sub/b.py", "top.py"]
    assert_agrees(settings)


def test_symlinked_folder_reaching_an_unscanned_folder(tmp_path):
    # The link is the only way the scan reaches the folder's content: it is listed once.
    make(tmp_path, {".gitignore": "/vendor/\n", "vendor/lib/m.py": ""})
    os.symlink("vendor/lib", tmp_path / "lib")
    assert paths(Settings(root=tmp_path)) == [".gitignore", "lib/m.py"]


def test_symlink_loop_of_two_folders(tmp_path):
    make(tmp_path, {"a/x.py": "", "b/y.py": ""})
    os.symlink("../b", tmp_path / "a" / "to_b")
    os.symlink("../a", tmp_path / "b" / "to_a")
    settings = Settings(root=tmp_path)
    assert paths(settings) == ["a/x.py", "b/y.py"]
    assert_agrees(settings)


def test_broken_and_escaping_links(tmp_path):
    root = tmp_path / "ws"
    make(root, {"a.py": "", "real.txt": "x"})
    make(tmp_path, {"outside/o.py": "", "outside.txt": ""})
    os.symlink("nowhere", root / "dangling")
    os.symlink("nowhere/deeper", root / "dangling_dir")
    os.symlink("../outside", root / "out_dir")
    os.symlink("../outside.txt", root / "out_file.txt")
    os.symlink("real.txt", root / "alias.txt")
    os.symlink("alias_loop", root / "alias_loop")
    settings = Settings(root=root)
    result = scan(settings)
    assert [f.path for f in result.files] == ["a.py", "alias.txt", "real.txt"]
    assert_agrees(settings)


def test_root_given_through_a_link(tmp_path):
    make(tmp_path, {"real/a.py": ""})
    os.symlink("real", tmp_path / "alias")
    assert paths(Settings(root=tmp_path / "alias")) == ["a.py"]


# --------------------------------------------------------------------------- odd cases


def test_odd_file_names(tmp_path):
    names = [
        "with space.py",
        "café.py",
        "#hash.md",
        "100%.txt",
        "back`tick`.py",
        "日本語/ファイル.py",
        "[brackets].py",
        "semi;colon.py",
        "quote'd.py",
        "star*.py",
    ]
    make(tmp_path, {n: "" for n in names})
    settings = Settings(root=tmp_path)
    assert paths(settings) == sorted(names)
    assert_agrees(settings)


def test_unreadable_folder(tmp_path):
    make(tmp_path, {"a.py": "", "locked/b.py": ""})
    locked = tmp_path / "locked"
    locked.chmod(0)
    try:
        result = scan(Settings(root=tmp_path))
        if os.geteuid() == 0 or os.access(locked, os.R_OK):
            pytest.skip("running with privileges that read any folder")
        assert [f.path for f in result.files] == ["a.py"]
        assert any("locked" in w for w in result.warnings)
    finally:
        locked.chmod(0o755)


def test_unreadable_gitignore_and_missing_root(tmp_path):
    result = scan(Settings(root=tmp_path / "missing"))
    assert result.files == [] and result.warnings
    make(tmp_path, {".gitignore": b"\xff\xfe*.log\n", "a.log": "", "b.py": ""})
    assert "b.py" in paths(Settings(root=tmp_path))


def test_bad_include_pattern_is_a_warning(tmp_path):
    make(tmp_path, {"a.py": ""})
    result = scan(Settings(root=tmp_path, include=("***/[",)))
    assert isinstance(result.warnings, list)


def test_stdlib_scan_finds_the_email_package():
    import sysconfig

    root = Path(sysconfig.get_paths()["stdlib"]) / "email"
    result = scan(Settings(root=root))
    assert any(f.path == "message.py" for f in result.files)
