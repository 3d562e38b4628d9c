"""gitignore-style rules, fast: the matching half of `scan.py`.

The patterns of each ignore file are compiled (by `pathspec`'s public `GitIgnoreSpec`) once;
patterns that only look at an entry's name (most of them: `*.pyc`, `build/`) are merged into
one regular expression per folder, the others into one per ignore file, so an entry costs one
or two regex matches whatever the number of patterns. Later patterns win, as in git.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from pathspec import GitIgnoreSpec

from .safefs import DEFAULT_MAX_FILE_BYTES, read_regular

_BASENAME_PREFIX = "^(?:.+/)?"
# pathspec marks the slash after a folder's name with this group: from there on, its
# regexes match everything below the folder too (0.12 with a `.*` tail, 1.x by searching).
_FOLDER_MARK = "(?P<ps_d>/)"


class _Alternation:
    """Patterns (regex sources anchored at the start) matched together, last one winning.

    Python's regex engine tries the alternatives of `a|b|c` one by one, so a large
    alternation costs about a microsecond per alternative even when each fails on its first
    character. The alternatives are therefore bucketed by the literal character they start
    with (patterns starting with a wildcard go into every bucket): a path is matched only
    against the patterns that could match it. In each bucket the alternatives are in reverse
    order, so the first one that matches is the last matching pattern of the file.

    A pattern decides for the entry itself (a folder's path with a trailing "/"), as git
    does: a pattern naming one of its folders does not, since the walk has already pruned
    ignored folders (see `_entry_source`).
    """

    __slots__ = ("buckets", "default")

    def __init__(self, alts: list[tuple[int, bool, str]]) -> None:
        by_char: dict[str, list[tuple[int, bool, str]]] = {}
        wild: list[tuple[int, bool, str]] = []
        firsts = [_first_literal(source) for _, _, source in alts]
        for alt, first in zip(alts, firsts, strict=True):
            if first is None:
                wild.append(alt)
            else:
                by_char.setdefault(first, [])
        for c in by_char:
            by_char[c] = [alt for alt, first in zip(alts, firsts, strict=True) if first in (c, None)]
        self.buckets = {c: _compile_alternatives(group) for c, group in by_char.items()}
        self.default = _compile_alternatives(wild) if wild else None

    def match(self, text: str) -> tuple[int, bool] | None:
        """(order, ignores?) of the last pattern matching `text`, or None."""
        compiled = self.buckets.get(text[:1], self.default)
        if compiled is None:
            return None
        regex, groups = compiled
        m = regex.match(text)  # sources end in \Z: the entry itself, its folders judged on the way
        if m is None:
            return None
        last = m.lastindex  # every alternative is a group, so a match sets it
        assert last is not None
        return groups[last]


_META = set(".^$*+?{}[]\\|()")


def _first_literal(source: str) -> str | None:
    """The character every match of `source` starts with, when it is a plain literal."""
    body = source[1:] if source.startswith("^") else source
    if not body:
        return None
    if body[0] == "\\":
        if len(body) < 2 or body[1].isalnum():
            return None  # a class like \d, or a dangling escape
        first, rest = body[1], body[2:]
    elif body[0] in _META:
        return None
    else:
        first, rest = body[0], body[1:]
    if rest[:1] in ("*", "?", "{", "+") or _top_level_bar(body):
        return None  # a quantifier or an alternation: not a fixed first character
    return first


def _top_level_bar(source: str) -> bool:
    depth = 0
    i = 0
    in_class = False
    while i < len(source):
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":
                i += 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def _compile_alternatives(
    alts: list[tuple[int, bool, str]],
) -> tuple[re.Pattern[str], dict[int, tuple[int, bool]]]:
    parts: list[str] = []
    groups: dict[int, tuple[int, bool]] = {}
    index = 1
    for order, include, source in reversed(alts):
        groups[index] = (order, include)
        parts.append(f"({source})")
        index += 1 + re.compile(source).groups
    return re.compile("|".join(parts)), groups


#: The rules' parent key, one ignore file's lines and `strip`; () for no rules.
_RulesKey: TypeAlias = "tuple[_RulesKey, tuple[str, ...], int] | tuple[()]"


@dataclass(slots=True)
class _Layer:
    """The path-dependent patterns of one ignore file."""

    strip: int  # characters to cut from a root-relative path (the base folder + "/")
    matcher: _Alternation


@dataclass(slots=True)
class IgnoreRules:
    """A stack of ignore files; immutable once built (children extend a copy)."""

    layers: tuple[_Layer, ...] = ()
    names: tuple[tuple[int, bool, str], ...] = ()  # name-only patterns: (order, ignores?, regex)
    name_matcher: _Alternation | None = None
    count: int = 0  # patterns so far: the next pattern's global order
    key: _RulesKey = ()  # what the rules were built from, for the cache of `extend`

    @property
    def empty(self) -> bool:
        return not self.layers and not self.names

    def extend(self, lines: list[str], strip: int) -> IgnoreRules:
        """These rules plus one ignore file; `strip`: length of its folder's path + "/"."""
        key = (self.key, tuple(lines), strip)
        cached = _EXTEND_CACHE.get(key)
        if cached is not None:
            return cached
        rules = self._extend(lines, strip)
        rules.key = key
        if len(_EXTEND_CACHE) >= 512:
            _EXTEND_CACHE.clear()
        _EXTEND_CACHE[key] = rules
        return rules

    def _extend(self, lines: list[str], strip: int) -> IgnoreRules:
        order = self.count
        names = list(self.names)
        path_alts: list[tuple[int, bool, str]] = []
        for include, source in entry_patterns(lines):
            if source.startswith(_BASENAME_PREFIX) and _name_only(source[len(_BASENAME_PREFIX) :]):
                # Matches at any depth below its folder: look at the entry's name only.
                names.append((order, include, "^" + source[len(_BASENAME_PREFIX) :]))
            else:
                path_alts.append((order, include, source))
            order += 1
        layers = self.layers
        if path_alts:
            layers = layers + (_Layer(strip, _Alternation(path_alts)),)
        matcher = self.name_matcher
        if len(names) != len(self.names):
            matcher = _Alternation(names)
        return IgnoreRules(layers, tuple(names), matcher, order)

    def ignores(self, rel: str, name: str, is_dir: bool) -> bool:
        """Whether the entry `rel` (root-relative, posix; `name` its last part) is ignored."""
        best = -1
        verdict = False
        if self.name_matcher is not None:
            found = self.name_matcher.match(name + "/" if is_dir else name)
            if found is not None:
                best, verdict = found
        if self.layers:
            if is_dir:
                rel += "/"
            for layer in self.layers:
                found = layer.matcher.match(rel[layer.strip :])
                if found is not None and found[0] > best:
                    best, verdict = found
        return verdict


_EXTEND_CACHE: dict[_RulesKey, IgnoreRules] = {}


def entry_patterns(lines: list[str]) -> list[tuple[bool, str]]:
    """(ignores?, regex source deciding for the entry itself) of each pattern, in order."""
    try:
        patterns = list(GitIgnoreSpec.from_lines(lines).patterns)
    except Exception:  # one invalid pattern fails the whole file: skip just it, as git does
        patterns = []
        for line in lines:
            try:
                patterns.extend(GitIgnoreSpec.from_lines([line]).patterns)
            except Exception:
                continue
    compiled = []
    for pattern in patterns:
        regex = getattr(pattern, "regex", None)
        include = getattr(pattern, "include", None)
        if include is not None and regex is not None:
            compiled.append((include, _entry_source(regex.pattern)))
    return compiled


def _entry_source(source: str) -> str:
    """A pathspec regex turned into one matched (`re.match`) against an entry's own path.

    The folder mark matches only the entry's trailing "/" (a folder itself, not what lies
    below it); `$` becomes `\\Z` (so a name ending in a newline is not cut short); a source
    that is not anchored (pathspec 1.x searches; its match-all pattern is `.`) may start
    anywhere. Other named groups become plain groups, for merging.
    """
    out: list[str] = []
    i = 0
    while i < len(source):
        c = source[i]
        if c == "\\":
            out.append(source[i : i + 2])
            i += 2
        elif c == "[":
            end = _class_end(source, i)
            out.append(source[i:end])
            i = end
        elif source.startswith(_FOLDER_MARK, i):
            out.append("(?:/\\Z)")
            i += len(_FOLDER_MARK)
        elif source.startswith("(?P<", i):
            out.append("(?:")
            i = source.index(">", i) + 1
        else:
            out.append("\\Z" if c == "$" else c)
            i += 1
    result = "".join(out)
    return result if result.startswith("^") else "(?s:.*?)" + result


def _class_end(source: str, start: int) -> int:
    """The index after the character class opening at `start` (`]` first is a member)."""
    i = start + 1
    if source[i : i + 1] == "^":
        i += 1
    if source[i : i + 1] == "]":
        i += 1
    while i < len(source) and source[i] != "]":
        i += 2 if source[i] == "\\" else 1
    return i + 1


#: The ends of `_entry_source` forms that mean "this entry, as a file or a folder" or "this
#: folder" (pathspec 1.x, then 0.12).
_ENTRY_TAILS = ("(?:(?:/\\Z)|\\Z)", "(?:/\\Z)", "(?:(?:/\\Z).*)?\\Z", "(?:/\\Z).*\\Z")


def _name_only(source: str) -> bool:
    """Whether a pattern body (after "any folders/") looks at one path component only."""
    for tail in _ENTRY_TAILS:
        if source.endswith(tail):
            return "/" not in source[: -len(tail)].replace("[^/]", "")
    return False  # an unknown shape: match it against the whole path


def read_ignore_file(path: str, warnings: list[str] | None, shown: str) -> list[str] | None:
    try:  # a FIFO named .gitignore must not block the scan
        data = read_regular(path, DEFAULT_MAX_FILE_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if warnings is not None:
            warnings.append(f"cannot read {shown}: {exc.strerror or exc}")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return [
        line for line in data.decode("utf-8", "replace").splitlines() if line and not line.startswith("#")
    ]


def ignore_spec(patterns: tuple[str, ...]) -> GitIgnoreSpec | None:
    return GitIgnoreSpec.from_lines(list(patterns)) if patterns else None
