"""Prose that lists the clouds names every cloud of the table: a new cloud fails this test at each place a person
must edit, by file and line (the lists that make derive writes are checked by test_clouds instead)."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Iterator, List, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from tests.doc_strings import string_constants
from tools.places import MARKER

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LISTS_THE_CLOUDS = 5
"""A paragraph naming this many clouds lists them all (fewer are examples: a scope of AWS, a spelling of Azure)."""


def spellings(cloud) -> set:
    """How prose names a cloud: its name (``aws``, ``sfdc``) or the first word of its title (AWS, Salesforce)."""
    return {cloud.name.lower(), cloud.title.split()[0].lower()}


def paragraphs(text: str) -> Iterator[Tuple[int, List[str]]]:
    """(first line number, lines) of each paragraph outside the places make derive writes."""
    current: List[str] = []
    start, inside = 0, False
    for number, line in enumerate(text.splitlines() + [""], 1):
        marker = MARKER.search(line)
        if marker:
            inside = marker.group(1) == "BEGIN"
        if marker or inside or not line.strip():
            if current:
                yield start, current
            current = []
            continue
        if not current:
            start = number
        current.append(line)


def prose_files() -> Iterator[Tuple[str, str, int]]:
    """(path, text, line offset) of every page and plugin documentation a person writes."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for path in listed:
        if path.startswith(("tests/", "changelogs/")) or path == "CHANGELOG.rst":
            continue
        full = os.path.join(ROOT, path)
        with open(full, encoding="utf-8") as handle:
            text = handle.read() if path.endswith((".md", ".rst", ".yml", ".py")) else ""
        if path.endswith((".md", ".rst")) or path == "galaxy.yml":
            yield path, text, 0
        elif path.startswith(("plugins/", "extensions/")) and path.endswith(".py"):
            for name, doc in string_constants(text).items():
                if name in ("DOCUMENTATION", "EXAMPLES", "RETURN") and doc.strip():
                    yield path, doc, text[: text.index(doc)].count("\n")
        elif path.startswith(("plugins/filter/", "roles/")) and path.endswith(".yml"):
            yield path, text, 0


def unlisted() -> List[str]:
    """``path:line: lists the clouds without ...`` for each paragraph that lists the clouds but not all of them."""
    missing = []
    for path, text, offset in prose_files():
        for start, lines in paragraphs(text):
            words = set(re.findall(r"[a-z]+", " ".join(lines).lower()))
            named = [cloud.name for cloud in CLOUDS.values() if spellings(cloud) & words]
            if len(named) >= LISTS_THE_CLOUDS and len(named) < len(CLOUDS):
                absent = sorted(set(CLOUDS) - set(named))
                missing.append("%s:%d: lists the clouds without %s" % (path, start + offset, ", ".join(absent)))
    return missing


def test_every_paragraph_that_lists_the_clouds_names_every_cloud():
    missing = unlisted()
    assert missing == [], "\n".join(missing)


def test_a_paragraph_that_lists_fewer_clouds_than_the_table_is_found(monkeypatch):
    from ansible_collections.ciphertrust.cckm.plugins.module_utils import _clouds

    monkeypatch.setitem(_clouds.CLOUDS, "fakecloud", CLOUDS["google"]._replace(name="fakecloud", title="Fakecloud KMS"))
    found = unlisted()
    for place in ("README.md:3:", "galaxy.yml:1:", "docs/docsite/rst/user_guide.rst:6:", "plugins/modules/sync_status.py:"):
        assert any(line.startswith(place) for line in found), (place, found)
