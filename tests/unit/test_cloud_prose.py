"""Prose that lists the clouds names every cloud of the table. The lists are written by make derive (tools/places.py:
marked blocks, Markdown's inline places, the user guide's substitutions); a list typed by hand that misses a cloud
fails this test, by file and line."""

from __future__ import annotations

import os
import re
import subprocess
from typing import Dict, Iterator, List, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from tests.doc_strings import string_constants
from tools import places
from tools.places import INLINE, MARKER

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


def prose_files(texts: Dict[str, str]) -> Iterator[Tuple[str, str, int]]:
    """(path, text, line offset) of every page and plugin documentation a person writes."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for path in listed:
        if path.startswith(("tests/", "changelogs/")) or path == "CHANGELOG.rst":
            continue
        full = os.path.join(ROOT, path)
        with open(full, encoding="utf-8") as handle:
            text = texts.get(path) or (handle.read() if path.endswith((".md", ".rst", ".yml", ".py")) else "")
        if path.endswith((".md", ".rst")) or path == "galaxy.yml":
            yield path, text, 0
        elif path.startswith(("plugins/", "extensions/")) and path.endswith(".py"):
            for name, doc in string_constants(text).items():
                if name in ("DOCUMENTATION", "EXAMPLES", "RETURN") and doc.strip():
                    yield path, doc, text[: text.index(doc)].count("\n")
        elif path.startswith(("plugins/filter/", "roles/")) and path.endswith(".yml"):
            yield path, text, 0


def unlisted(texts: Dict[str, str] = None) -> List[str]:
    """``path:line: lists the clouds without ...`` for each paragraph that lists the clouds but not all of them,
    outside the places make derive writes (``texts``: files as they would be, instead of as they are)."""
    missing = []
    for path, text, offset in prose_files(texts or {}):
        for start, lines in paragraphs(INLINE.sub("", text)):
            words = set(re.findall(r"[a-z]+", " ".join(lines).lower()))
            named = [cloud.name for cloud in CLOUDS.values() if spellings(cloud) & words]
            if len(named) >= LISTS_THE_CLOUDS and len(named) < len(CLOUDS):
                absent = sorted(set(CLOUDS) - set(named))
                missing.append("%s:%d: lists the clouds without %s" % (path, start + offset, ", ".join(absent)))
    return missing


def test_every_paragraph_that_lists_the_clouds_names_every_cloud():
    missing = unlisted()
    assert missing == [], "\n".join(missing)


def test_a_new_cloud_reaches_every_prose_list_through_make_derive(monkeypatch):
    from ansible_collections.ciphertrust.cckm.plugins.module_utils import _clouds
    from tools import info_modules

    monkeypatch.setitem(_clouds.CLOUDS, "fakecloud", CLOUDS["google"]._replace(name="fakecloud", title="Fakecloud KMS"))
    words = info_modules.WORDS["google"]._replace(vendor="Fakecloud", short="Fakecloud", target_noun="fake ring")
    monkeypatch.setitem(info_modules.WORDS, "fakecloud", words)
    rewritten = {}
    for path in places.FILES:
        with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
            rewritten[path] = places.rewrite(path, handle.read())
    assert "Fakecloud" in rewritten["README.md"] and "Fakecloud" in rewritten["docs/docsite/rst/user_guide.rst"]
    assert unlisted(rewritten) == [], "after make derive, every prose list names it"


def test_a_list_typed_by_hand_that_misses_a_cloud_is_named_by_file_and_line():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        readme = handle.read()
    typed = readme + "\nIt speaks to AWS, Azure, Google Cloud, Oracle OCI and Salesforce.\n"
    absent = ", ".join(sorted(set(CLOUDS) - {"aws", "azure", "google", "oci", "sfdc"}))
    assert unlisted({"README.md": typed}) == ["README.md:%d: lists the clouds without %s" % (readme.count("\n") + 2, absent)]
