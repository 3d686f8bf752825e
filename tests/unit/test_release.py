"""The release holds together: no plugin claims a version newer than galaxy.yml's, and every plugin is in
the changelog (docs/releasing.md).

antsibull-changelog names a new module, filter or role in the release its ``version_added`` says, so a
plugin is either named in that release of changelogs/changelog.yaml or waits for the next release
(galaxy.yml's version). It cannot see the event source: a fragment or a release's text must name it.
"""

from __future__ import annotations

import glob
import os
from typing import Any, Dict, Iterator, List, Set, Tuple

import pytest
import yaml

from tests.doc_strings import string_constants

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _read(*parts: str) -> str:
    with open(os.path.join(ROOT, *parts)) as handle:
        return handle.read()


def version(text: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in str(text).split("."))


GALAXY_VERSION = yaml.safe_load(_read("galaxy.yml"))["version"]
CHANGELOG = yaml.safe_load(_read("changelogs", "changelog.yaml"))
RELEASES: Dict[str, Any] = CHANGELOG.get("releases") or {}


class Plugin:
    def __init__(self, kind: str, name: str, version_added: str) -> None:
        self.kind = kind  # module, filter, role or event source
        self.name = name
        self.version_added = str(version_added)

    def __repr__(self) -> str:
        return "%s %s (version_added %s)" % (self.kind, self.name, self.version_added)


def plugins() -> List[Plugin]:
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))):
        doc = yaml.safe_load(string_constants(_read(path))["DOCUMENTATION"])
        found.append(Plugin("module", doc["module"], doc["version_added"]))
    for path in sorted(glob.glob(os.path.join(ROOT, "plugins", "filter", "*.yml"))):
        doc = yaml.safe_load(_read(path))["DOCUMENTATION"]
        found.append(Plugin("filter", doc["name"], doc["version_added"]))
    for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml"))):
        name = path.split(os.sep)[-3]
        found.append(Plugin("role", name, yaml.safe_load(_read(path))["argument_specs"]["main"]["version_added"]))
    for path in sorted(glob.glob(os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "*.py"))):
        doc = yaml.safe_load(string_constants(_read(path))["DOCUMENTATION"])
        found.append(Plugin("event source", os.path.basename(path)[: -len(".py")], doc["version_added"]))
    return found


def _versions_in(doc: Any, where: str) -> Iterator[Tuple[str, str]]:
    """Every ``version_added`` in a documentation tree (options, suboptions, return values)."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "version_added" and not isinstance(value, (dict, list)):
                yield where, str(value)
            else:
                yield from _versions_in(value, "%s.%s" % (where, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _versions_in(value, "%s[%d]" % (where, index))


def every_version_added() -> Iterator[Tuple[str, str]]:
    """(where, version) for every ``version_added`` of the plugins' documentation and the doc fragments."""
    fragments = glob.glob(os.path.join(ROOT, "plugins", "doc_fragments", "*.py"))
    documented = glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py"))
    documented += glob.glob(os.path.join(ROOT, "extensions", "eda", "plugins", "event_source", "*.py"))
    for path in sorted(fragments + documented):
        for name, text in string_constants(_read(path)).items():
            if name in ("DOCUMENTATION", "RETURN") or (path in fragments and name.isupper()):
                yield from _versions_in(yaml.safe_load(text), "%s:%s" % (os.path.relpath(path, ROOT), name))
    for path in glob.glob(os.path.join(ROOT, "plugins", "filter", "*.yml")) + glob.glob(
        os.path.join(ROOT, "roles", "*", "meta", "argument_specs.yml")
    ):
        yield from _versions_in(yaml.safe_load(_read(path)), os.path.relpath(path, ROOT))


def test_versions_are_found_in_every_kind_of_file():
    places = {where.split(":")[0].split("/")[1] for where, _added in every_version_added()}
    assert {"modules", "doc_fragments", "filter", "eda", "wait_for_sync", "sync_report"} <= places, places


def released_names(release: str) -> Set[str]:
    """The plugins a release of changelog.yaml names as new, by their short names."""
    entry = RELEASES.get(release) or {}
    names = {module["name"] for module in entry.get("modules") or []}
    for group in ("plugins", "objects"):
        for items in (entry.get(group) or {}).values():
            names.update(item["name"] for item in items)
    return names


def release_texts() -> str:
    """The text of every release's changes and of every fragment waiting for the next release."""
    texts = [yaml.safe_dump(entry.get("changes") or {}) for entry in RELEASES.values()]
    texts += [_read(path) for path in glob.glob(os.path.join(ROOT, "changelogs", "fragments", "*.yml"))]
    return "\n".join(texts)


def test_every_plugin_kind_is_found():
    kinds = {plugin.kind for plugin in plugins()}
    assert kinds == {"module", "filter", "role", "event source"}, kinds


def test_no_version_added_is_newer_than_galaxy_yml():
    newer = [(where, added) for where, added in every_version_added() if version(added) > version(GALAXY_VERSION)]
    assert not newer, "galaxy.yml says %s: %s" % (GALAXY_VERSION, newer)


def test_galaxy_yml_names_a_version_not_released_yet_or_the_newest_release():
    newest = max(RELEASES, key=version)
    assert version(GALAXY_VERSION) >= version(newest), (GALAXY_VERSION, newest)


@pytest.mark.parametrize("plugin", plugins(), ids=repr)
def test_every_plugin_is_named_by_its_release_or_waits_for_the_next(plugin):
    if plugin.version_added in RELEASES:
        if plugin.kind == "event source":  # antsibull-changelog does not know event sources: the text names them
            assert "ciphertrust.cckm.%s" % plugin.name in release_texts() or plugin.name in release_texts(), plugin
        else:
            assert plugin.name in released_names(plugin.version_added), "%r is not in release %s of changelog.yaml" % (
                plugin,
                plugin.version_added,
            )
    else:
        assert plugin.version_added == GALAXY_VERSION, "%r: neither a release nor galaxy.yml's %s" % (plugin, GALAXY_VERSION)
        if plugin.kind == "event source":
            assert plugin.name in release_texts(), "%r: no fragment names it" % plugin


PLAYBOOKS = sorted(os.path.basename(path)[: -len(".yml")] for path in glob.glob(os.path.join(ROOT, "playbooks", "*.yml")))


@pytest.mark.parametrize("name", PLAYBOOKS)
def test_every_playbook_is_named_by_a_release_or_a_fragment(name):
    named = set().union(*(released_names(release) for release in RELEASES))
    for path in glob.glob(os.path.join(ROOT, "changelogs", "fragments", "*.yml")):
        added = (yaml.safe_load(_read(path)) or {}).get("add object.playbook") or []
        named.update(entry["name"] for entry in added)
    assert name in named, "playbooks/%s.yml: no release and no fragment names it (add object.playbook)" % name


def test_the_readme_installs_the_newest_release():
    newest = max(RELEASES, key=version)
    readme = _read("README.md")
    assert "ciphertrust.cckm:%s" % newest in readme and "ciphertrust-cckm-%s.tar.gz" % newest in readme, newest
