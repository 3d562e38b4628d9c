#!/usr/bin/env bash
# The lowest versions pyproject.toml allows, tested: a separate environment with the oldest
# Python it declares (when this machine has it) and the lowest version of every direct
# dependency (uv's --resolution lowest-direct), then the Python test suite there (the VS Code
# tests, which test no Python dependency, are left to `make test`). Then the install paths
# the README gives: `uv tool install` and `pipx install` of this checkout, each run once.
# Everything goes under build/lowest; uv and pipx come from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

work=build/lowest
rm -rf "$work"
mkdir -p "$work"

# The oldest Python of requires-python: on PATH, or one of pyenv's, else python3 with a note.
floor=$(sed -n 's/^requires-python = ">=\([0-9.]*\)".*/\1/p' pyproject.toml)
python=""
for candidate in "${REPODOC_LOWEST_PYTHON:-}" "python$floor" "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$floor".*/bin/python"$floor"; do
    if [ -n "$candidate" ] && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$floor'.split('.'))))" 2>/dev/null; then
        python=$(command -v "$candidate")
        break
    fi
done
if [ -z "$python" ]; then
    python=$(command -v python3)
    echo "test-lowest: no Python $floor here; the lowest dependencies are tested on $("$python" --version)"
fi

python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet --disable-pip-version-check "uv>=0.5" "pipx>=1.4"
uv="$work/tools/bin/uv"

"$uv" venv --quiet --seed --python "$python" "$work/env"   # --seed: pip, for the wheel build test
VIRTUAL_ENV="$work/env" "$uv" pip install --quiet --resolution lowest-direct -e ".[test]"
echo "test-lowest: $("$work/env/bin/python" --version) with" \
    $(VIRTUAL_ENV="$work/env" "$uv" pip freeze --quiet | grep -Ei '^(pygls|lsprotocol|jedi|parso|jinja2|pathspec|markdown-it-py|docstring-parser|tomli|pytest|pytest-asyncio|pytest-lsp)==')
"$work/env/bin/python" -m pytest -q -ra -p no:cacheprovider \
    --ignore=tests/test_vscode_client.py --ignore=tests/test_vscode_e2e.py

# README, "Installing": each path ends with a `repodoc` that runs and can check a doc set.
version=$(python3 scripts/version.py)
sample="$work/sample"
mkdir -p "$sample/pkg"
printf '"""A sample."""\n\ndef hello(name):\n    return "hi " + name\n' > "$sample/pkg/__init__.py"
smoke() {  # $1: the repodoc command installed by one path
    local out
    out=$("$1" --version)
    [ "$out" = "repodoc $version" ] || { echo "test-lowest: $1 --version printed '$out'"; return 1; }
    "$1" export "$sample" -o "$work/docs" >"$work/smoke.log" 2>&1 &&
        "$1" check "$sample" -o "$work/docs" >>"$work/smoke.log" 2>&1 ||
        { cat "$work/smoke.log"; echo "test-lowest: $1 export or check failed"; return 1; }
    rm -rf "$work/docs" "$sample/.repodoc"
}
UV_TOOL_DIR="$work/uv-tools" UV_TOOL_BIN_DIR="$work/uv-bin" "$uv" tool install --quiet --python "$python" .
smoke "$work/uv-bin/repodoc"
PIPX_HOME="$work/pipx" PIPX_BIN_DIR="$work/pipx-bin" "$work/tools/bin/pipx" install --quiet --python "$python" .
smoke "$work/pipx-bin/repodoc"
echo "test-lowest: uv tool install and pipx install give a working repodoc $version"
