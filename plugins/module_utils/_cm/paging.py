# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a paged CM listing completely and consistently, while it may move.

Internal to ciphertrust.cckm: not a public API, may change without notice.

CM answers ``{"skip", "limit", "total", "resources"}`` and may cap ``limit`` (its default page
is 10). The first page tells ``total`` and the page size the server really serves; the other pages
are then fetched a few at a time. When the list moved while it was being read (a page reports
another ``total``, or comes back short), the listing is read again, so that no job is lost or
repeated; the last of LISTING_PASSES reads pages one by one, following the latest ``total``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

Job = Dict[str, Any]
Page = Tuple[List[Job], int]
FetchPage = Callable[[int, int], Page]
"""``fetch(skip, limit)`` -> (resources, total) of one listing request."""

PAGE_SIZE = 1000
"""Jobs asked for per listing request; a server that caps pages lower is followed page by page."""
PAGE_WORKERS = 4
"""Listing pages fetched at once after the first; few, so that CM is not flooded."""
LISTING_PASSES = 3
"""Reads of a listing that moved while being read, the last one page by page."""


def read_listing(
    fetch: FetchPage,
    skip: int = 0,
    limit: Optional[int] = None,
    page_size: int = PAGE_SIZE,
    workers: int = PAGE_WORKERS,
) -> Page:
    """Items from ``skip`` on (all of them when ``limit`` is None), each id once, and the latest total."""
    for _pass in range(LISTING_PASSES - 1):
        items, total, steady = _read_once(fetch, skip, limit, page_size, workers)
        if steady:
            return items, total
    return _read_following_total(fetch, skip, limit, page_size)


def _read_once(fetch: FetchPage, skip: int, limit: Optional[int], page_size: int, workers: int) -> Tuple[List[Job], int, bool]:
    wanted = page_size if limit is None else min(page_size, limit)
    first, total = fetch(skip, wanted)
    served = len(first)  # the server's real page size (it may cap ``limit``)
    end = total if limit is None else min(total, skip + limit)
    offsets = list(range(skip + served, end, served)) if served else []
    pages = [(first, total)] + _fetch_pages(fetch, offsets, served, end, workers)
    items = unique_by_id(item for resources, _total in pages for item in resources)
    steady = all(
        page_total == total and len(resources) == min(served, end - offset)
        for (resources, page_total), offset in zip(pages[1:], offsets)
    )
    return (items if limit is None else items[:limit]), total, steady


def _read_following_total(fetch: FetchPage, skip: int, limit: Optional[int], page_size: int) -> Page:
    """Last resort for a list that keeps moving: page one by one until the latest ``total``."""
    items: List[Job] = []
    seen: set = set()
    offset = skip
    while True:
        wanted = page_size if limit is None else min(page_size, limit - len(items))
        resources, total = fetch(offset, wanted)
        for item in resources:
            if item.get("id") not in seen:
                seen.add(item.get("id"))
                items.append(item)
        offset += len(resources)
        if offset >= total or not resources or (limit is not None and len(items) >= limit):
            return (items if limit is None else items[:limit]), total


def _fetch_pages(fetch: FetchPage, offsets: List[int], size: int, end: int, workers: int) -> List[Page]:
    """The pages at ``offsets``, in order; concurrently when there are several."""

    def one(offset: int) -> Page:
        return fetch(offset, min(size, end - offset))

    if len(offsets) < 2 or workers < 2:
        return [one(offset) for offset in offsets]
    from concurrent.futures import ThreadPoolExecutor  # only a long listing pays for the import

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, offsets))


def unique_by_id(items: Iterable[Job]) -> List[Job]:
    """Items in order, each id once (a job can show up on two pages when the list shifts)."""
    seen = set()
    kept = []
    for item in items:
        key = item.get("id")
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept
