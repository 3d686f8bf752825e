"""Run the CipherTrust Manager simulator standalone (what `make simulator` runs).

    python -m tests.simulator --port 8443 --seed fleet --env-file /tmp/cm.env

Prints the address and the ``export`` lines that point ``ansible`` and ``ansible-playbook`` at it from another
shell (CM_*, and the PATH and ANSIBLE_COLLECTIONS_PATH of this project's virtualenv and collection); fires due
schedules as CM's scheduler does; stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import errno
import os
import shlex
import signal
import sys
import threading
from typing import Dict, List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
COLLECTIONS = os.path.join(ROOT, ".build", "collections")
SEEDS = {
    "none": "no jobs",
    "demo": "a few finished jobs a scope in every state, and one running for --running-for seconds",
    "fleet": "every sync_status verdict in every scope under real-looking names, hour-long jobs running in aws keys, azure"
    " secrets, google and sap, a cancelled and a failed job a scope, a nightly schedule (make simulator's default)",
}


def parse(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.simulator",
        description=__doc__.splitlines()[0],
        epilog="seeds: " + "; ".join("%s: %s" % item for item in SEEDS.items()),
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--seed", choices=list(SEEDS), default="none", help="sample data to load (below)")
    parser.add_argument("--many", type=int, default=0, help="also load this many finished AWS jobs")
    parser.add_argument("--running-for", type=float, default=6.0, help="seconds the demo seed's running jobs take")
    parser.add_argument("--jwt-lifetime", type=float, default=300.0, help="seconds a JWT lives")
    parser.add_argument("--max-limit", type=int, default=1000, help="largest page the server returns")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=None, help="default: a random one, printed")
    parser.add_argument("--env-file", help="write the export lines to this file instead of printing them")
    parser.add_argument(
        "--no-fire", action="store_true", help="do not run schedules when their run_at comes (CM's scheduler does)"
    )
    return parser.parse_args(argv)


def exports(env: Dict[str, str]) -> str:
    """Shell lines a second shell sources: CM_*, then the virtualenv's ansible first on PATH, and the collection."""
    lines = ["export %s=%s\n" % (name, shlex.quote(value)) for name, value in env.items()]
    lines.append('export PATH=%s:"$PATH"\n' % shlex.quote(os.path.dirname(sys.executable)))
    if os.path.isdir(COLLECTIONS):  # `make collection` links the work tree there (make simulator does)
        lines.append("export ANSIBLE_COLLECTIONS_PATH=%s\n" % shlex.quote(COLLECTIONS))
    return "".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse(argv)
    try:
        from tests.simulator.seed import seed_demo, seed_many, seed_showcase
        from tests.simulator.server import Simulator
    except ImportError as error:
        sys.stderr.write(
            "python -m tests.simulator: %s. The simulator runs in the project's virtualenv: `make simulator` builds it and"
            " starts the simulator (make simulator ARGS='--port 9443' passes options).\n" % error
        )
        return 2
    try:
        sim = Simulator(
            port=args.port,
            username=args.username,
            password=args.password,
            jwt_lifetime=args.jwt_lifetime,
            max_limit=args.max_limit,
        )
        sim.start()
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        sys.stderr.write(
            "python -m tests.simulator: port %d on 127.0.0.1 is in use (another simulator?). Stop it, or choose another"
            " port: make simulator ARGS='--port 9443' (--port 0: any free port).\n" % args.port
        )
        return 2
    sim.scheduler.settings.fire = not args.no_fire
    if args.seed == "demo":
        seed_demo(sim, running_for=args.running_for)
    elif args.seed == "fleet":
        seed_showcase(sim)
    if args.many:
        seed_many(sim, "aws", args.many)
    env = {"CM_ADDRESS": sim.address, "CM_USERNAME": sim.username, "CM_PASSWORD": sim.password, "CM_CA_CERT": sim.ca_file}
    lines = exports(env)
    if args.env_file:
        with open(args.env_file, "w") as handle:
            handle.write(lines)
    print("CipherTrust Manager simulator listening on https://%s (seed: %s)" % (sim.address, args.seed), flush=True)
    print("CA file: %s" % sim.ca_file, flush=True)
    if args.env_file:
        print("In another shell: . %s" % shlex.quote(args.env_file), flush=True)
    else:
        print("In another shell, point ansible at it with:\n%s" % lines, end="", flush=True)
    if args.seed == "fleet":
        print(
            "Then try: ansible localhost -m ciphertrust.cckm.sync_status -a 'max_age=24h'   (README.md, 'Ad hoc', has more)",
            flush=True,
        )
    print("Ctrl-C stops it.", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
