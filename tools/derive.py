"""Write every file, and every place in a file, that follows from the table of clouds.

    python tools/derive.py          # (re)write what differs (make derive)
    python tools/derive.py --check  # exit 1 naming every file that differs

What it writes: plugins/modules/<cloud>_sync_job_info.py (tools/info_modules.py), and the marked places
that list the clouds in the doc fragments, meta/runtime.yml, galaxy.yml, the role, the event source,
README.md and the AWX survey (tools/places.py). tests/unit/.../test_clouds.py fails when any differs.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tools import (  # noqa: E402
    ROOT,  # noqa: E402
    info_modules,
    places,
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only say which files differ")
    args = parser.parse_args(argv)
    missing_words = sorted(set(info_modules.CLOUDS) - set(info_modules.WORDS))
    if missing_words:
        print("tools/info_modules.py: WORDS has no entry for %s" % ", ".join(missing_words))
        return 1
    try:
        stale = [os.path.relpath(path, ROOT) for path in info_modules.differing()] + places.differing()
    except places.PlaceError as error:
        print("tools/derive.py: %s" % error)
        return 1
    if args.check:
        for path in stale:
            print("%s differs from what the table of clouds makes: run make derive" % path)
        return 1 if stale else 0
    for path in [os.path.relpath(p, ROOT) for p in info_modules.write()] + places.write():
        print("wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
