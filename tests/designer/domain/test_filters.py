"""Whether two subscriptions' filters can both match one message."""

import pytest

from designer.domain.filters import may_overlap


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (None, {"source": ["orders"]}, True),  # no filter: every message
        ({}, {"source": ["orders"]}, True),
        ({"detail-type": ["Placed"]}, {"detail-type": ["Cancelled"]}, False),
        ({"detail-type": ["Placed", "Paid"]}, {"detail-type": ["Paid"]}, True),
        ({"source": ["orders"]}, {"detail-type": ["Placed"]}, True),  # different fields: both may hold
        ({"detail": {"status": ["NEW"]}}, {"detail": {"status": ["DONE"]}}, False),
        ({"detail": {"status": ["NEW"]}}, {"detail": {"total": [5]}}, True),
        ({"detail": {"status": [{"prefix": "N"}]}}, {"detail": {"status": ["DONE"]}}, True),  # a prefix: may match
        ({"detail": {"status": [{"anything-but": ["NEW"]}]}}, {"detail": {"status": ["NEW"]}}, True),
        ({"size": [1]}, {"size": [1.0]}, True),  # one number
        ({"size": [1]}, {"size": ["1"]}, False),  # a number is not a string
        ({"flag": [True]}, {"flag": [1]}, False),
        ({"any_of": [{"kind": ["a"]}, {"kind": ["b"]}]}, {"kind": ["b"]}, True),
        ({"any_of": [{"kind": ["a"]}, {"kind": ["b"]}]}, {"kind": ["c"]}, False),
        ({"kind": ["c"]}, {"any_of": [{"kind": ["a"]}]}, False),
    ],
)
def test_filters_overlap_unless_a_shared_field_has_no_value_in_common(a, b, overlap):
    assert may_overlap(a, b) is overlap
    assert may_overlap(b, a) is overlap
