"""A write is sent again only after looking at CM showed it had not happened."""

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._writes.looking_first import write_looking_first


class Script:
    """``send`` raises the scripted errors in turn, then answers; ``look`` answers from its own script."""

    def __init__(self, failures, looks):
        self.failures = list(failures)
        self.looks = list(looks)
        self.sent = 0
        self.looked = 0

    def send(self):
        self.sent += 1
        if self.failures:
            raise self.failures.pop(0)
        return {"answer": self.sent}

    def look(self):
        self.looked += 1
        return self.looks.pop(0) if self.looks else None


def lost():
    return CckmError("connection dropped", retryable=True)


def test_a_lost_answer_whose_write_happened_is_adopted_without_sending_again():
    script = Script([lost()], [{"created": True}])
    assert write_looking_first(script.send, script.look, "create x", sleep=lambda s: None) == {"created": True}
    assert (script.sent, script.looked) == (1, 1)


def test_a_write_that_did_not_happen_is_sent_again_after_looking():
    script = Script([lost(), CckmError("HTTP 503", status=503, retryable=True)], [None] * 6)
    pauses = []
    assert write_looking_first(script.send, script.look, "create x", sleep=pauses.append) == {"answer": 3}
    assert (script.sent, script.looked) == (3, 6) and pauses == [1.0, 2.0, 1.0, 2.0], "looked at once, 1 s and 3 s after"


def test_a_write_another_node_learns_of_late_is_found_by_a_later_look_and_not_sent_again():
    script = Script([lost()], [None, {"found": True}])
    pauses = []
    assert write_looking_first(script.send, script.look, "create x", sleep=pauses.append) == {"found": True}
    assert (script.sent, script.looked) == (1, 2) and pauses == [1.0]


def test_a_refusal_is_raised_at_once_and_nothing_is_looked_at():
    script = Script([CckmError("HTTP 409", status=409)], [])
    with pytest.raises(CckmError):
        write_looking_first(script.send, script.look, "create x", sleep=lambda s: None)
    assert (script.sent, script.looked) == (1, 0)


def test_three_failures_give_up_saying_nothing_changed():
    script = Script([lost(), lost(), lost()], [])
    with pytest.raises(CckmError) as caught:
        write_looking_first(script.send, script.look, "create x", sleep=lambda s: None)
    assert script.sent == 3 and "after 3 attempts" in caught.value.message and "nothing was changed" in caught.value.message


def test_a_timeout_gives_cm_time_before_looking():
    pauses = []
    script = Script([CckmError("timed out", retryable=True, timed_out=True)], [{"done": 1}])
    write_looking_first(script.send, script.look, "create x", request_timeout=5.0, sleep=pauses.append)
    assert pauses == [10.0]
