# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Looking up, by the target filter, the targets a scope's newest jobs left undecided: many at a time.

Internal to ciphertrust.cckm: not a public API, may change without notice.

The filter takes repeated keys (``?kms=a&kms=b``), so one listing answers for a batch of targets: every job that
lists any of them, newest first. A target is decided by the first jobs of that listing that cover it, so a batch
reads its newest pages only until each of its targets is decided or the listing ends. Past BATCH_PAGES it reads on
only while each page decides a target (so at most one page a target, never more than the look-ups it saves), and a
target still undecided then falls back to a look-up of its own: the cost stays flat in CM's history. Batches are
bounded by a count and by the length of their query; those of one scope are read a few at a time. Used by
``sync_status`` (``_fleet``) and the waits on targets (``watch.TargetWatch``).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, List
from urllib.parse import quote

from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.coverage import Target, TargetIndex
from ansible_collections.ciphertrust.cckm.plugins.module_utils._jobs.states import created, normalize_job

BATCH_TARGETS = 50
"""Targets a batch looks up at most."""
BATCH_QUERY = 6000
"""Characters of a batch's query at most (an URL stays well below what proxies accept)."""
BATCH_PAGE = 100
"""Jobs per page of a batch's listing."""
BATCH_PAGES = 2
"""Pages a batch reads at least; past them, a page that decides no target sends the rest to their own look-ups."""
LOOKUP_PAGE = 50
"""Jobs asked for in the look-up of one target (its newest covering jobs)."""
WORKERS = 4
"""Batches of one scope read at once."""


def batches(targets: List[Target], option: str) -> List[List[Target]]:
    """``targets`` in batches of at most BATCH_TARGETS, whose query (every identifier of each) stays in BATCH_QUERY."""
    out: List[List[Target]] = []
    size = 0
    for target in targets:
        length = sum(len(option) + len(quote(identifier, safe="")) + 2 for identifier in target.identifiers)
        if not out or len(out[-1]) >= BATCH_TARGETS or size + length > BATCH_QUERY:
            out.append([])
            size = 0
        out[-1].append(target)
        size += length
    return out


def look_up(
    client: Any,
    path: str,
    option: str,
    index: TargetIndex,
    targets: List[Target],
    decided: Callable[[Target, str], bool],
    workers: int = WORKERS,
) -> None:
    """Let ``index`` see, for each of ``targets``, its newest jobs by the filter ``option`` until ``decided(target,
    reach)`` (``reach``: ``createdAt`` of the oldest job the batch has read, above which it has read every one)."""
    lock = threading.Lock()

    def see(page: List[Any]) -> None:
        with lock:
            for job in page:
                index.see(normalize_job(job))

    def one_batch(batch: List[Target]) -> List[Target]:
        """Read the batch's newest pages; the targets it left undecided."""
        query = {option: sorted({identifier for target in batch for identifier in target.identifiers})}
        skip, left = 0, batch
        for pages in range(1, BATCH_PAGES + len(batch) + 1):  # bounded: past BATCH_PAGES, a target decided a page
            page, total = client.list_page(path, query, skip, BATCH_PAGE)
            see(page)
            skip += len(page)
            reach = created(page[-1]) if page else ""
            with lock:
                still = [target for target in left if not decided(target, reach)]
            if not still or not page or skip >= total:
                return []  # decided, or the listing holds nothing more for them
            if pages >= BATCH_PAGES and len(still) == len(left):
                break  # no progress: what is left lies deeper than the batch's other targets' jobs
            left = still
        return left

    groups = batches(targets, option)
    if len(groups) == 1:
        deeper = one_batch(groups[0])
    else:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(groups)))) as pool:
            deeper = [target for left in pool.map(one_batch, groups) for target in left]
    for target in deeper:  # its answer lies below the batch's pages: its own newest jobs
        page, _total = client.list_page(path, {option: sorted(target.identifiers)}, 0, LOOKUP_PAGE)
        see(page)
