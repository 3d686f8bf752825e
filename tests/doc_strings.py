"""The string constants of a Python source (DOCUMENTATION, EXAMPLES, RETURN, doc fragments), read without importing it."""

from __future__ import annotations

import ast
from typing import Dict


def string_constants(source: str) -> Dict[str, str]:
    """Every ``NAME = "..."`` at the top level of ``source``, and in its classes (a doc fragment's attributes)."""
    tree = ast.parse(source)
    found: Dict[str, str] = {}
    bodies = [tree.body] + [node.body for node in tree.body if isinstance(node, ast.ClassDef)]
    for body in bodies:
        for node in body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node.value.value
    return found
