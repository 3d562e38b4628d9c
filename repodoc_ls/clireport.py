"""What `repodoc check` prints: its findings as text, JSON or GitHub annotations.

Every path is shown relative to the current folder when it lies below it (absolute
otherwise), so an editor's terminal, a CI log or GitHub's annotations can open it: the
paths `check` gets are relative to the output folder, which no one runs from.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from repodoc_ls.docs.check import CheckResult
from repodoc_ls.scan import MANIFEST_NAME

FORMATS = ("text", "json", "github")


def shown(path: Path | str) -> str:
    """`path` relative to the current folder when it lies below it, else absolute."""
    path = Path(os.path.abspath(path))
    try:
        return path.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Finding:
    kind: str  # stale, missing, extra, stray, broken-link, manifest
    path: str  # as shown (see `shown`)
    message: str
    line: int | None = None
    text: str = ""  # the line of the text format


def findings(result: CheckResult, output: Path) -> list[Finding]:
    """Every finding of `result`, in the order the text format has always listed them."""

    def at(page: str) -> str:
        return shown(output / page)

    stray = set(result.stray)
    ours = [page for page in result.extra if page not in stray]
    out: list[Finding] = []
    for page in result.stale:
        out.append(
            Finding("stale", at(page), "the page is stale: run `repodoc export`", text=f"stale: {at(page)}")
        )
    for page in result.missing:
        out.append(
            Finding(
                "missing", at(page), "the page is missing: run `repodoc export`", text=f"missing: {at(page)}"
            )
        )
    for page in ours:
        out.append(
            Finding(
                "extra",
                at(page),
                "the page documents nothing any more: run `repodoc export`",
                text=f"extra: {at(page)}",
            )
        )
    for page in result.stray:
        advice = "remove it or add it to `exclude`"
        out.append(
            Finding(
                "stray",
                at(page),
                f"not written by repodoc: {advice}",
                text=f"not written by repodoc: {at(page)}: {advice}",
            )
        )
    for b in result.broken:
        out.append(
            Finding(
                "broken-link",
                at(b.page),
                f"broken link {b.target} ({b.reason})",
                b.line,
                text=f"broken link: {at(b.page)}:{b.line}: {b.target} ({b.reason})",
            )
        )
    if result.manifest_error:
        out.append(
            Finding(
                "manifest",
                at(MANIFEST_NAME),
                result.manifest_error,
                text=f"manifest: {result.manifest_error}",
            )
        )
    return out


def summary(result: CheckResult, output: Path) -> str:
    """One line: the counts, and what can fix them (an export rewrites and removes its own
    pages, never the others)."""
    stray = set(result.stray)
    ours = [page for page in result.extra if page not in stray]
    advice = []
    if result.manifest_error:
        advice.append("run `repodoc export --force` to start over")
    elif result.stale or result.missing or ours or any(b.page not in stray for b in result.broken):
        advice.append("run `repodoc export` to update")
    if stray:
        advice.append("remove the files repodoc did not write or add them to `exclude`")
    return (
        f"{shown(output)}: {len(result.stale)} stale, {len(result.missing)} missing, {len(ours)} extra pages, "
        f"{len(stray)} not written by repodoc, {len(result.broken)} broken links; {'; '.join(advice)}"
    )


def render(result: CheckResult, output: Path, fmt: str) -> str:
    """The findings in format `fmt` (one of FORMATS), each line ending in a newline."""
    found = findings(result, output)
    if fmt == "json":
        document = {
            "ok": result.ok,
            "output_dir": shown(output),
            "findings": [
                {"kind": f.kind, "path": f.path, "line": f.line, "message": f.message} for f in found
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        return "".join(_annotation(f) + "\n" for f in found)
    return "".join(f.text + "\n" for f in found)


def _annotation(finding: Finding) -> str:
    """A GitHub Actions workflow command: `::error file=…,line=…,title=…::message`."""
    props = [f"file={_escape_property(finding.path)}"]
    if finding.line is not None:
        props.append(f"line={finding.line}")
    props.append(f"title={_escape_property('repodoc check: ' + finding.kind)}")
    return f"::error {','.join(props)}::{_escape_data(finding.message)}"


def _escape_data(text: str) -> str:
    # As GitHub's @actions/core escapes a command's message.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
