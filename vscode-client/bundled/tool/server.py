"""Runs the RepoDoc language server that the VS Code extension bundles.

    python bundled/tool/server.py serve       the language server, on stdio
    python bundled/tool/server.py --version   checks that the server and every dependency
                                              import, and says which copy and Python run

Any other arguments go to the `repodoc` command line. Python 3.10 or newer, with nothing
installed: the server and its dependencies (pure Python) are in ../libs.

Started by its path, never with `-m` or `-c`: then Python puts this script's folder first on
sys.path, not the working folder, so a repository's own `repodoc_ls/` or `json.py` is never
imported in place of the real ones (the extension also starts it outside the workspace).

REPODOC_IMPORT_STRATEGY (the `repodoc.importStrategy` setting):
    useBundled       (default) the bundled server and dependencies come first on sys.path;
    fromEnvironment  the interpreter's own repodoc_ls and dependencies when it has
                     repodoc_ls, else the bundled ones (said on stderr).
"""

# Kept to syntax that old Pythons parse, so that they reach the version check and say so
# instead of failing with a SyntaxError.
import os
import platform
import sys

MIN_PYTHON = (3, 10)
LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")
# Imported by --version: the server's modules load some of them lazily (jinja2 on the first
# page, jedi in its worker), and a broken bundle must show at start, not on a hover.
DEPENDENCIES = ("pygls", "lsprotocol", "cattrs", "attrs", "jedi", "parso", "jinja2", "markupsafe",
                "pathspec", "markdown_it", "mdurl", "typing_extensions")
DEPENDENCIES_BEFORE_3_11 = ("tomli", "exceptiongroup")


def say(message):
    sys.stderr.write("repodoc: " + message + "\n")
    sys.stderr.flush()


def set_sys_path(strategy):
    """Returns where repodoc_ls comes from: "bundled" or "environment"."""
    # An empty or relative entry (from PYTHONPATH) would be looked up in the working folder.
    sys.path[:] = [p for p in sys.path if p and os.path.isabs(p)]
    if strategy == "fromEnvironment":
        import importlib.util

        if importlib.util.find_spec("repodoc_ls") is not None:
            return "environment"
        say("repodoc_ls is not installed for %s: using the server bundled with the extension" % sys.executable)
    sys.path.insert(0, LIBS)
    return "bundled"


def describe(source):
    import repodoc_ls

    where = os.path.dirname(os.path.abspath(repodoc_ls.__file__))
    return "repodoc %s (%s: %s; Python %s at %s)" % (
        repodoc_ls.__version__, source, where, platform.python_version(), sys.executable)


def check_imports():
    import importlib

    names = DEPENDENCIES + (DEPENDENCIES_BEFORE_3_11 if sys.version_info < (3, 11) else ())
    for name in ("repodoc_ls.server.server",) + names:
        importlib.import_module(name)


def main(argv):
    if sys.version_info < MIN_PYTHON:
        say("RepoDoc needs Python 3.10 or newer; %s is Python %s" % (sys.executable, platform.python_version()))
        return 2
    strategy = os.environ.get("REPODOC_IMPORT_STRATEGY", "useBundled")
    if strategy not in ("useBundled", "fromEnvironment"):
        say("unknown REPODOC_IMPORT_STRATEGY %r: using useBundled" % strategy)
        strategy = "useBundled"
    source = set_sys_path(strategy)
    if argv == ["--version"]:
        check_imports()
        print(describe(source))
        return 0
    if argv[:1] == ["serve"]:
        say(describe(source))
    from repodoc_ls.cli import main as repodoc_main

    return repodoc_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
