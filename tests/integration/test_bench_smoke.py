"""A quick run of the benchmark (make bench) so it cannot rot: real commands, small sizes, 1 repetition.

Timing targets are not judged here (one short repetition on a busy CI machine is noise); what
does not depend on timing is: one login per wait, one request per poll, one login per host,
every listed job returned once, and a report with every scenario and a plot.
"""

import os
import subprocess
import sys

import pytest

from tests.integration.conftest import ROOT

SCENARIOS = [
    "1. wait one",
    "2. list 500 jobs",
    "3. module start-up",
    "4. fan-out, 3 hosts",
    "5. polling load",
    "6. lateness",
    "7. start and wait",
    "8. event source",
    "9. wait on 20 targets",
    "10. sync_status at enterprise scale",
    "11. a wait over a 3-node cluster",
]


@pytest.mark.tools  # matplotlib is in the main virtualenv only
@pytest.mark.bench  # make test runs it in the packaging lane (make bench-smoke), which ends well before the playbook tests
def test_quick_benchmark_run_writes_the_report(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "tests.perf.bench", "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (tmp_path / "performance.md").read_text()
    for scenario in SCENARIOS:
        assert "| " + scenario in page, scenario
    for measure in (
        "above the one-task floor, internal_poll_interval = 0.05",
        "vs a module returning the same result",
        "with summary_only vs the full listing",
        "70 s job: lateness (s), after vs before",
    ):
        assert measure in page, measure
    assert "**no**" not in page
    # requests per poll, judged: flat across 1,000 and 10,000 jobs of history, stuck jobs included
    source = [line for line in page.splitlines() if line.startswith("| 8. event source") and "first poll / each later" in line]
    assert len(source) == 2 and all(line.endswith("| yes |") for line in source), source
    waits = [line for line in page.splitlines() if line.startswith("| 9. wait on 20 targets")]
    assert len(waits) == 6 and all(line.endswith("| yes |") for line in waits), waits  # 2 sizes x 2 filters + 2 flat
    fleet = [line for line in page.splitlines() if line.startswith("| 10. sync_status") and "requests" in line]
    assert len(fleet) == 2 and all(line.endswith("| yes |") for line in fleet), fleet  # within the bound, flat
    sizes = [line for line in page.splitlines() if line.startswith(("| 50 | ", "| 200 | "))]
    assert len(sizes) == 8, sizes  # 2 sizes x 2 or all undecided x 2 histories, every verdict counted
    lateness = [line for line in page.splitlines() if ": lateness (s), after vs before" in line]
    assert len(lateness) == 3 and all(line.endswith("| yes |") for line in lateness), lateness
    for exact in ("| logins | 1 | 1 |  | == 1 | yes |", "| 1 request per poll | yes |", "| 1 per host | yes |"):
        assert exact in page, exact
    with open(os.path.join(str(tmp_path), "performance.png"), "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"
