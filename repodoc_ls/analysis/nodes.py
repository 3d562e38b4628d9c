"""What the tree walkers of extraction and analysis share about `ast` nodes: the
node-valued fields of each node type, and the shared `Load` context."""

from __future__ import annotations

import ast
from typing import TypeAlias, cast

LOAD = cast(ast.Name, ast.parse("x", mode="eval").body).ctx
_OTHER_LOAD = cast(ast.Name, ast.parse("y", mode="eval").body).ctx
if _OTHER_LOAD is not LOAD:  # pragma: no cover - other implementations
    raise ImportError("repodoc's tree walkers rely on shared ast context singletons")

# ASDL field types that hold no AST nodes worth visiting (operators, contexts, strings).
_LEAF_TYPES = {
    "identifier",
    "string",
    "int",
    "constant",
    "expr_context",
    "boolop",
    "operator",
    "unaryop",
    "cmpop",
    "type_ignore",
}


# A node's fields hold None where an optional part is absent (a `**d` in a dict's keys).
Node: TypeAlias = "ast.AST | None"


class _Fields(dict[type[Node], tuple[tuple[str, bool], ...]]):
    """type -> ((field, is_list), ...) of the node-valued fields, parsed from the ASDL doc."""

    def __missing__(self, cls: type[Node]) -> tuple[tuple[str, bool], ...]:
        fields: list[tuple[str, bool]] = []
        doc = cls.__doc__ or ""
        if issubclass(cls, ast.AST) and "(" in doc:
            for decl in doc[doc.index("(") + 1 : doc.rindex(")")].split(","):
                typ, _, name = decl.strip().rpartition(" ")
                base = typ.rstrip("*?")
                if base and base not in _LEAF_TYPES and name in cls._fields:
                    fields.append((name, typ.endswith("*")))
        self[cls] = result = tuple(fields)
        return result


#: type -> ((field, is_list), ...), filled as types are met
FIELDS = _Fields()
