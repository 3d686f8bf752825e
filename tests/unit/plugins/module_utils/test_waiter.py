"""The waiter on scripted sequences of job states, with a fake clock: no real time passes."""

import itertools

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.waiter import wait_for_jobs


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
