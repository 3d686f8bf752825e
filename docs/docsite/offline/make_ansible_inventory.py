"""Write a small Sphinx inventory of the Ansible documentation labels our generated pages link to.

The docsite builds offline (no intersphinx download): this inventory resolves those labels to their
real addresses on docs.ansible.com. Add a label here when the build reports it undefined.
"""

import sys
import zlib

BASE = "https://docs.ansible.com/projects/ansible/devel/"
LABELS = {
    "common_return_values": ("reference_appendices/common_return_values.html#common-return-values", "Return Values"),
    "action_plugins": ("plugins/action.html#action-plugins", "Action plugins"),
    "ansible_configuration_settings": (
        "reference_appendices/config.html#ansible-configuration-settings",
        "Ansible Configuration Settings",
    ),
}


def main(path: str) -> int:
    header = (
        b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
        b"# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join("%s std:label -1 %s %s\n" % (name, uri, title) for name, (uri, title) in sorted(LABELS.items()))
    with open(path, "wb") as handle:
        handle.write(header + zlib.compress(body.encode()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
