"""Reuse decisions and the never-two-jobs start over a fake CM: every CM answer the API pages allow."""

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._clouds import CLOUDS
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.cancel import cancel
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.start import StartRequest, covers, start_or_reuse
from ansible_collections.ciphertrust.cckm.tests.unit.plugins.module_utils.fake_cm import FakeCM, job

AWS = CLOUDS["aws"]


def request(targets=("kms-a",), regions=(), synchronize_all=False, cloud=AWS, scope="keys"):
    return StartRequest(cloud, scope, list(targets), list(regions), synchronize_all)


@pytest.mark.parametrize(
    "fields, asked, covered",
    [
        ({"kms": ["kms-a", "kms-b"]}, request(["kms-a"]), True),
        ({"kms": ["kms-b"]}, request(["kms-a"]), False),
        ({"kms": []}, request(["kms-a"]), True),  # a job of everything covers any target
        ({"kms": [], "synchronize_all": True}, request([], synchronize_all=True), True),
        ({"kms": ["kms-a"]}, request([], synchronize_all=True), False),
        ({"kms": ["kms-a"], "regions": ["us-east-1"]}, request(["kms-a"]), False),  # the request wants every region
        ({"kms": ["kms-a"], "regions": ["us-east-1", "eu-west-1"]}, request(["kms-a"], ["eu-west-1"]), True),
        ({"kms": ["kms-a"]}, request(["kms-a"], ["eu-west-1"]), True),  # no regions: every region
    ],
)
def test_covers(fields, asked, covered):
    assert covers(job("1", "in_progress", **fields), asked) is covered


def test_salesforce_targets_are_read_under_kms_too():
    sfdc = CLOUDS["sfdc"]
    assert covers(job("1", "in_progress", kms=["org1"]), request(["org1"], cloud=sfdc))
    assert request(["org1"], cloud=sfdc).body() == {"organization_ids": ["org1"]}


class StartingCM(FakeCM):
    """A fake CM whose POST answers are scripted: a job, an error, or an error after starting the job."""

    def __init__(self, jobs, answers):
        super().__init__(jobs)
        self.answers = list(answers)
        self.posts = []

    def post(self, path, body=None):
        self.posts.append((path, body))
        answer = self.answers.pop(0)
        if answer == "start":
            started = job("new%d" % len(self.posts), "in_progress", created="2027", kms=body.get("kms", []))
            self.jobs.insert(0, started)
            return dict(started)
        if isinstance(answer, tuple):  # (error, started first?)
            error, acted = answer
            if acted:
                self.jobs.insert(0, job("lost%d" % len(self.posts), "in_progress", created="2027", kms=body.get("kms", [])))
            raise error
        return answer


LOST = CckmError("Connection to cm failed", retryable=True)
REFUSED = CckmError("HTTP 409", status=409)


def test_a_covering_running_job_is_reused_without_a_post():
    cm = StartingCM([job("run", "in progress", kms=["kms-a"])], [])
    outcome = start_or_reuse(cm, request(), sleep=lambda s: None)
    assert (outcome.job["id"], outcome.changed, outcome.reused, cm.posts) == ("run", False, True, [])


def test_check_mode_says_a_job_would_start_and_posts_nothing():
    cm = StartingCM([], [])
    assert start_or_reuse(cm, request(), check_mode=True).changed is True and cm.posts == []


def test_a_lost_answer_after_cm_started_the_job_adopts_it_and_posts_once():
    cm = StartingCM([], [(LOST, True)])
    outcome = start_or_reuse(cm, request(), sleep=lambda s: None)
    assert outcome.job["id"] == "lost1" and outcome.changed is True and len(cm.posts) == 1


def test_a_failure_that_started_nothing_is_sent_again_after_looking():
    cm = StartingCM([], [(LOST, False), (CckmError("HTTP 503", status=503, retryable=True), False), "start"])
    pauses = []
    outcome = start_or_reuse(cm, request(), sleep=pauses.append)
    # after each failure the running jobs are listed at once and 1 and 2 s later (a cluster's node may learn late)
    assert outcome.job["id"] == "new3" and len(cm.posts) == 3 and pauses == [1.0, 2.0, 1.0, 2.0]
    assert len([j for j in cm.jobs if j["overall_status"] == "in_progress"]) == 1, "exactly one job"


