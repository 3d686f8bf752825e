"""Write the benchmark's figures into performance.md (between markers, keeping the hand-written
parts around them) and draw performance.png."""

from __future__ import annotations

import pathlib
import statistics
from typing import Any, Dict, List

START = "<!-- bench:start (written by make bench; edit outside these markers) -->"
END = "<!-- bench:end -->"
NEW_PAGE = "# Performance\n\n%s\n%s\n" % (START, END)


def table(rows: List[Dict[str, Any]]) -> str:
    lines = [
        "| Scenario | Measure | ciphertrust.cckm | Baseline | Ratio | Target | Met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append("| %(scenario)s | %(measure)s | %(ours)s | %(baseline)s | %(ratio)s | %(target)s | " % r + met + " |")
    return "\n".join(lines)


def fleet_table(samples: List[Dict[str, Any]]) -> str:
    """Row 10 at every size: the fleet's requests (and their bound), wall and CPU against one scope's listing."""
    lines = [
        "| Targets a scope | Undecided a scope | Jobs of history | Requests (bound) | Wall (s) | CPU (s) "
        "| One scope's listing: requests, wall (s) | Wall ratio | Verdicts |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in samples:
        verdicts = ", ".join("%d %s" % (count, verdict) for verdict, count in s["verdicts"].items() if count)
        lines.append(
            "| %d | %d | %d | %d (%d) | %.2f | %.2f | %d, %.2f | %.2fx | %s |"
            % (
                s["targets"],
                s["undecided_a_scope"],
                s["history"],
                s["requests"],
                s["bound"],
                s["wall"],
                s["cpu"],
                s["info_requests"],
                s["info_wall"],
                s["wall"] / s["info_wall"],
                verdicts,
            )
        )
    return "\n".join(lines)


def _section(about: Dict[str, Any], rows: List[Dict[str, Any]], settings: Any, fleet: List[Dict[str, Any]]) -> str:
    kind = (
        "quick smoke run (1 repetition, short job, small listing: timing targets not judged)"
        if about["quick"]
        else ("median (min-max) of %d repetitions" % about["repeat"])
    )
    return "\n".join(
        [
            START,
            "",
            "Measured on %(date)s with ansible-core %(ansible_core)s, Python %(python)s, %(machine)s;" % about + " " + kind + ".",
            "Baselines ran in the same run, each repetition back to back with the collection.",
            "",
            table(rows),
            "",
            "Row 10 at every size (%d scopes of 7 clouds, every one that lists its targets; in this one process, the"
            " simulator's CPU included):" % fleet[0]["scopes"],
            "",
            fleet_table(fleet),
            "",
            "![Benchmark figures](performance.png)",
            "",
            "Baselines: 1 and 4, the same playbook on 1 host, and a `uri` login task plus a `uri` + `until` task"
            " polling the job by id every %g s; floors, a one-task `ansible.builtin.ping` playbook and a one-task"
            " `ansible.builtin.wait_for` that sleeps as long as the job runs;"
            " the tuned runs repeat the floor, the wait and the uri loop with `internal_poll_interval = %g` in"
            " ansible.cfg, beside the default ones, against a second simulator;"
            " 2 and 3, `ansible localhost -m ansible.builtin.ping`, a module that only returns the same result"
            " read from a file (tests/perf/library/canned_result.py), and a bare"
            " `requests` loop (tests/perf/bare_listing.py) fetching the same pages; 5, a `uri` + `until` loop with"
            " `delay: %g`." % (settings.interval, settings.tuned_poll_interval, settings.uri_load_delay),
            "",
            END,
        ]
    )


def write(
    out: pathlib.Path,
    about: Dict[str, Any],
    rows: List[Dict[str, Any]],
    waits: Dict[str, list],
    calls: Dict[str, list],
    load: Dict[str, list],
    settings: Any,
    fleet: List[Dict[str, Any]],
) -> None:
    page = out / "performance.md"
    text = page.read_text() if page.exists() else NEW_PAGE
    if START not in text or END not in text:
        text = text.rstrip("\n") + "\n\n" + START + "\n" + END + "\n"
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    page.write_text(before + _section(about, rows, settings, fleet) + after)
    plot(out / "performance.png", about, waits, calls, load, settings)


def _bars(axis: Any, labels: List[str], series: List[List[float]], title: str, unit: str, ours: Any = (-1,)) -> None:
    """Median bars with min-max whiskers; the bars at ``ours`` (the collection's) in blue."""
    medians = [statistics.median(values) for values in series]
    low = [m - min(values) for m, values in zip(medians, series)]
    high = [max(values) - m for m, values in zip(medians, series)]
    colors = ["#9e9e9e"] * len(labels)
    for index in ours:
        colors[index] = "#1565c0"
    axis.bar(labels, medians, yerr=[low, high], capsize=4, color=colors)
    for index, value in enumerate(medians):
        axis.annotate(
            "%.2f" % value, (index, value), ha="center", va="bottom", fontsize=8, xytext=(0, 3), textcoords="offset points"
        )
    axis.set_title(title, fontsize=10)
    axis.set_ylabel(unit)
    axis.tick_params(axis="x", labelsize=8)


def plot(
    path: pathlib.Path,
    about: Dict[str, Any],
    waits: Dict[str, list],
    calls: Dict[str, list],
    load: Dict[str, list],
    settings: Any,
) -> None:
    import matplotlib

    matplotlib.use("Agg")  # no screen, no GUI toolkit
    import matplotlib.pyplot as plt

    def values(samples: List[Dict[str, Any]], key: str) -> List[float]:
        return [sample[key] for sample in samples]

    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    _bars(
        axes[0][0],
        [
            "ping\nfloor",
            "%.0f s\nwait_for" % settings.job_seconds,
            "uri +\nuntil",
            "sync_job\n_wait",
            "uri,\ntuned",
            "wait,\ntuned",
        ],
        [
            values(waits["floor"], "cpu"),
            values(waits["idle_floor"], "cpu"),
            values(waits["uri"], "cpu"),
            values(waits["wait"], "cpu"),
            values(waits["tuned_uri"], "cpu"),
            values(waits["tuned_wait"], "cpu"),
        ],
        "1. Waiting one %.0f s job: CPU (tuned: internal_poll_interval %g)"
        % (settings.job_seconds, settings.tuned_poll_interval),
        "CPU seconds (user + sys)",
        ours=(3, 5),
    )
    _bars(
        axes[0][1],
        ["bare\nrequests", "ping", "info,\n1 job", "same result,\ncanned", "info,\n%d jobs" % settings.listing_jobs],
        [
            values(calls["bare"], "wall"),
            values(calls["ping"], "wall"),
            values(calls["info_one"], "wall"),
            values(calls["carry"], "wall"),
            values(calls["info_all"], "wall"),
        ],
        "2 + 3. Ad hoc calls: wall time",
        "seconds",
    )
    _bars(
        axes[1][0],
        ["1 host", "%d hosts, forks 25" % settings.fan_out_hosts],
        [values(waits["wait"], "wall"), values(waits["fan_out"], "wall")],
        "4. Fan-out: wall time of the wait",
        "seconds",
    )
    axis = axes[1][1]
    minutes = list(range(1, settings.load_minutes + 1))
    per_minute = [statistics.median(sample["per_minute"][m - 1] for sample in load["collection"]) for m in minutes]
    axis.bar(minutes, per_minute, color="#1565c0", label="sync_job_wait, default intervals")
    if load["uri"]:
        rate = 60.0 / statistics.median(gap["gap"] for gap in load["uri"])
        axis.axhline(rate, color="#9e9e9e", linestyle="--", label="uri + until, delay %g s" % settings.uri_load_delay)
    axis.set_title("5. Requests per minute during a %d-minute wait" % settings.load_minutes, fontsize=10)
    axis.set_xlabel("minute of the wait")
    axis.set_xticks(minutes)
    axis.set_ylabel("requests to CM")
    axis.set_ylim(bottom=0)
    axis.legend(fontsize=8)
    figure.suptitle("ciphertrust.cckm on ansible-core %(ansible_core)s, Python %(python)s (%(date)s)" % about, fontsize=11)
    figure.tight_layout()
    figure.savefig(str(path), dpi=90)
    plt.close(figure)
