import itertools

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.backoff import growing_delays


def test_grows_to_maximum_without_jitter():
    delays = list(itertools.islice(growing_delays(2, 30, rand=lambda: 0.0), 6))
    assert delays == [2, 4, 8, 16, 30, 30]


def test_jitter_only_shortens_within_bounds():
    for rand in (0.0, 0.5, 0.999):
        for delay, nominal in zip(growing_delays(1, 4, jitter=0.2, rand=lambda r=rand: r), [1, 2, 4, 4]):
            assert nominal * 0.8 <= delay <= nominal


def test_first_above_maximum_is_capped():
    assert next(growing_delays(10, 3, rand=lambda: 0.0)) == 3
