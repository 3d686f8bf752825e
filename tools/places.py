"""The places outside Python that name every cloud or list states, written from the table of clouds and the
states' constants (``_jobs.states``, ``_fleet.status``).

A place is a block of lines between two marker lines in a file::

    # BEGIN derived: <key> (tools/derive.py writes the lines below from CLOUDS; do not edit them)
    ...
    # END derived: <key>

(``<!-- ... -->`` or any comment syntax: only ``BEGIN derived: <key>`` and ``END derived: <key>`` are
looked for). Two places cannot carry a comment: README's module row (the table would break) and the
AWX survey (JSON); ``rewrite`` finds those by their content. Each template returns whole lines, with
the indentation of the file they go in.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
from typing import Callable, Dict, List, Tuple

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS, FILTER_OPTIONS, SCHEDULABLE, TARGET_OPTIONS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._fleet.status import FAIL_WHEN_CHOICES
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import (
    DEFAULT_FAIL_ON,
    FAIL_ON_CHOICES,
    FINISHED_STATES,
    STATES,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = re.compile(r"(BEGIN|END) derived: ([a-z0-9-]+)")


def _names() -> List[str]:
    return sorted(CLOUDS)


def _filter_clouds() -> List[Tuple[str, str]]:
    """(filter option, cloud name) for every cloud with a scope filter, by option name."""
    return sorted((c.filter_option, c.name) for c in CLOUDS.values() if c.filter_option)


def _wrapped(indent: str, text: str, width: int = 116) -> List[str]:
    """One YAML list item, folded: the continuation lines sit under the item's text."""
    return textwrap.wrap(text, width, initial_indent=indent + "- ", subsequent_indent=indent + "  ")


def _target_plural(name: str) -> str:
    from tools.info_modules import WORDS

    return WORDS[name].target_noun + "s"


def _scope_sentence() -> str:
    defaults = {c.default_scope for c in CLOUDS.values()}
    if len(defaults) == 1:
        text = "V(%s) (the default) for every cloud" % defaults.pop()
    else:
        text = "the default is " + ", ".join("V(%s) for V(%s)" % (c.default_scope, c.name) for c in CLOUDS.values())
    others = []
    for cloud in CLOUDS.values():
        extra = [scope for scope in cloud.scopes if scope != cloud.default_scope]
        if extra:
            others.append("%s for V(%s)" % (" and ".join("V(%s)" % scope for scope in extra), cloud.name))
    if others:
        text += "; also " + (", ".join(others[:-1]) + ", and " + others[-1] if len(others) > 1 else others[0])
    return text + "."


def doc_fragments() -> List[str]:
    """The doc fragments whose options name clouds (plugins/doc_fragments/cckm.py)."""
    lines = [
        "    # The cloud option: its choices (each module says what the cloud is for).",
        '    CLOUD = r"""',
        "options:",
        "  cloud:",
        "    type: str",
        "    choices: [%s]" % ", ".join(_names()),
        '"""',
        "",
        "    # The clouds option of sync_status: several clouds at once.",
        '    CLOUDS = r"""',
        "options:",
        "  clouds:",
        "    type: list",
        "    elements: str",
        "    choices: [%s]" % ", ".join(_names()),
        '"""',
        "",
        "    # The scope option of sync_job and sync_job_wait.",
        '    SCOPE = r"""',
        "options:",
        "  scope:",
        "    description:",
        "      - Family of jobs within the cloud, as in the cloud's info module.",
        *_wrapped("      ", _scope_sentence()),
        "    type: str",
        '"""',
        "",
        "    # The scope filters of sync_job_wait: one option per cloud that has one.",
        '    FILTERS = r"""',
        "options:",
    ]
    for option, name in _filter_clouds():
        lines += [
            "  %s:" % option,
            "    description: For O(cloud=%s), wait for these %s, each judged by its newest covering job."
            % (name, _target_plural(name)),
            "    type: list",
            "    elements: str",
        ]
    lines += [
        '"""',
        "",
        "    # The cloud option of sync_schedule, with the scheduler's name for each cloud.",
        '    SCHEDULER_CLOUD = r"""',
        "options:",
        "  cloud:",
        "    description:",
        "      - Cloud to synchronize; required with O(state=present).",
        *_wrapped(
            "      ",
            "Sent as CM's scheduler cloud name, "
            + ", ".join("C(%s) for V(%s)" % (c.schedule_cloud, c.name) for c in SCHEDULABLE.values())
            + ". "
            + (
                "Not offered - %s, whose scheduler name is not known."
                % " and ".join("V(%s)" % name for name in CLOUDS if name not in SCHEDULABLE)
                if len(SCHEDULABLE) < len(CLOUDS)
                else ""
            ),
        ),
        "    type: str",
        "    choices: [%s]" % ", ".join(sorted(SCHEDULABLE)),
        '"""',
    ]
    return lines


