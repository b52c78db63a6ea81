"""Pausing the cycle collector around big builds."""

import gc

from kwtrack.pause import cycle_collection_paused, without_cycle_collection


def test_the_collector_is_off_in_the_block_and_as_it_was_after():
    assert gc.isenabled()
    with cycle_collection_paused():
        assert not gc.isenabled()
        with cycle_collection_paused():  # nested: still off, and off again after
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    assert without_cycle_collection(gc.isenabled)() is False


def test_what_the_block_keeps_goes_to_the_oldest_generation_unwalked():
    with cycle_collection_paused():
        kept = [[n] for n in range(5000)]
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(x) in oldest for x in kept)
    assert gc.get_count()[0] < 100  # no pile of young objects left for the next collection
