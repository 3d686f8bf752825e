"""`make simulator` as a user runs it: the export lines it prints drive a second, fresh shell (no virtualenv, no
collection path of its own), what it holds gives every verdict, due schedules run; a busy port and a Python
without the project's packages get a clear message, not a traceback."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import requests

from tests.integration.conftest import ROOT

# a fresh shell: the system's PATH only, nothing of the test's environment
FRESH = {"HOME": os.environ.get("HOME", "/root"), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}


def test_make_simulator_exports_drive_a_fresh_shell_and_due_schedules_run(tmp_path):
    argv = ["make", "--no-print-directory", "-s", "simulator", "ARGS=--port 0"]
    # as a user's shell runs it: not under `make test`'s flags (its --output-sync would hold the output back)
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    proc = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        printed = []
        ready = threading.Event()

        def read():  # a thread, so that waiting for the lines is bounded in time
            for line in proc.stdout:
                printed.append(line)
                if line.startswith("Ctrl-C stops it"):
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        assert ready.wait(timeout=60), printed
        exports = "".join(line for line in printed if line.startswith("export "))
        assert re.findall(r"^export (\w+)=", exports, re.M) == [
            "CM_ADDRESS",
            "CM_USERNAME",
            "CM_PASSWORD",
            "CM_CA_CERT",
            "PATH",
            "ANSIBLE_COLLECTIONS_PATH",
        ], printed
        (tmp_path / "cm.env").write_text(exports)

        def shell(command):
            script = ". %s && %s" % (tmp_path / "cm.env", command)
            done = subprocess.run(["bash", "-c", script], env=FRESH, capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
            return done.stdout

        def adhoc(module, args):
            out = shell("ansible localhost -m ciphertrust.cckm.%s -a %s" % (module, args))
            return json.loads(out[out.index("{") :])

        assert shell("ansible --version").startswith("ansible [core ")
        fleet = adhoc("sync_status", "max_age=24h")  # what make simulator holds: every verdict
        assert {verdict for verdict, count in fleet["counts"].items() if count} == {"ok", "failing", "stale", "never", "running"}
        assert adhoc("aws_sync_job_info", "overall_status=in_progress")["sync_jobs"], "a job runs, for an hour"
        adhoc("sync_schedule", "\"name=every-minute cloud=sap groups=group-hr run_at='* * * * *'\"")
        # CM's scheduler fires a due schedule; the simulator started this way does too, from the next minute
        # on. Its clock is moved a minute ahead (POST /_sim/advance) instead of waiting for that minute.
        address = re.search(r"^export CM_ADDRESS=(\S+)", exports, re.M).group(1)
        ca_file = re.search(r"^export CM_CA_CERT=(\S+)", exports, re.M).group(1)
        answer = requests.post("https://%s/_sim/advance" % address, json={"seconds": 61}, verify=ca_file, timeout=10)
        assert answer.status_code == 200, answer.text
        fired = []
        for _poll in range(10):
            fired = adhoc("sync_schedule_info", "name=every-minute")["schedules"][0]["last_runs"]
            if fired:
                break
            time.sleep(0.5)  # the simulator's scheduler ticks every half second
        assert fired and fired[0]["state"] in ("in_progress", "succeeded"), "the due schedule never ran"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=10)
        proc.stdout.close()


def test_a_busy_port_is_a_clear_message():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        argv = [sys.executable, "-m", "tests.simulator", "--port", str(port)]
        done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.startswith("python -m tests.simulator: port %d on 127.0.0.1 is in use" % port), done.stderr
    assert "make simulator ARGS='--port 9443'" in done.stderr


def test_help_and_a_python_without_the_projects_packages():
    # -S: no site-packages, as the system's python3 run from the README would be (no trustme, no requests)
    bare = [sys.executable, "-S", "-m", "tests.simulator"]
    helped = subprocess.run(bare + ["--help"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert helped.returncode == 0 and "--seed {none,demo,fleet}" in helped.stdout, helped.stdout + helped.stderr
    started = subprocess.run(bare + ["--port", "0"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert started.returncode == 2 and "Traceback" not in started.stderr, started.stderr
    assert "No module named" in started.stderr and "`make simulator` builds it" in started.stderr
