"""The action plugin's progress thread: a module call that raises is reported, not lost."""

from ansible.errors import AnsibleError

from ansible_collections.ciphertrust.cckm.plugins.action.sync_job_wait import ActionModule


def action_whose_module_call(outcome):
    action = ActionModule.__new__(ActionModule)  # only _wait_with_progress runs: no task or connection needed

    def execute_module(module_args=None, task_vars=None):
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    action._execute_module = execute_module
    return action


def test_an_exception_in_the_worker_is_the_tasks_failure_with_its_type_and_no_secret():
    action = action_whose_module_call(AnsibleError("failed to transfer module, password was Sekret-Pw-1"))
    result = action._wait_with_progress({"cloud": "aws", "password": "Sekret-Pw-1"}, {}, 0.05)
    assert result["failed"] is True
    assert result["msg"].startswith("sync_job_wait: running the module on the controller failed with AnsibleError: ")
    assert "failed to transfer module" in result["msg"] and "Sekret-Pw-1" not in result["msg"]


def test_the_module_result_passes_through():
    action = action_whose_module_call({"changed": False, "polls": 3})
    assert action._wait_with_progress({"cloud": "aws"}, {"inventory_hostname": "h"}, 0.05) == {"changed": False, "polls": 3}
