"""Bad input through ansible-playbook, as a user meets it: a sample of the in-process matrix (tests/modules).

Every module gets its first cases in one playbook, the arguments templated from a loop as a
playbook or an AWX survey hands them over; the simulator must see no request at all.
"""

from __future__ import annotations

from tests.integration.helpers import playbook, task
from tests.modules.test_bad_input import MODULES, names_option

# The controller side of this path differs between ansible-core versions: make test runs it on the newest too.
# the module side is the same on every core (make test-matrix runs it on each); 2.21 runs the role and the examples

SAMPLE = 2  # cases per module through the real path; the whole matrix runs in-process


def test_a_sample_of_bad_input_fails_in_a_real_playbook_naming_the_option(sim, ansible):
    tasks = []
    for module, cases in sorted(MODULES.items()):
        payload = [{"what": what, "args": args} for what, args, _option in cases[:SAMPLE]]
        tasks.append(
            task(
                "bad input to " + module,
                "ciphertrust.cckm." + module,
                "{{ item.args }}",
                loop=payload,
                loop_control={"label": "{{ item.what }}"},
                ignore_errors=True,
            )
        )
    run = ansible.playbook(playbook(*tasks))
    assert "Traceback" not in run.output
    problems = []
    for module, cases in sorted(MODULES.items()):
        results = run.item_results("bad input to " + module)
        assert len(results) == len(cases[:SAMPLE])
        for (what, _args, option), result in zip(cases, results):
            message = str(result.get("msg", ""))
            if not result["failed"] or not names_option(message, option):
                problems.append("%s %s: %r" % (module, what, message))
    assert not problems, "\n".join(problems)
    assert sim.stats().get("requests", 0) == 0, "bad input reached CM"
    for secret in sim.secrets_issued():
        assert secret not in run.output


def test_http_works_only_when_allowed_and_then_warns(ansible, tmp_path):
    from tests.simulator import Simulator

    with Simulator(tls=False) as plain:
        plain.add_job("aws")
        env = {"CM_ADDRESS": "http://" + plain.address, "CM_PASSWORD": plain.password, "CM_USERNAME": plain.username}
        refused = ansible.adhoc("ciphertrust.cckm.aws_sync_job_info", "", **env)
        assert refused.rc != 0 and "allow_http: true" in refused.output
        assert plain.stats().get("requests", 0) == 0
        allowed = ansible.adhoc("ciphertrust.cckm.aws_sync_job_info", "allow_http=true", **env)
        assert allowed.rc == 0, allowed.output
        assert "unencrypted" in allowed.output and '"total": 1' in allowed.output
