"""Run the CipherTrust Manager simulator standalone.

    python -m tests.simulator --port 8443 --seed demo --env-file /tmp/cm.env

Prints the address and the ``export CM_...`` lines that point ``ansible`` and ``ansible-playbook`` at it
(paste them into another shell); fires due schedules as CM's scheduler does; stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading

from tests.simulator.seed import seed_demo, seed_many
from tests.simulator.server import Simulator


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.simulator", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--seed", choices=["none", "demo"], default="none", help="sample jobs to load")
    parser.add_argument("--many", type=int, default=0, help="also load this many finished AWS jobs")
    parser.add_argument("--running-for", type=float, default=6.0, help="seconds the demo's running jobs take")
    parser.add_argument("--jwt-lifetime", type=float, default=300.0, help="seconds a JWT lives")
    parser.add_argument("--max-limit", type=int, default=1000, help="largest page the server returns")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=None, help="default: a random one, printed")
    parser.add_argument("--env-file", help="write CM_* variables for clients to this file")
    parser.add_argument(
        "--no-fire", action="store_true", help="do not run schedules when their run_at comes (CM's scheduler does)"
    )
    args = parser.parse_args(argv)

    sim = Simulator(
        port=args.port, username=args.username, password=args.password, jwt_lifetime=args.jwt_lifetime, max_limit=args.max_limit
    )
    sim.start()
    sim.scheduler.settings.fire = not args.no_fire
    if args.seed == "demo":
        seed_demo(sim, running_for=args.running_for)
    if args.many:
        seed_many(sim, "aws", args.many)
    env = {"CM_ADDRESS": sim.address, "CM_USERNAME": sim.username, "CM_PASSWORD": sim.password, "CM_CA_CERT": sim.ca_file}
    exports = "".join("export %s=%s\n" % (name, shlex.quote(value)) for name, value in env.items())
    if args.env_file:
        with open(args.env_file, "w") as handle:
            handle.write(exports)
    print("CipherTrust Manager simulator listening on https://%s" % sim.address, flush=True)
    print("CA file: %s" % sim.ca_file, flush=True)
    if not args.env_file:
        print("In another shell, point ansible at it with:\n%s" % exports, end="", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    sim.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
