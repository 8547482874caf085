"""The parameter solver against torch: every answer gives the asked size, and no answer is missing."""

import pytest

from designer.core.engine import ShapeEngine
from designer.core.solver import SOLVABLE, Bounds, Solution, SolverError, required_input_sizes, solve
from tests.oracle import torch_module
from tests.torch_graph import chain, torch_size

CASES = [
    ("ConvTranspose2d", 4, 8),
    ("ConvTranspose2d", 1, 4),
    ("ConvTranspose1d", 7, 14),
    ("ConvTranspose3d", 2, 5),
    ("Conv2d", 64, 32),
    ("Conv1d", 9, 9),
    ("Conv3d", 5, 2),
    ("Conv2d", 4, 1),
    ("MaxPool2d", 8, 4),
    ("MaxPool1d", 7, 3),
    ("AvgPool2d", 9, 4),
    ("AvgPool3d", 4, 4),
    ("MaxPool3d", 6, 2),
]


@pytest.mark.parametrize(("type_name", "size_in", "size_out"), CASES)
def test_every_answer_gives_the_asked_size_in_torch(type_name, size_in, size_out):
    answers = solve(type_name, size_in, size_out)
    assert answers, f"{type_name} {size_in}→{size_out}: no answer"
    for answer in answers:
        assert torch_size(type_name, size_in, answer.params()) == size_out, answer


def brute_force(type_name: str, size_in: int, size_out: int, bounds: Bounds) -> set[tuple]:
    """The documented search space walked with torch itself, independently of the solver."""
    transposed = type_name.startswith("ConvTranspose")
    found = set()
    for k in range(1, bounds.max_kernel + 1):
        for s in range(1, bounds.max_stride + 1):
            for d in range(1, (1 if type_name.startswith("AvgPool") or k == 1 else bounds.max_dilation) + 1):
                reach = d * (k - 1)
                for p in range((reach if transposed else (reach + 1) // 2) + 1):
                    for op in range(max(s, d)) if transposed else [None]:
                        params = {"kernel_size": k, "stride": s, "padding": p}
                        if op is not None:
                            params["output_padding"] = op
                        if d != 1:
                            params["dilation"] = d
                        if torch_size(type_name, size_in, params) == size_out:
                            found.add((k, s, p, d, op))
    return found


@pytest.mark.parametrize(
    ("type_name", "size_in", "size_out"),
    [
        ("ConvTranspose1d", 4, 8),
        ("ConvTranspose1d", 3, 7),
        ("ConvTranspose1d", 1, 5),
        ("Conv1d", 16, 8),
        ("Conv1d", 7, 3),
        ("Conv1d", 5, 5),
        ("MaxPool1d", 9, 4),
        ("MaxPool1d", 6, 6),
        ("AvgPool1d", 10, 3),
    ],
)
def test_solver_is_complete_within_its_bounds(type_name, size_in, size_out):
    bounds = Bounds(max_kernel=6, max_stride=3, max_dilation=2)
    got = {(a.kernel_size, a.stride, a.padding, a.dilation, a.output_padding) for a in solve(type_name, size_in, size_out, bounds)}
    assert got == brute_force(type_name, size_in, size_out, bounds)


def test_ranking_puts_even_overlap_and_small_kernels_first():
    answers = solve("ConvTranspose2d", 4, 8)
    assert answers == sorted(answers, key=Solution.rank)
    assert answers[0].even and answers[0].output_padding == 0 and answers[0].dilation == 1
    evens = [a for a in answers if a.even]
    assert answers[: len(evens)] == evens
    classic = Solution(4, 2, 1, 1, 0, True)
    assert classic in answers
    uneven = Solution(3, 2, 1, 1, 1, False)
    assert uneven in answers and answers.index(classic) < answers.index(uneven)


def test_json_form_lists_output_padding_only_for_transposed_convs():
    assert set(solve("ConvTranspose1d", 4, 8)[0].to_dict()) >= {"kernel_size", "stride", "padding", "output_padding", "dilation"}
    assert "output_padding" not in solve("Conv1d", 8, 4)[0].to_dict()


def test_questions_the_solver_refuses_are_sentences():
    with pytest.raises(SolverError, match="Linear"):
        solve("Linear", 4, 8)
    with pytest.raises(SolverError, match="at least 1"):
        solve("Conv2d", 0, 8)
    with pytest.raises(SolverError, match="max_kernel"):
        solve("Conv2d", 4, 8, Bounds(max_kernel=0))
    assert solve("Conv1d", 3, 100) == []


def test_every_solvable_type_has_a_rule_in_the_catalog():
    for type_name in SOLVABLE:
        assert solve(type_name, 6, 3), type_name


def torch_chain_end(layers, size):
    import torch

    x = torch.zeros(1, 1, size, size)
    try:
        with torch.no_grad():
            for type_name, params in layers:
                x = torch_module(type_name, params)(x)
    except RuntimeError:
        return None
    return tuple(x.shape[2:])


def test_required_input_sizes_match_torch_over_the_range():
    down = [("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 4, "stride": 2, "padding": 1})] * 2
    layers = down + [("MaxPool2d", {"kernel_size": 2})]
    graph = chain((1, 1, 32, 32), layers)
    got = required_input_sizes(graph, ShapeEngine(graph), 4, sizes=range(1, 80))
    assert got == [s for s in range(1, 80) if torch_chain_end(layers, s) == (4, 4)]
    assert 32 in got
    assert graph.node("x").params["shape"] == [1, 1, 32, 32], "the design itself is left untouched"


def test_required_input_sizes_for_a_generator_and_one_axis():
    up = ("ConvTranspose2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 4, "stride": 2, "padding": 1})
    graph = chain((1, 1, 8, 3), [up, up, up])
    engine = ShapeEngine(graph)
    assert required_input_sizes(graph, engine, 64) == [8]
    assert required_input_sizes(graph, engine, 24, axis=1) == [3]
    with pytest.raises(SolverError, match="axis"):
        required_input_sizes(graph, engine, 64, axis=2)
