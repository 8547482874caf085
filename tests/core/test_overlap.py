"""The overlap map against torch: conv_transpose of an all-ones input with an all-ones kernel."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from designer.core.overlap import Axis, counts, counts_2d, interior_pattern, is_even, node_axes, node_map, uneven_axes

SETTINGS = settings(max_examples=max(settings().max_examples, 300))


@st.composite
def axis(draw):
    k, s, d = draw(st.integers(1, 6)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    p = draw(st.integers(0, d * (k - 1) + 1))
    op = draw(st.integers(0, max(s, d) - 1))
    result = Axis(draw(st.integers(1, 7)), k, s, p, d, op)
    assume(result.size_out >= 1)
    return result


def torch_ones_map(rows: Axis, cols: Axis):
    import torch
    import torch.nn.functional as F

    x = torch.ones(1, 1, rows.size_in, cols.size_in, dtype=torch.float64)
    w = torch.ones(1, 1, rows.kernel, cols.kernel, dtype=torch.float64)
    y = F.conv_transpose2d(
        x,
        w,
        stride=(rows.stride, cols.stride),
        padding=(rows.padding, cols.padding),
        output_padding=(rows.output_padding, cols.output_padding),
        dilation=(rows.dilation, cols.dilation),
    )
    return [[int(v) for v in row] for row in y[0, 0].tolist()]


@SETTINGS
@given(axis(), axis())
def test_map_equals_torch_conv_transpose2d_of_ones(rows, cols):
    assert counts_2d(rows, cols) == torch_ones_map(rows, cols)


@SETTINGS
@given(axis())
def test_one_dimension_equals_torch(ax):
    import torch
    import torch.nn.functional as F

    y = F.conv_transpose1d(
        torch.ones(1, 1, ax.size_in, dtype=torch.float64),
        torch.ones(1, 1, ax.kernel, dtype=torch.float64),
        stride=ax.stride,
        padding=ax.padding,
        output_padding=ax.output_padding,
        dilation=ax.dilation,
    )
    assert counts(ax) == [int(v) for v in y[0, 0].tolist()]
    assert len(counts(ax)) == ax.size_out


@SETTINGS
@given(axis())
def test_taps_of_each_input_position_add_up_to_the_map(ax):
    total = [0] * ax.size_out
    for i in range(ax.size_in):
        for j, o in ax.taps(i):
            assert 0 <= j < ax.kernel
            assert o == i * ax.stride + j * ax.dilation - ax.padding
            total[o] += 1
    assert total == counts(ax)


def test_even_overlap_is_kernel_divisible_by_stride_without_dilation():
    for k in range(1, 13):
        for s in range(1, 7):
            assert is_even(k, s) == (k % s == 0), (k, s)


def test_interior_pattern_is_what_the_middle_of_a_long_map_shows():
    for k in range(1, 8):
        for s in range(1, 5):
            for d in range(1, 4):
                ax = Axis(40, k, s, 0, d, 0)
                start = 20 * s  # past the first d·(k − 1) positions, where fewer input positions reach
                middle = counts(ax)[start:start + s]
                pattern = interior_pattern(k, s, d)
                assert [pattern[o % s] for o in range(start, start + s)] == middle, (k, s, d)


def test_checkerboard_example_from_the_distill_article():
    # kernel 3, stride 2: every other output pixel gets two taps, a checkerboard in 2-D.
    ax = Axis(4, 3, 2, 1, 1, 1)
    assert counts(ax) == [1, 2, 1, 2, 1, 2, 1, 1]
    assert counts_2d(ax, ax)[1][:4] == [2, 4, 2, 4]
    assert counts(Axis(4, 4, 2, 1, 1, 0)) == [1, 2, 2, 2, 2, 2, 2, 1]


def test_node_axes_expand_per_dimension_params():
    params = {"kernel_size": [3, 4], "stride": 2, "padding": [1, 1], "dilation": 1, "output_padding": [1, 0]}
    rows, cols = node_axes(params, (4, 5))
    assert rows == Axis(4, 3, 2, 1, 1, 1) and cols == Axis(5, 4, 2, 1, 1, 0)
    assert uneven_axes([3, 4], [2, 2], [1, 1]) == [0]


def test_node_map_for_one_two_and_three_dims_equals_torch():
    import torch
    import torch.nn.functional as F

    params = {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1, "output_padding": 1}
    assert node_map(params, (3,)) == [counts(Axis(3, 3, 2, 1, 1, 1))]
    assert node_map(params, (3, 4)) == counts_2d(Axis(3, 3, 2, 1, 1, 1), Axis(4, 3, 2, 1, 1, 1))
    y = F.conv_transpose3d(torch.ones(1, 1, 3, 3, 4), torch.ones(1, 1, 3, 3, 3), stride=2, padding=1, output_padding=1)
    middle = y.shape[2] // 2
    assert node_map(params, (3, 3, 4)) == [[int(v) for v in row] for row in y[0, 0, middle].tolist()]