def action_group() -> List[str]:
    return ["    - %s_sync_job_info" % name for name in CLOUDS]


def galaxy_tags() -> List[str]:
    return ["  - %s" % name for name in _names()]


def role_cloud_choices() -> List[str]:
    return ["        choices: [%s]" % ", ".join(_names())]


def role_filter_keys() -> List[str]:
    return _wrapped("          ", "Keys are %s." % ", ".join("C(%s)" % option for option in FILTER_OPTIONS))


def _start_only_targets() -> List[Tuple[str, str]]:
    """(option, cloud title) of what a start takes besides the scope filters: regions, luna's partitions."""
    out = []
    for option in TARGET_OPTIONS:
        if option in FILTER_OPTIONS:
            continue
        owners = [c.title for c in CLOUDS.values() if c.target_option == option or (option == "regions" and c.regions)]
        out.append((option, " and ".join(owners)))
    return out


def role_start_targets_doc() -> List[str]:
    extra = " and ".join("C(%s) (%s)" % pair for pair in _start_only_targets())
    return _wrapped("          ", "The filters then name the targets to synchronize, and may also hold %s." % extra)


def _role_targets(options: Tuple[str, ...]) -> List[str]:
    """The role's task lines passing each of ``options`` from the parsed filters (omitted when not given)."""
    return ['        %s: "{{ wait_for_sync__filters.filters.%s | default(omit) }}"' % (option, option) for option in options]


def role_start_targets() -> List[str]:
    return _role_targets(TARGET_OPTIONS)


def role_wait_filters() -> List[str]:
    return _role_targets(FILTER_OPTIONS)


def event_source_cloud() -> List[str]:
    return ["    description: A cloud (%s), a list of them, or all." % ", ".join(_names())]


def event_source_filters() -> List[str]:
    lines = []
    for option, name in _filter_clouds():
        lines += [
            "  %s:" % option,
            "    description: For O(cloud=%s) alone, watch only the jobs of these %s." % (name, _target_plural(name)),
            "    type: list",
        ]
    return lines


# -- prose that lists the clouds --------------------------------------------------------------------


def _and(items: List[str]) -> str:
    """``a, b and c``."""
    return items[0] if len(items) == 1 else "%s and %s" % (", ".join(items[:-1]), items[-1])


def _prose(name: str):
    """What the documentation says about cloud ``name`` (tools/info_modules.py's WORDS)."""
    from tools.info_modules import WORDS

    return WORDS[name]


def _target_listings() -> List[str]:
    """Each distinct target listing path, the default scopes' first."""
    paths: List[str] = []
    for default_first in (True, False):
        for cloud in CLOUDS.values():
            for name, scope in cloud.scopes.items():
                if (name == cloud.default_scope) == default_first and scope.targets and scope.targets not in paths:
                    paths.append(scope.targets)
    return paths


def inline_clouds() -> str:
    return _and([_prose(name).vendor for name in CLOUDS])


def inline_cloud_names() -> str:
    return ", ".join("`%s`" % name for name in CLOUDS)


def inline_cloud_names_or() -> str:
    names = ["`%s`" % name for name in CLOUDS]
    return "%s or %s" % (", ".join(names[:-1]), names[-1])


def inline_scheduler_names() -> str:
    return ", ".join("`%s`" % c.schedule_cloud for c in SCHEDULABLE.values() if c.schedule_cloud != c.name)


def inline_target_nouns() -> str:
    return _and(list(dict.fromkeys(_prose(name).target_noun for name in CLOUDS)))


def inline_targets_by_cloud() -> str:
    return _and(["%s %s" % (_prose(name).short, _prose(name).target_noun) for name in CLOUDS])


def inline_target_listings() -> str:
    paths = [path[len("/v1/cckm") :] for path in _target_listings()]
    return ", ".join(["`GET /v1/cckm%s`" % paths[0]] + ["`%s`" % path for path in paths[1:]])


def inline_scopes_by_cloud() -> str:
    parts = []
    for cloud in CLOUDS.values():
        extra = [scope for scope in cloud.scopes if scope != cloud.default_scope]
        if extra:
            parts.append("%s (%s)" % ("/".join("`%s`" % scope for scope in extra), cloud.name))
    return ", ".join(parts)