def test_a_refusal_with_a_covering_job_reuses_it_and_another_running_job_is_named():
    cm = StartingCM([], [(REFUSED, False)])
    cm.jobs.insert(0, job("other", "in_progress", kms=["kms-z"]))
    with pytest.raises(CckmError) as info:
        start_or_reuse(cm, request(), sleep=lambda s: None)
    assert "other (kms=kms-z" in info.value.message and "sync_job_wait with cloud=aws scope=keys id=other" in info.value.message
    assert info.value.status == 409 and len(cm.posts) == 1, "a refusal is not sent again"


def test_a_refusal_with_nothing_running_is_cms_own_error():
    cm = StartingCM([], [(CckmError("HTTP 400 bad kms", status=400), False)])
    with pytest.raises(CckmError) as info:
        start_or_reuse(cm, request(), sleep=lambda s: None)
    assert info.value.message == "HTTP 400 bad kms"


def test_cancel_skips_finished_jobs_and_looks_before_resending_a_lost_cancel():
    class CancellingCM(FakeCM):
        def __init__(self, jobs):
            super().__init__(jobs)
            self.cancels = []

        def post(self, path, body=None):
            self.cancels.append(path)
            job_id = path.split("/")[-2]
            target = next(j for j in self.jobs if j["id"] == job_id)
            target["abort"] = True
            if len(self.cancels) == 1:
                raise LOST  # CM acted, the answer was lost
            return dict(target)

    cm = CancellingCM([job("a", "in_progress"), job("b", "completed"), job("c", "in_progress")])
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job

    latest, cancelled = cancel(cm, AWS, "keys", [normalize_job(dict(j)) for j in cm.jobs], sleep=lambda s: None)
    assert sorted(cancelled) == ["a", "c"] and len(cm.cancels) == 2, "the lost cancel was looked at, not resent"
    assert {j["id"]: j.get("abort") for j in latest} == {"c": True, "b": None, "a": True}


def test_a_job_already_being_cancelled_is_not_cancelled_again():
    class CountingCM(FakeCM):
        posts = []

        def post(self, path, body=None):
            self.posts.append(path)
            raise AssertionError("no cancel may be sent")

    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job

    cm = CountingCM([job("a", "in_progress", abort=True)])
    latest, cancelled = cancel(cm, AWS, "keys", [normalize_job(dict(j)) for j in cm.jobs])
    assert cancelled == [] and cm.posts == [] and latest[0]["abort"] is True


def test_a_cancel_refused_for_a_job_that_ended_meanwhile_is_not_a_failure_but_one_still_running_is():
    class RefusingCM(FakeCM):
        def post(self, path, body=None):
            job_id = path.split("/")[-2]
            self.set_status(job_id, "completed") if job_id == "ended" else None
            raise CckmError("HTTP 400 not in progress", status=400)

    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job

    cm = RefusingCM([job("ended", "in_progress"), job("runs", "in_progress")])
    latest, cancelled = cancel(cm, AWS, "keys", [normalize_job(dict(cm.jobs[1]))], sleep=lambda s: None)
    assert cancelled == [] and latest[0]["state"] == "succeeded", "it ended by itself: nothing was cancelled"
    with pytest.raises(CckmError) as info:
        cancel(cm, AWS, "keys", [normalize_job(dict(cm.jobs[0]))], sleep=lambda s: None)
    assert info.value.message.startswith("CipherTrust Manager refused to cancel aws keys synchronization job runs (HTTP 400")


def test_a_cancel_whose_answers_are_all_lost_is_sent_at_most_three_times_each_after_a_look():
    class LosingCM(FakeCM):
        posts = 0

        def post(self, path, body=None):
            self.posts += 1
            raise LOST  # CM never got it: the job runs on without abort

    from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job

    cm = LosingCM([job("a", "in_progress")])
    with pytest.raises(CckmError) as info:
        cancel(cm, AWS, "keys", [normalize_job(dict(cm.jobs[0]))], sleep=lambda s: None)
    assert cm.posts == 3 and cm.gets == ["a"] * 9, "three looks after each send"
    assert "Gave up on trying to cancel aws keys synchronization job a after 3 attempts" in info.value.message


def test_who_started_a_job_says_nothing_when_check_mode_started_none():
    from ansible_collections.ciphertrust.cckm.plugins.module_utils._mains.sync_job import started_or_reused

    assert started_or_reused(None, False) == ""
    assert started_or_reused({"id": "j1"}, True).startswith("This task started no job: it reused job j1")
    assert started_or_reused({"id": "j1"}, False) == "This task started job j1."
