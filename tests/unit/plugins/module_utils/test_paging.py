"""read_listing over a scripted list: server page caps, windows, a list that moves while read."""

import pytest

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.paging import read_listing, unique_by_id


class Listing:
    """A list served with a page cap; ``move(skip)`` runs before each page (to shift the list)."""

    def __init__(self, count, cap=10, move=None):
        self.items = [{"id": str(i)} for i in range(count)]
        self.cap = cap
        self.move = move
        self.calls = []

    def __call__(self, skip, limit):
        self.calls.append((skip, limit))
        if self.move:
            self.move(self, skip)
        served = self.items[skip : skip + min(limit, self.cap)]
        return [dict(item) for item in served], len(self.items)


def ids(items):
    return [item["id"] for item in items]


@pytest.mark.parametrize("count, cap, requests", [(0, 10, 1), (10, 10, 1), (25, 10, 3), (2500, 1000, 3)])
def test_every_item_once_whatever_the_page_cap(count, cap, requests):
    listing = Listing(count, cap)
    items, total = read_listing(listing, workers=1)
    assert ids(items) == [str(i) for i in range(count)] and total == count and len(listing.calls) == requests


def test_skip_and_limit_window():
    items, total = read_listing(Listing(30, cap=7), skip=5, limit=12, workers=1)
    assert ids(items) == [str(i) for i in range(5, 17)] and total == 30


def test_a_list_that_shrinks_while_read_is_read_again():
    def shrink(listing, skip):
        if skip and not getattr(listing, "moved", False):
            listing.moved = True
            del listing.items[0]

    listing = Listing(30, move=shrink)
    items, total = read_listing(listing, workers=1)
    assert ids(items) == [str(i) for i in range(1, 30)] and total == 29 and len(listing.calls) == 6


def test_a_list_that_never_stops_moving_is_read_a_bounded_number_of_times():
    def grow(listing, skip):
        if skip:
            listing.items.insert(0, {"id": "new%d" % len(listing.items)})

    listing = Listing(30, move=grow)
    items, _total = read_listing(listing, workers=1)
    assert len(ids(items)) == len(set(ids(items))) and {str(i) for i in range(30)} <= set(ids(items))
    assert len(listing.calls) <= 2 * 3 + 10


def test_later_pages_in_order_when_fetched_concurrently():
    items, _total = read_listing(Listing(95, cap=10), workers=4)
    assert ids(items) == [str(i) for i in range(95)]


def test_unique_by_id_keeps_the_first():
    assert unique_by_id([{"id": 1, "v": "a"}, {"id": 2}, {"id": 1, "v": "b"}]) == [{"id": 1, "v": "a"}, {"id": 2}]
