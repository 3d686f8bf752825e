"""The waiter on scripted sequences of job states, with a fake clock: no real time passes."""

import itertools

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.query import JobQuery
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import wait_for_jobs
from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.wait import timeout_message


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def script(*steps):
    """A poll function returning (or raising) each step in turn, repeating the last."""
    steps = list(steps)

    def poll():
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if isinstance(step, Exception):
            raise step
        return [normalize_job(dict(job)) for job in step]

    return poll


RUNNING = [{"id": "a", "overall_status": "in progress"}]
DONE = [{"id": "a", "overall_status": "completed"}]


def wait(poll, fake, timeout=60, interval=2, maximum=2):
    return wait_for_jobs(
        poll,
        timeout,
        interval,
        maximum,
        clock=fake.clock,
        sleep=fake.sleep,
        delays=itertools.repeat(interval) if interval == maximum else None,
    )


def test_returns_at_first_poll_when_nothing_runs():
    fake = FakeTime()
    outcome = wait(script(DONE), fake)
    assert (outcome.polls, outcome.elapsed, outcome.timed_out, fake.sleeps) == (1, 0, False, [])


def test_polls_until_finished():
    fake = FakeTime()
    outcome = wait(script(RUNNING, RUNNING, RUNNING, DONE), fake)
    assert outcome.polls == 4 and outcome.elapsed == 6 and outcome.jobs[0]["state"] == "succeeded"


def test_unknown_state_is_not_finished():
    fake = FakeTime()
    outcome = wait(script([{"id": "a", "overall_status": "paused"}], DONE), fake)
    assert outcome.polls == 2


def test_timeout_carries_last_state_and_last_pause_is_cut_to_the_deadline():
    fake = FakeTime()
    outcome = wait(script(RUNNING), fake, timeout=5, interval=2)
    assert outcome.timed_out and outcome.jobs[0]["state"] == "in_progress"
    assert fake.sleeps == [2, 2, 1] and outcome.elapsed == 5 and outcome.polls == 4


def test_transient_errors_do_not_end_the_wait_and_the_last_is_kept():
    fake = FakeTime()
    boom = CckmError("HTTP 503", status=503, retryable=True)
    outcome = wait(script(RUNNING, boom, CckmError("refused", retryable=True), DONE), fake)
    assert not outcome.timed_out and outcome.transient_errors == 2 and outcome.last_error.message == "refused"


def test_timeout_during_errors_reports_the_error():
    fake = FakeTime()
    outcome = wait(script(CckmError("HTTP 502", status=502, retryable=True)), fake, timeout=4)
    assert outcome.timed_out and outcome.jobs == [] and outcome.last_error.status == 502


@pytest.mark.parametrize("status", [401, 403, 404])
def test_other_errors_end_the_wait(status):
    with pytest.raises(CckmError):
        wait(script(RUNNING, CckmError("no", status=status)), FakeTime())


def test_pauses_grow_to_the_maximum_but_never_past_a_tenth_of_the_time_waited():
    fake = FakeTime()
    wait_for_jobs(script(RUNNING), 3600, 2, 30, clock=fake.clock, sleep=fake.sleep)
    waited = 0.0
    for pause in fake.sleeps[:-1]:  # the last one is cut to the deadline
        assert 2 * 0.8 - 1e-9 <= pause <= max(2, waited / 10) + 1e-9 and pause <= 30
        waited += pause
    assert fake.sleeps[:3] == pytest.approx([2, 2, 2], abs=0.5), "short jobs are polled every poll_interval"
    assert max(fake.sleeps) <= 30 and max(fake.sleeps) >= 30 * 0.8, "an hour-long wait reaches max_poll_interval"
    assert sum(fake.sleeps) == pytest.approx(3600)
    late = [p for p, w in zip(fake.sleeps, itertools.accumulate(fake.sleeps)) if w > 600]
    assert 60 / (sum(late) / len(late)) <= 2.5, "about two requests a minute once the wait is long"


@pytest.mark.parametrize("job_seconds", [15, 70, 600])
def test_a_job_is_seen_to_end_within_a_tenth_of_its_run_or_poll_interval(job_seconds):
    fake = FakeTime()
    start = fake.now

    def poll():
        return [normalize_job({"id": "a", "overall_status": "completed" if fake.now - start >= job_seconds else "in_progress"})]

    outcome = wait_for_jobs(poll, 3600, 2, 30, clock=fake.clock, sleep=fake.sleep)
    assert job_seconds <= outcome.elapsed <= job_seconds + max(2, job_seconds * 0.1) + 1e-9


# -- what a timeout says (sync_job_wait's and sync_job's message) -----------------------------------


def timed_out(poll, query):
    return timeout_message(wait(poll, FakeTime(), timeout=4), query)


def test_a_timeout_says_the_jobs_keep_running_and_how_to_cancel_or_wait_again():
    message = timed_out(script(RUNNING), JobQuery(CLOUDS["oci"], ids=["a"]))
    assert message.startswith(
        "Timed out after 4 s and 3 polls waiting for oci keys synchronization: still running: a (in_progress)."
    )
    assert "A wait's timeout does not cancel a job: job a keeps running on CipherTrust Manager." in message, message
    assert "To stop it: ciphertrust.cckm.sync_job cloud=oci scope=keys state=cancelled id=a;" in message, message
    assert message.endswith("to see it end, wait again: ciphertrust.cckm.sync_job_wait cloud=oci scope=keys id=a."), message


def test_a_timeout_without_an_answer_still_names_the_jobs_waited_for_and_the_last_error():
    boom = CckmError("HTTP 502", status=502, retryable=True)
    message = timed_out(script(boom), JobQuery(CLOUDS["aws"], ids=["a", "b"]))
    assert "still running: (no answer from CM)." in message, message
    assert "jobs a, b keep running on CipherTrust Manager. To stop them:" in message and "id=a,b;" in message, message
    assert message.endswith(" Last error: HTTP 502"), message
    message = timed_out(script(boom), JobQuery(CLOUDS["aws"]))  # a whole scope: no id known
    assert "whatever runs in the scope keeps running on CipherTrust Manager" in message, message
    assert "state=cancelled id=<its id>" in message, message


def test_a_timeout_over_many_jobs_points_at_the_ids_rather_than_repeating_them():
    many = [{"id": "j%d" % n, "overall_status": "in progress"} for n in range(5)]
    message = timed_out(script(many), JobQuery(CLOUDS["azure"]))
    assert "jobs j0, j1, j2, j3, j4 keep running" in message and message.count("id=<the ids above>") == 2, message


def test_a_timeout_after_a_cancel_says_cm_is_still_stopping_them():
    outcome = wait(script(RUNNING), FakeTime(), timeout=4)
    message = timeout_message(outcome, JobQuery(CLOUDS["aws"], ids=["a"]), "This task asked CM to cancel a.", stopping=True)
    assert "(in_progress). This task asked CM to cancel a. A wait's timeout does not undo the cancel" in message, message
    assert "still stopping job a" in message and "state=cancelled" not in message, message