INLINE = re.compile(r"<!--([a-z0-9-]+)-->(.*?)<!--/\1-->", re.S)
"""An inline place of a Markdown page (invisible when rendered): ``<!--clouds-->AWS, ...<!--/clouds-->``."""
INLINE_TEMPLATES: Dict[str, Callable[[], str]] = {
    "clouds": inline_clouds,
    "cloud-names": inline_cloud_names,
    "cloud-names-or": inline_cloud_names_or,
    "scheduler-names": inline_scheduler_names,
    "target-nouns": inline_target_nouns,
    "targets-by-cloud": inline_targets_by_cloud,
    "target-listings": inline_target_listings,
    "scopes-by-cloud": inline_scopes_by_cloud,
}


def _inline(path: str, text: str) -> str:
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in INLINE_TEMPLATES:
            raise PlaceError("%s: unknown inline place %r" % (path, key))
        return "<!--%s-->%s<!--/%s-->" % (key, INLINE_TEMPLATES[key](), key)

    return INLINE.sub(one, text)


def guide_substitutions() -> List[str]:
    return [
        "",
        ".. |clouds| replace:: %s" % inline_clouds(),
        ".. |targets by cloud| replace:: %s" % inline_targets_by_cloud().replace("`", ""),
        "",
    ]


def galaxy_description() -> List[str]:
    text = "See, wait on, start and schedule Thales CipherTrust Manager CCKM key synchronization jobs for %s." % (inline_clouds())
    return ["description: >-"] + textwrap.wrap(text, 96, initial_indent="  ", subsequent_indent="  ")


def status_description() -> List[str]:
    text = (
        "Answers for the whole fleet the question an operator, an auditor or a nightly workflow asks of CipherTrust "
        "Manager's Cloud Key Manager (CCKM) - is every %s synchronized recently, and if not, which and why."
        % inline_targets_by_cloud()
    )
    return _wrapped("  ", text, 108)


# -- lists of states ------------------------------------------------------------------------------


def _yaml_list(values: Tuple[str, ...]) -> str:
    return "[%s]" % ", ".join(values)


def _words(values: Tuple[str, ...], mark: str = "``%s``") -> str:
    """``failed``, ``cancelled`` and ``partial``."""
    named = [mark % value for value in values]
    return named[0] if len(named) == 1 else "%s and %s" % (", ".join(named[:-1]), named[-1])


def fail_on_choices() -> List[str]:
    return ["    choices: %s" % _yaml_list(FAIL_ON_CHOICES)]


def wait_fail_on_default() -> List[str]:
    return ["    default: %s" % _yaml_list(DEFAULT_FAIL_ON)]


def state_choices() -> List[str]:
    return ["    choices: %s" % _yaml_list(STATES)]


def fail_when_choices() -> List[str]:
    return ["    choices: %s" % _yaml_list(FAIL_WHEN_CHOICES)]


def offenders_verdicts() -> List[str]:
    return ["      choices: %s" % _yaml_list(FAIL_WHEN_CHOICES)]


def role_states() -> List[str]:
    return [
        "wait_for_sync__fail_on_choices: %s" % _yaml_list(FAIL_ON_CHOICES),
        "wait_for_sync__fail_on_default: %s" % _yaml_list(DEFAULT_FAIL_ON),
        "wait_for_sync__finished_states: %s" % _yaml_list(FINISHED_STATES),
    ]


def role_fail_on_default() -> List[str]:
    return ["wait_for_sync_fail_on: %s" % _yaml_list(DEFAULT_FAIL_ON)]


def sync_job_fail_on_default() -> List[str]:
    return ["      - O(fail_on) defaults to V(%s)." % _yaml_list(DEFAULT_FAIL_ON)]


def role_fail_on() -> List[str]:
    return [
        "        description:",
        "          - Final states that fail the role, of %s." % _words(FAIL_ON_CHOICES, "V(%s)"),
        "          - A list, or text with the states comma-separated or one a line (as an AWX multiple-choice survey"
        " answer arrives).",
        "        type: raw",
        "        default: %s" % _yaml_list(DEFAULT_FAIL_ON),
    ]


def report_fail_when() -> List[str]:
    return [
        "        description: Verdicts that fail the role after the report is written (%s); a list or comma-separated text."
        % ", ".join("V(%s)" % verdict for verdict in FAIL_WHEN_CHOICES)
    ]


