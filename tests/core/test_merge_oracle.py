"""Add (torch broadcasting) and Concat (torch.cat) against torch, with matching and clashing inputs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.oracle import check_agreement

SETTINGS = settings(max_examples=max(settings().max_examples, 400))


@st.composite
def add_case(draw):
    rank = draw(st.integers(1, 4))
    base = [draw(st.integers(1, 4)) for _ in range(rank)]
    shapes = []
    for _ in range(draw(st.integers(2, 4))):
        shape = list(base[draw(st.integers(0, rank - 1)) :]) if draw(st.integers(0, 3)) == 0 else list(base)
        shape = [1 if draw(st.integers(0, 4)) == 0 else d for d in shape]  # broadcasting ones
        if draw(st.integers(0, 6)) == 0 and shape:  # now and then a clash
            shape[draw(st.integers(0, len(shape) - 1))] += draw(st.integers(1, 2))
        shapes.append(tuple(shape) or (1,))
    return "Add", {}, shapes


@st.composite
def concat_case(draw):
    rank = draw(st.integers(1, 4))
    base = [draw(st.integers(1, 4)) for _ in range(rank)]
    dim = draw(st.integers(-rank - 1, rank))
    params = {} if dim == 1 and draw(st.booleans()) else {"dim": dim}
    axis = dim % rank if -rank <= dim < rank else None
    shapes = []
    for _ in range(draw(st.integers(2, 4))):
        shape = list(base)
        if axis is not None:
            shape[axis] = draw(st.integers(1, 5))
        if draw(st.integers(0, 6)) == 0:  # a clash in another dim, or another rank
            if draw(st.booleans()) and rank > 1:
                other = draw(st.integers(0, rank - 1))
                shape[other] += 1 if other != axis else 0
            else:
                shape = shape + [2]
        shapes.append(tuple(shape))
    return "Concat", params, shapes


@SETTINGS
@given(add_case())
def test_add_agrees_with_torch(case):
    check_agreement(*case)


@SETTINGS
@given(concat_case())
def test_concat_agrees_with_torch(case):
    check_agreement(*case)
