"""Finding hash keys among many (`kwtrack.lookup`), against a plain list search."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kwtrack.lookup import KeyTable

# Keys made to share their low bits (the table slot looked in first), and keys at random.
_KEYS = st.one_of(st.integers(-(2**63), 2**63 - 1),
                  st.builds(lambda high, low: (high << 16 | low) - 2**62,
                            st.integers(0, 2**46), st.integers(0, 3)))


@given(st.sets(_KEYS, max_size=60), st.lists(_KEYS, max_size=60), st.data())
def test_places_of_keys_among_distinct_sorted_keys(keys, others, data):
    keys = sorted(keys)
    wanted = others + (data.draw(st.lists(st.sampled_from(keys), max_size=60)) if keys else [])
    places = KeyTable(np.array(keys, dtype=np.int64)).places(np.array(wanted, dtype=np.int64))
    assert places.tolist() == [keys.index(k) if k in keys else len(keys) for k in wanted]
