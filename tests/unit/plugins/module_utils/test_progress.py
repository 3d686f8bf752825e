"""The progress snapshot: written by the wait, read and printed by the action plugin, one schema."""

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.progress import (
    Progress,
    plural,
    progress_line,
    read_progress,
    write_progress,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import normalize_job


def test_written_snapshot_reads_back_and_prints_one_line(tmp_path):
    jobs = [normalize_job({"id": "j%d" % i, "overall_status": "in_progress"}) for i in range(7)]
    jobs.append(normalize_job({"id": "done", "overall_status": "completed"}))
    path = str(tmp_path / "progress.json")
    write_progress(path, Progress.of(jobs, 61.26, 1, CckmError("HTTP 503")))
    progress = read_progress(path)
    assert progress.in_progress == ["j%d" % i for i in range(7)] and progress.summary["succeeded"] == 1
    assert progress_line("cm1", "aws", "keys", progress, 61) == (
        "[cm1] waiting for aws keys synchronization: 7 job(s) in progress after 61 s (1 poll): "
        "j0, j1, j2, j3, j4 and 2 more; last error: HTTP 503"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "progress.json"], "no temporary file left behind"


def test_missing_or_half_written_snapshot_is_none(tmp_path):
    assert read_progress(str(tmp_path / "none.json")) is None
    (tmp_path / "bad.json").write_text('{"elapsed": 1')
    assert read_progress(str(tmp_path / "bad.json")) is None
    assert "no answer from CipherTrust Manager after 5 s" in progress_line("h", "sap", "keys", None, 5)


def test_plural():
    assert (plural(1, "poll"), plural(0, "poll"), plural(3, "poll")) == ("1 poll", "0 polls", "3 polls")