def guide_fail_on() -> List[str]:
    extra = tuple(state for state in FAIL_ON_CHOICES if state not in DEFAULT_FAIL_ON)
    text = (
        "A job ending in a ``fail_on`` state (%s by default; add %s for completed-with-errors) fails the task with its "
        "id, state and errors; ``fail_on`` may list %s." % (_words(DEFAULT_FAIL_ON), _words(extra), _words(FAIL_ON_CHOICES))
    )
    return [""] + textwrap.wrap(text, 104) + [""]


TEMPLATES: Dict[str, Callable[[], List[str]]] = {
    "doc-fragments": doc_fragments,
    "action-group": action_group,
    "galaxy-tags": galaxy_tags,
    "role-cloud-choices": role_cloud_choices,
    "role-filter-keys": role_filter_keys,
    "role-start-targets-doc": role_start_targets_doc,
    "role-start-targets": role_start_targets,
    "role-wait-filters": role_wait_filters,
    "event-source-cloud": event_source_cloud,
    "event-source-filters": event_source_filters,
    "guide-substitutions": guide_substitutions,
    "galaxy-description": galaxy_description,
    "status-description": status_description,
    "fail-on-choices": fail_on_choices,
    "wait-fail-on-default": wait_fail_on_default,
    "state-choices": state_choices,
    "fail-when-choices": fail_when_choices,
    "offenders-verdicts": offenders_verdicts,
    "role-states": role_states,
    "role-fail-on": role_fail_on,
    "role-fail-on-default": role_fail_on_default,
    "sync-job-fail-on-default": sync_job_fail_on_default,
    "report-fail-when": report_fail_when,
    "guide-fail-on": guide_fail_on,
}

FILES: Dict[str, Tuple[str, ...]] = {
    "plugins/doc_fragments/cckm.py": ("doc-fragments", "fail-on-choices", "state-choices"),
    "plugins/modules/sync_job_wait.py": ("wait-fail-on-default",),
    "plugins/modules/sync_job.py": ("sync-job-fail-on-default",),
    "roles/wait_for_sync/defaults/main.yml": ("role-fail-on-default",),
    "plugins/modules/sync_status.py": ("status-description", "fail-when-choices"),
    "plugins/filter/sync_report_offenders.yml": ("offenders-verdicts",),
    "roles/wait_for_sync/vars/main.yml": ("role-states",),
    "roles/sync_report/meta/argument_specs.yml": ("report-fail-when",),
    "docs/docsite/rst/user_guide.rst": ("guide-substitutions", "guide-fail-on"),
    "roles/wait_for_sync/README.md": (),
    "meta/runtime.yml": ("action-group",),
    "galaxy.yml": ("galaxy-description", "galaxy-tags"),
    "roles/wait_for_sync/meta/argument_specs.yml": (
        "role-cloud-choices",
        "role-filter-keys",
        "role-start-targets-doc",
        "role-fail-on",
    ),
    "roles/wait_for_sync/tasks/main.yml": ("role-start-targets", "role-wait-filters"),
    "extensions/eda/plugins/event_source/sync_jobs.py": ("event-source-cloud", "event-source-filters"),
    "README.md": (),
    "docs/awx/survey_spec.json": (),
}
"""Every file with a place that names the clouds or lists states, and the marked places it must hold."""

STATE_PLACES = frozenset(
    ("fail-on-choices", "wait-fail-on-default", "state-choices", "fail-when-choices", "offenders-verdicts")
    + ("role-states", "role-fail-on", "role-fail-on-default", "report-fail-when", "guide-fail-on", "sync-job-fail-on-default")
)
"""The places that list states or verdicts (the others name the clouds)."""
CLOUD_FILES = tuple(
    path for path, keys in FILES.items() if set(keys) - STATE_PLACES or path in ("README.md", "docs/awx/survey_spec.json")
)
"""The files that name every cloud."""
STATE_FILES = tuple(
    path
    for path, keys in FILES.items()
    if set(keys) & STATE_PLACES or path in ("roles/wait_for_sync/README.md", "docs/awx/survey_spec.json")
)
"""The files that list the states a wait fails on, the normalized states or the verdicts."""


class PlaceError(ValueError):
    """A file lacks a marked place it should hold, or its markers do not pair."""


