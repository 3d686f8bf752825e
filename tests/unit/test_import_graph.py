"""The house's promises about its imports, kept by a test (docs/architecture.md, "The rooms").

Each package of plugins/module_utils is a room; a room imports only the rooms below it (ALLOWED), nothing
below _mains imports Ansible, no read room imports a write room, the imports have no cycle, and a module
file only documents and calls its main.
"""

from __future__ import annotations

import ast
import os
from typing import Dict, List, Set, Tuple

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PREFIX = "ansible_collections.ciphertrust.cckm."
MODULE_UTILS = "plugins.module_utils."

ALLOWED: Dict[str, Set[str]] = {
    "_clouds": set(),
    "_cm": {"_cm"},
    "_jobs": {"_clouds", "_cm", "_jobs"},
    "_writes": {"_clouds", "_cm", "_jobs", "_writes"},
    "_scheduler": {"_clouds", "_cm", "_jobs", "_writes", "_scheduler"},
    "_fleet": {"_clouds", "_cm", "_jobs", "_fleet"},
    "_eda": {"_clouds", "_cm", "_jobs", "_fleet", "_eda"},
    "_mains": {"_clouds", "_cm", "_jobs", "_writes", "_scheduler", "_fleet", "_mains"},
}
"""Room -> the rooms it may import (itself included). The order is the architecture's, bottom to top."""
READ_ROOMS = ("_cm", "_jobs", "_fleet", "_eda")
WRITE_ROOMS = ("_writes", "_scheduler")


def python_files(*folders: str) -> List[str]:
    found = []
    for folder in folders:
        for directory, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            found += [os.path.relpath(os.path.join(directory, name), ROOT) for name in files if name.endswith(".py")]
    return sorted(found)


def dotted(path: str) -> str:
    """``plugins/module_utils/_jobs/watch.py`` -> ``plugins.module_utils._jobs.watch``."""
    name = path[: -len(".py")].replace(os.sep, ".")
    return name[: -len(".__init__")] if name.endswith(".__init__") else name


def imports(path: str, top_level_only: bool = False) -> List[Tuple[str, int]]:
    """(imported module, line) of every import in ``path``; relative to the collection where it is the collection."""
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, node.lineno))
            # ``from ...module_utils._cm import client``: the submodule is imported too
            found += [("%s.%s" % (node.module, alias.name), node.lineno) for alias in node.names]
    return [(name[len(PREFIX) :] if name.startswith(PREFIX) else name, line) for name, line in found]


def room(module: str) -> str:
    """``plugins.module_utils._jobs.watch`` -> ``_jobs``."""
    return module[len(MODULE_UTILS) :].split(".")[0]


UTILS = python_files("plugins/module_utils")
KNOWN = {dotted(path) for path in python_files("plugins", "extensions")}


def test_every_file_of_module_utils_is_in_a_room():
    rooms = {room(dotted(path)) for path in UTILS if not path.endswith("module_utils/__init__.py")}
    assert rooms <= set(ALLOWED), sorted(rooms - set(ALLOWED))
    for package in [r for r in rooms if r != "_clouds"]:
        init = os.path.join(ROOT, "plugins", "module_utils", package, "__init__.py")
        assert os.path.isfile(init) and os.path.getsize(init) == 0, "%s/__init__.py must exist and be empty (sanity)" % package


@pytest.mark.parametrize("path", UTILS)
def test_a_room_imports_only_the_rooms_below_it(path):
    mine = room(dotted(path))
    wrong = []
    for name, line in imports(path):
        if name.startswith(MODULE_UTILS) and name in KNOWN | {n.rsplit(".", 1)[0] for n in KNOWN}:
            theirs = room(name)
            if theirs and theirs not in ALLOWED[mine]:
                wrong.append("%s:%d imports %s (room %s may import %s)" % (path, line, name, mine, sorted(ALLOWED[mine])))
        if name.split(".")[0] == "ansible" and mine != "_mains":
            wrong.append("%s:%d imports %s: only _mains may import Ansible" % (path, line, name))
    assert wrong == []


def test_no_read_room_may_import_a_write_room():
    for read in READ_ROOMS:
        assert not ALLOWED[read] & set(WRITE_ROOMS), read


def test_the_imports_have_no_cycle():
    graph: Dict[str, Set[str]] = {}
    for path in python_files("plugins", "extensions"):
        module = dotted(path)
        graph[module] = {name for name, _line in imports(path, top_level_only=True) if name in KNOWN and name != module}
    seen: Dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, trail: List[str]) -> None:
        seen[module] = 1
        for nxt in sorted(graph.get(module, ())):
            if seen.get(nxt) == 1:
                raise AssertionError("import cycle: %s" % " -> ".join(trail[trail.index(nxt) :] + [nxt]))
            if nxt not in seen:
                visit(nxt, trail + [nxt])
        seen[module] = 2

    for module in sorted(graph):
        if module not in seen:
            visit(module, [module])


MODULES = python_files("plugins/modules")


@pytest.mark.parametrize("path", MODULES)
def test_a_module_file_only_documents_and_calls_its_main(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), path)
    kinds = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] in (
            ["DOCUMENTATION"],
            ["EXAMPLES"],
            ["RETURN"],
        ):
            kinds.append("doc")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(PREFIX + MODULE_UTILS + "_mains."):
            kinds.append("import main")
        elif isinstance(node, ast.FunctionDef) and node.name == "main":
            calls = [n for n in node.body if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)]
            assert len(node.body) == 1 and len(calls) == 1, "%s: main() does one call" % path
            kinds.append("main")
        elif isinstance(node, ast.If) and "__main__" in ast.dump(node.test):
            kinds.append("if main")
        else:
            raise AssertionError("%s:%d: a module file holds only its documentation and a call of its main" % (path, node.lineno))
    assert kinds == ["doc", "doc", "doc", "import main", "main", "if main"], (path, kinds)
