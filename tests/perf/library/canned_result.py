# Benchmark-only module: prints a result read from a file, so that what ansible-core charges to
# carry a large result (decode, callbacks, printing) is measured apart from fetching it.
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import json

from ansible.module_utils.basic import AnsibleModule


def main() -> None:
    module = AnsibleModule(argument_spec={"path": {"type": "path", "required": True}})
    with open(module.params["path"]) as source:
        result = json.load(source)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
