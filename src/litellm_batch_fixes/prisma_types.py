"""The generated Prisma client's `types` module, made to create its TypedDicts on first use.

`prisma generate` writes one TypedDict per filter, input and argument shape of every model
(~35,000 for 1.108.7's schema, ~25,000 for 1.80.10's) into prisma/types.py, and creating
them took 5.7 s of every 1.108.7 start (2.5 s on 1.80.10). They exist for type checkers:
the client's own modules annotate with them lazily (`from __future__ import annotations`)
and LiteLLM imports them under TYPE_CHECKING. So types.py keeps what the package imports
from it by name (and what that refers to), plus every definition that is no TypedDict;
the rest stays whole in _types_all.py, which runs the first time any other name is asked
for and adds what it defines to the module. Every name keeps its value and its module
(prisma.types); what the module had at once stays the same object.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

FULL_MODULE = "_types_all"
# `from .types import A, B` or `from .types import (A, B)` in the package's other modules
_FROM_TYPES = re.compile(r"^from \.types import (\([^)]*\)|[^\n]+)", re.MULTILINE)

_LOAD_ON_FIRST_USE = f"""

# Most TypedDicts of this generated module were left out of it: creating them all takes
# seconds at every start, and a running proxy seldom needs one. The first name asked for
# that is not here runs the whole module ({FULL_MODULE}.py) once and adds what it defines
# (litellm-batch-fixes, prisma_types.py).
import threading as _threading

_load_lock = _threading.Lock()
_all_loaded = False


def __getattr__(name: str):
    global _all_loaded
    if name.startswith("__"):  # the import machinery probing (__path__, __all__, ...)
        raise AttributeError(name)
    with _load_lock:
        if not _all_loaded:
            import importlib.util

            spec = importlib.util.find_spec(f"{{__package__}}.{FULL_MODULE}")
            namespace = dict(globals())
            exec(spec.loader.get_code(spec.name), namespace)
            for key, value in namespace.items():  # what is here already stays the same object
                globals().setdefault(key, value)
            _all_loaded = True
    try:
        return globals()[name]
    except KeyError:
        raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}") from None
"""


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def _names_used(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _is_typed_dict(node: ast.stmt) -> bool:
    """A class (the module's classes are all TypedDicts) or `X = TypedDict('X', {...})`."""
    if isinstance(node, ast.ClassDef):
        return True
    value = getattr(node, "value", None)
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "TypedDict"


def imported_by_name(package: Path) -> set[str]:
    """What the package's other modules import from .types by name, at their import."""
    names: set[str] = set()
    for module in package.glob("*.py"):
        if module.name not in ("types.py", f"{FULL_MODULE}.py"):
            for match in _FROM_TYPES.finditer(module.read_text()):
                names |= {part.split(" as ")[0].strip() for part in match[1].strip("()").split(",") if part.strip()}
    return names


def deferred_names(tree: ast.Module, eager: set[str]) -> set[str]:
    """The TypedDicts outside `eager`'s definitions (closed over the names they use), and
    the aliases that refer to one of them."""
    definitions = {name: node for node in tree.body if (name := _defined_name(node))}
    kept: set[str] = set()
    pending = [name for name in eager if name in definitions]
    while pending:
        name = pending.pop()
        if name not in kept:
            kept.add(name)
            pending += [used for used in _names_used(definitions[name]) if used in definitions]
    deferred: set[str] = set()
    for name, node in definitions.items():  # in the module's order: an alias follows its target
        if name not in kept and (_is_typed_dict(node) or _names_used(node) & deferred):
            deferred.add(name)
    return deferred


def defer_typed_dicts(package: Path) -> int:
    """Rewrite `package`/types.py as above; returns how many definitions wait for first use.
    A second call on a package it already rewrote changes nothing."""
    types, full = package / "types.py", package / f"{FULL_MODULE}.py"
    if not types.is_file():  # a client generated without one: nothing to defer
        return 0
    source = types.read_text()
    if "_all_loaded = False" in source and full.is_file():
        return len(deferred_names(ast.parse(full.read_text()), imported_by_name(package)))
    tree = ast.parse(source)
    deferred = deferred_names(tree, imported_by_name(package))
    lines = source.splitlines(keepends=True)
    kept = [
        "".join(lines[node.lineno - 1 : node.end_lineno]) for node in tree.body if _defined_name(node) not in deferred
    ]
    full.write_text(source)
    types.write_text("".join(kept) + _LOAD_ON_FIRST_USE)
    return len(deferred)
