# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``ciphertrust.cckm.sync_filters`` filter: a scope-filter answer, as a playbook or an AWX survey gives it,
turned into sync_job_wait's filter options (documentation in sync_filters.yml)."""

import json

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import FILTER_OPTIONS, TARGET_OPTIONS

EXAMPLE = 'a mapping such as {kms: [kms-prod]}, JSON text such as {"kms": ["kms-prod"]}, or text such as kms=kms-prod,kms-dr'


def _values(value):
    items = value if isinstance(value, (list, tuple)) else to_text(value).split(",")
    return [to_text(item).strip() for item in items if to_text(item).strip()]


def _parse(answer, allowed):
    """(filters, error): the filters as a dict of lists, or the reason the answer is not one."""
    if answer is None or (isinstance(answer, str) and not answer.strip()):
        return {}, ""
    if isinstance(answer, str):
        text = answer.strip()
        if text.startswith("{"):
            try:
                answer = json.loads(text)
            except ValueError as error:
                return {}, "is not valid JSON (%s); give %s" % (error, EXAMPLE)
        else:
            words = text.replace(";", " ").split()
            malformed = [word for word in words if "=" not in word or not word.split("=", 1)[1]]
            if malformed:
                return {}, "has %s, which is not key=value; give %s" % (", ".join(repr(word) for word in malformed), EXAMPLE)
            answer = dict(word.split("=", 1) for word in words)
    if not isinstance(answer, dict):
        return {}, "must be %s, got a %s" % (EXAMPLE, type(answer).__name__)
    unknown = sorted(set(answer) - set(allowed))
    if unknown:
        return {}, "has %s, which is not a scope filter; the filters are %s" % (", ".join(map(repr, unknown)), ", ".join(allowed))
    filters = {key: _values(value) for key, value in answer.items()}
    empty = sorted(key for key, values in filters.items() if not values)
    if empty:
        return {}, "gives %s no value; list names or ids, e.g. %s=name1,name2" % (", ".join(empty), empty[0])
    return filters, ""


def sync_filters(answer, targets=False):
    """``{"filters": {option: [values]}, "error": ""}``, or an empty ``filters`` and the ``error``.

    ``targets``: read sync_job's targets (``regions`` and ``partitions`` too) instead of the wait's filters.
    """
    filters, error = _parse(answer, TARGET_OPTIONS if targets else FILTER_OPTIONS)
    return {"filters": filters, "error": error}


class FilterModule:
    def filters(self):
        return {"sync_filters": sync_filters}
