"""The test recorder reads outcomes through the callback interface, the same on every ansible-core."""

from __future__ import annotations

import subprocess

import pytest

from tests.integration.conftest import Run

# The controller side of this path differs between ansible-core versions: make test runs it on the newest too.
pytestmark = pytest.mark.every_core

LOOP = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: looped
      ansible.builtin.fail:
        msg: "item {{ item }} refused"
      when: item != 2
      failed_when: item == 1
      loop: [1, 2, 3]
      ignore_errors: true
    - name: not looped
      ansible.builtin.debug:
        msg: once
"""


def test_each_loop_item_has_the_outcome_its_callback_reported(ansible):
    run = ansible.playbook(LOOP)
    assert run.rc == 0, run.output
    items = run.item_results("looped")
    # 1 fails, 2 is skipped by `when`, 3 "fails" the module but failed_when says it did not.
    assert [(item["item"], item["failed"]) for item in items] == [(1, True), (2, False), (3, False)]
    assert run.status("looped") == "failed"
    assert items[0]["msg"] == "item 1 refused"


def test_reading_items_of_a_task_that_did_not_loop_fails_loudly(ansible):
    run = ansible.playbook(LOOP)
    with pytest.raises(AssertionError, match="did not loop"):
        run.item_results("not looped")


def test_a_result_without_item_callbacks_is_never_read_as_success():
    proc = subprocess.CompletedProcess([], 0, "", "")
    looped_without_items = {"task": "t", "status": "ok", "result": {"results": [{"msg": "x"}]}}
    with pytest.raises(AssertionError, match="did not loop"):
        Run(proc, [looped_without_items]).item_results("t")
    fewer = dict(looped_without_items, items=[])
    with pytest.raises(AssertionError, match="0 item callbacks for 1 results"):
        Run(proc, [fewer]).item_results("t")
