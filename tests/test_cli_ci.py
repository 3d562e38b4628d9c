"""The CI faces of `repodoc check`: the pre-commit hook and the composite GitHub Action.

PyYAML is no dependency, so the two YAML files are read by `load_yaml` below: a reader of
the block subset they are written in (it refuses anything else, so a file that drifts out
of the subset fails here, not silently). Where PyYAML is installed the two readers must agree.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


# -- a reader of block YAML ---------------------------------------------------------------


def load_yaml(text: str):
    lines = []  # (indent, text) of each meaningful line; a literal block's lines as they are
    block_indent = None
    for raw in text.splitlines():
        indent, stripped = len(raw) - len(raw.lstrip(" ")), raw.strip()
        if block_indent is not None and (not stripped or indent > block_indent):
            lines.append((indent, raw.rstrip()))
            continue
        block_indent = None
        if not stripped or stripped.startswith("#"):
            continue
        lines.append((indent, stripped))
        if stripped.endswith(": |"):
            block_indent = indent + 2 if stripped.startswith("- ") else indent
    value, end = _node(lines, 0, lines[0][0])
    assert end == len(lines), f"unparsed YAML from: {lines[end][1]!r}"
    return value


def _node(lines, i, indent):
    if lines[i][1].startswith("- "):
        items = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("- "):
            # "- key: value" opens a mapping whose other keys sit two columns further in
            lines[i] = (indent + 2, lines[i][1][2:])
            item, i = _node(lines, i, indent + 2)
            items.append(item)
        return items, i
    mapping = {}
    while i < len(lines) and lines[i][0] == indent:
        key, sep, rest = lines[i][1].partition(": ") if ": " in lines[i][1] else lines[i][1].rpartition(":")
        assert sep and key and key not in mapping and not rest.endswith(":"), (
            f"not a mapping entry: {lines[i][1]!r}"
        )
        rest = rest.strip()
        i += 1
        if rest == "|":
            start = i
            while i < len(lines) and (lines[i][0] > indent or not lines[i][1]):
                i += 1
            base = min(ind for ind, line in lines[start:i] if line)
            mapping[key] = "".join(line[base:] + "\n" for _, line in lines[start:i])
        elif rest:
            mapping[key] = _scalar(rest)
        else:
            assert i < len(lines) and lines[i][0] >= indent, f"empty value for {key!r}"
            mapping[key], i = _node(lines, i, lines[i][0])
    return mapping, i


def _scalar(text: str):
    if text[0] == '"':
        return json.loads(text)
    assert text[0] not in "'[{&*!|>%@`#", f"outside the subset: {text!r}"
    assert ": " not in text and " #" not in text, f"a plain scalar YAML reads otherwise: {text!r}"
    return {"true": True, "false": False}.get(text, text)


def load(path: Path):
    text = path.read_text(encoding="utf-8")
    data = load_yaml(text)
    try:
        import yaml
    except ImportError:
        return data
    assert yaml.safe_load(text) == data
    return data


# -- pre-commit ----------------------------------------------------------------------


def test_the_pre_commit_hook():
    hooks = load(REPO / ".pre-commit-hooks.yaml")
    assert isinstance(hooks, list) and [h["id"] for h in hooks] == ["repodoc-check"]
    hook = hooks[0]
    assert hook["entry"] == "repodoc check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    assert hook["name"] and hook["description"]
    # `repodoc` is the console script the package installs into the hook's environment
    assert 'repodoc = "repodoc_ls.cli:run"' in (REPO / "pyproject.toml").read_text()


def _pre_commit() -> list[str] | None:
    """pre-commit, when it is here: REPODOC_PRE_COMMIT names an executable, else the
    module of this interpreter. It is no test dependency (the hook's run installs repodoc
    and its dependencies from the package index: about a minute)."""
    given = os.environ.get("REPODOC_PRE_COMMIT")
    if given:
        return [given]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pre_commit"]


def _committed(path: Path) -> bool:
    tracked = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "--error-unmatch", str(path)], capture_output=True
    )
    return tracked.returncode == 0


@pytest.mark.slow
def test_the_hook_through_pre_commit_try_repo(tmp_path):
    pre_commit = _pre_commit()
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit, or set REPODOC_PRE_COMMIT)")
    if shutil.which("git") is None or not _committed(REPO / ".pre-commit-hooks.yaml"):
        pytest.skip("try-repo reads the hook from git: this checkout has no committed .pre-commit-hooks.yaml")
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (project / "pkg" / "mod.py").write_text('"""A module."""\n\n\ndef f():\n    return 1\n')
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    # The hook's own install of repodoc must run, not this checkout's through PYTHONPATH.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    exported = subprocess.run(
        [sys.executable, "-m", "repodoc_ls", "export", "-q"], cwd=project, capture_output=True, text=True
    )
    assert exported.returncode == 0, exported.stderr
    subprocess.run([*git, "add", "."], cwd=project, check=True)
    subprocess.run([*git, "commit", "-qm", "docs"], cwd=project, check=True)

    def try_repo() -> subprocess.CompletedProcess:
        return subprocess.run(
            [*pre_commit, "try-repo", str(REPO), "repodoc-check", "--all-files"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )

    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "repodoc check" in passed.stdout and "Passed" in passed.stdout
    (project / "pkg" / "mod.py").write_text('"""Changed."""\n')
    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "stale: docs/repodoc/pkg/mod.py_docs.md" in failed.stdout.splitlines()


# -- the GitHub Action ------------------------------------------------------------------


def test_the_action_is_a_composite_action_with_its_inputs():
    action = load(REPO / "action.yml")
    assert action["name"] and action["description"]
    assert set(action["inputs"]) == {"root", "output-dir", "python-version"}
    for spec in action["inputs"].values():
        assert spec["description"] and spec["required"] is False and isinstance(spec["default"], str)
    runs = action["runs"]
    assert runs["using"] == "composite"
    setup, install, check = runs["steps"]
    assert setup["uses"].startswith("actions/setup-python@")
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert (
        install["shell"] == "bash"
        and "pip install" in install["run"]
        and '"$GITHUB_ACTION_PATH"' in install["run"]
    )
    assert check["shell"] == "bash" and "--format github" in check["run"]
    assert check["env"] == {
        "REPODOC_ROOT": "${{ inputs.root }}",
        "REPODOC_OUTPUT_DIR": "${{ inputs.output-dir }}",
    }
    for step in runs["steps"]:
        # an input pasted into a script would run whatever a workflow passes
        assert "${{" not in step.get("run", ""), step["run"]


def run_check_step(project: Path, tmp_path: Path, root: str, output_dir: str) -> subprocess.CompletedProcess:
    """The action's check step, run by bash as the runner runs it, with `repodoc` on PATH."""
    check = load(REPO / "action.yml")["runs"]["steps"][2]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "repodoc"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m repodoc_ls "$@"\n')
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "REPODOC_ROOT": root,
        "REPODOC_OUTPUT_DIR": output_dir,
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", check["run"]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_action_check_step_annotates_a_stale_doc_set(workspace, tmp_path):
    defaults = {name: spec["default"] for name, spec in load(REPO / "action.yml")["inputs"].items()}
    assert (
        run_check_step(workspace, tmp_path, defaults["root"], defaults["output-dir"]).returncode == 1
    )  # none yet
    assert subprocess.run([sys.executable, "-m", "repodoc_ls", "export", "-q"], cwd=workspace).returncode == 0
    ok = run_check_step(workspace, tmp_path, defaults["root"], defaults["output-dir"])
    assert ok.returncode == 0 and ok.stdout == "", ok.stdout + ok.stderr
    (workspace / "shop" / "pricing.py").write_text('"""Changed."""\n')
    stale = run_check_step(workspace, tmp_path, defaults["root"], defaults["output-dir"])
    assert stale.returncode == 1
    assert (
        "::error file=docs/repodoc/shop/pricing.py_docs.md,title=repodoc check%3A stale::"
        "the page is stale: run `repodoc export`"
    ) in stale.stdout.splitlines()


def test_the_action_passes_root_and_output_dir(workspace, tmp_path):
    exported = subprocess.run(
        [sys.executable, "-m", "repodoc_ls", "export", "shop", "-o", "site", "-q"],
        cwd=workspace,
        capture_output=True,
        text=True,
    )
    assert exported.returncode == 0, exported.stderr
    result = run_check_step(workspace, tmp_path, "shop", "site")
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_check_step(workspace, tmp_path, "shop", "").returncode == 1  # shop/docs/repodoc: none