def _marked(path: str, text: str) -> str:
    out: List[str] = []
    lines = text.splitlines(keepends=True)
    found = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        match = MARKER.search(line)
        index += 1
        if not match:
            continue
        kind, key = match.groups()
        if kind == "END" or key not in TEMPLATES:
            raise PlaceError("%s:%d: %s without its BEGIN, or an unknown place %r" % (path, index, kind, key))
        end = next((i for i in range(index, len(lines)) if MARKER.search(lines[i])), None)
        if end is None or MARKER.search(lines[end]).groups() != ("END", key):
            raise PlaceError("%s:%d: BEGIN derived: %s has no matching END" % (path, index, key))
        out.extend(line + "\n" for line in TEMPLATES[key]())
        out.append(lines[end])
        found.append(key)
        index = end + 1
    missing = sorted(set(FILES[path]) - set(found))
    if missing:
        raise PlaceError("%s has no marked place %s" % (path, ", ".join(missing)))
    return "".join(out)


SURVEY_FAIL_ON_ROW = r"^   \| Fail when a job ends \| `wait_for_sync_fail_on` \|.*$"
ROLE_FAIL_ON_ROW = r"^\| `wait_for_sync_fail_on` \|.*$"
ROWS: Dict[str, Tuple[str, ...]] = {"README.md": (SURVEY_FAIL_ON_ROW,), "roles/wait_for_sync/README.md": (ROLE_FAIL_ON_ROW,)}
"""The table rows ``rewrite`` writes by their content (a table cannot hold a marker), per file."""


def _readme(text: str) -> str:
    def row(match: re.Match[str]) -> str:
        names = list(CLOUDS)
        cells = ["`ciphertrust.cckm.%s_sync_job_info`" % names[0]]
        cells += ["`%s_…`" % name for name in names[1:-1]]
        cells += ["`%s_sync_job_info`" % names[-1]] if len(names) > 1 else []
        return "| " + ", ".join(cells) + " |" + match.group(1)

    new, count = re.subn(r"^\| `ciphertrust\.cckm\.[a-z0-9]+_sync_job_info`[^|]* \|(.*)$", row, text, flags=re.M)
    if count != 1:
        raise PlaceError("README.md: expected one module-table row of the info modules, found %d" % count)
    survey = "   | Fail when a job ends | `wait_for_sync_fail_on` | multiselect | `%s` |" % ", ".join(DEFAULT_FAIL_ON)
    new, count = re.subn(SURVEY_FAIL_ON_ROW, lambda _match: survey, new, flags=re.M)
    if count != 1:
        raise PlaceError("README.md: expected one survey row of wait_for_sync_fail_on, found %d" % count)
    return new


def _survey(text: str) -> str:
    spec = json.loads(text)
    questions = {q["variable"]: q for q in spec["spec"]}
    questions["wait_for_sync_cloud"]["choices"] = _names()
    questions["wait_for_sync_fail_on"]["choices"] = list(FAIL_ON_CHOICES)
    questions["wait_for_sync_fail_on"]["default"] = "\n".join(DEFAULT_FAIL_ON)  # a multiselect's default: one a line
    return json.dumps(spec, indent=2) + "\n"


def _role_readme(text: str) -> str:
    extra = [state for state in FAIL_ON_CHOICES if state not in DEFAULT_FAIL_ON]
    row = (
        "| `wait_for_sync_fail_on` | `%s` | final states that fail the role, of %s; add %s to fail on completed-with-errors |"
        % (
            _yaml_list(DEFAULT_FAIL_ON),
            ", ".join("`%s`" % state for state in FAIL_ON_CHOICES),
            " and ".join("`%s`" % state for state in extra),
        )
    )
    new, count = re.subn(ROLE_FAIL_ON_ROW, lambda _match: row, text, flags=re.M)
    if count != 1:
        raise PlaceError("roles/wait_for_sync/README.md: expected one row of wait_for_sync_fail_on, found %d" % count)
    return new


def rewrite(path: str, text: str) -> str:
    """``text`` (the file at ``path``, relative to the root) with every place written from CLOUDS."""
    if path == "README.md":
        return _inline(path, _readme(text))
    if path == "docs/awx/survey_spec.json":
        return _survey(text)
    if path == "roles/wait_for_sync/README.md":
        return _inline(path, _role_readme(text))
    return _marked(path, text)


def differing(root: str = ROOT) -> List[str]:
    """Relative paths whose places differ from what CLOUDS makes."""
    out = []
    for path in FILES:
        with open(os.path.join(root, path), encoding="utf-8") as handle:
            text = handle.read()
        if rewrite(path, text) != text:
            out.append(path)
    return out


def write(root: str = ROOT) -> List[str]:
    """Rewrite every differing file under ``root``; returns the paths written."""
    written = differing(root)
    for path in written:
        full = os.path.join(root, path)
        with open(full, encoding="utf-8") as handle:
            text = handle.read()
        with open(full, "w", encoding="utf-8") as handle:
            handle.write(rewrite(path, text))
    return written
