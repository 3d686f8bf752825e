"""Print the fault matrix that `make test-faults` recorded: outcome and requests CM saw, per phase."""

import json
import sys


def main(path: str) -> None:
    rows = {}
    with open(path) as handle:
        for line in handle:
            entry = json.loads(line)
            rows.setdefault(entry["fault"], {})[entry["phase"]] = entry
    print("| Fault | Info call | Requests | Wait | Requests |")
    print("|---|---|---|---|---|")
    for fault, phases in rows.items():
        cells = []
        for phase in ("info", "wait"):
            entry = phases.get(phase)
            cells += [entry["outcome"], str(entry["requests"])] if entry else ["-", "-"]
        print("| %s | %s |" % (fault, " | ".join(cells)))


if __name__ == "__main__":
    main(sys.argv[1])
