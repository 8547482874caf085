"""The Math and Shape ops against torch on real CPU tensors: valid and invalid settings, broadcasting,
negative dims, out-of-range dims, empty sizes and 0-D tensors.

Through the engine (``check_agreement``) the inputs are Inputs (sizes of at least 1); empty sizes and
0-D tensors reach an op only from upstream ops, so ``check_rule`` runs the rule directly on them.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import catalog
from designer.core.shapes import Inferred, LayerError
from designer.core.spec import RuleContext
from tests.oracle import check_agreement, torch_run

SETTINGS = settings(max_examples=max(settings().max_examples, 300), deadline=None)

sizes = st.integers(1, 4)


def shape_of(rank: int, low: int = 1):
    return st.lists(st.integers(low, 4), min_size=rank, max_size=rank).map(tuple)


def check_rule(type_name: str, params: dict, shapes: list[tuple[int, ...]]):
    """The rule run directly (no Input in between, so sizes may be 0 and tensors 0-D) agrees with torch."""
    spec = catalog.get(type_name)
    assert not spec.check_params(params), spec.check_params(params)
    expected = torch_run(type_name, params, shapes)
    ctx = RuleContext(type_name, spec.resolve(params), tuple(shapes), f"{type_name} 'layer'", tuple(f"'x{i}'" for i in range(len(shapes))))
    try:
        got = spec.infer(ctx)
    except LayerError as exc:
        got = exc
    where = f"{type_name}({params}) on {shapes}"
    if isinstance(expected, Exception):
        assert isinstance(got, LayerError), f"{where}: torch raised {type(expected).__name__}: {expected}, rule gave {got.shape}"
        assert got.message.startswith(f"{type_name} 'layer'"), got.message
    else:
        assert isinstance(got, Inferred), f"{where}: torch gave {expected[0]}, rule said: {got.sentence()}"
        assert tuple(got.shape) == expected[0], f"{where}: torch gave {expected[0]}, rule gave {got.shape}"
        assert len(got.dims) == len(got.shape), where
        assert [d.size for d in got.dims] == list(got.shape), where


# ----- strategies ---------------------------------------------------------------------------------
@st.composite
def broadcast_shapes(draw, count: int, low: int = 1):
    rank = draw(st.integers(1, 4))
    base = [draw(st.integers(low, 4)) for _ in range(rank)]
    shapes = []
    for _ in range(count):
        shape = list(base[draw(st.integers(0, rank - 1)) :]) if draw(st.integers(0, 3)) == 0 else list(base)
        shape = [1 if draw(st.integers(0, 4)) == 0 else d for d in shape]
        if draw(st.integers(0, 5)) == 0 and shape:  # now and then a clash
            shape[draw(st.integers(0, len(shape) - 1))] += draw(st.integers(1, 2))
        shapes.append(tuple(shape) or (1,))
    return shapes


@st.composite
def elementwise_case(draw, low: int = 1):
    type_name = draw(st.sampled_from(["Add", "Mul", "Sub", "Div"]))
    if draw(st.integers(0, 3)) == 0:
        other = draw(st.sampled_from([0.5, 1, -2, 0, 3.25]))
        return type_name, {"other": other}, draw(broadcast_shapes(1, low))
    count = draw(st.integers(2, 4)) if type_name == "Add" else 2
    params = {"other": None} if draw(st.booleans()) else {}
    return type_name, params, draw(broadcast_shapes(count, low))


@st.composite
def matmul_case(draw, low: int = 1):
    k = draw(st.integers(low, 4))
    ranks = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    batch = [draw(st.integers(low, 3)) for _ in range(2)]

    def operand(rank: int, first: bool):
        if rank == 1:
            return (k,)
        lead = [1 if draw(st.integers(0, 3)) == 0 else b for b in batch][-(rank - 2) :] if rank > 2 else []
        other = draw(st.integers(low, 4))
        return tuple(lead) + ((other, k) if first else (k, other))

    a, b = operand(ranks[0], True), operand(ranks[1], False)
    if draw(st.integers(0, 4)) == 0:  # an inner size that does not match, or a batch clash
        a = a[:-1] + (a[-1] + 1,)
    if draw(st.integers(0, 6)) == 0 and len(b) > 2:
        b = (b[0] + 2,) + b[1:]
    return "MatMul", {}, [a, b]


def dims_value(rank: int):
    dim = st.integers(-rank - 1, rank)
    return st.one_of(st.none(), dim, st.lists(dim, min_size=0, max_size=3))


@st.composite
def reduce_case(draw, low: int = 1):
    shape = draw(st.integers(1, 4).flatmap(lambda r: shape_of(r, low)))
    params = {}
    if draw(st.integers(0, 4)):
        params["dim"] = draw(dims_value(len(shape)))
    if draw(st.booleans()):
        params["keepdim"] = draw(st.booleans())
    return draw(st.sampled_from(["Mean", "Sum"])), params, [shape]


@st.composite
def shape_op_case(draw, low: int = 1):
    rank = draw(st.integers(1, 4))
    shape = draw(shape_of(rank, low))
    dim = st.integers(-rank - 1, rank)
    type_name = draw(st.sampled_from(["Reshape", "Permute", "Transpose", "Squeeze", "Unsqueeze", "Select", "Slice", "Expand"]))
    if type_name == "Reshape":
        numel = 1
        for d in shape:
            numel *= d
        pieces = draw(st.lists(st.sampled_from([1, 2, 3, 4, 6, numel, -1, 0, -2]), min_size=0, max_size=4))
        if draw(st.booleans()):  # a valid split of the values more often than chance gives
            first = draw(st.sampled_from([d for d in range(1, numel + 1) if numel % d == 0] or [1]))
            pieces = [first, -1] if draw(st.booleans()) else [first, max(numel // max(first, 1), 0)]
        params = {"shape": pieces}
    elif type_name == "Permute":
        order = list(draw(st.permutations(range(rank))))
        order = [d - rank if draw(st.booleans()) else d for d in order]
        if draw(st.integers(0, 4)) == 0:
            order = draw(st.lists(dim, min_size=0, max_size=rank + 1))
        params = {"dims": order}
    elif type_name == "Transpose":
        params = {"dim0": draw(dim), "dim1": draw(dim)}
    elif type_name == "Squeeze":
        params = {"dim": draw(dims_value(rank))} if draw(st.integers(0, 3)) else {}
        shape = tuple(1 if draw(st.integers(0, 2)) == 0 else d for d in shape)
    elif type_name == "Unsqueeze":
        params = {"dim": draw(st.integers(-rank - 2, rank + 1))}
    elif type_name == "Select":
        params = {"dim": draw(dim), "index": draw(st.integers(-5, 5))}
    elif type_name == "Slice":
        params = {"dim": draw(dim)} if draw(st.integers(0, 4)) else {}
        bound = st.one_of(st.none(), st.integers(-6, 6))
        for name in ("start", "end"):
            if draw(st.booleans()):
                params[name] = draw(bound)
        if draw(st.booleans()):
            params["step"] = draw(st.integers(-1, 3))
    else:
        lead = draw(st.lists(st.integers(0, 3), max_size=2))
        target = [draw(st.sampled_from([d, -1, 1, 2, 3, 0])) if d == 1 else draw(st.sampled_from([d, d, -1, d + 1]))
                  for d in shape]
        if draw(st.integers(0, 6)) == 0:
            lead = [-1] + lead
        size = lead + target
        if draw(st.integers(0, 6)) == 0:
            size = size[1:]
        if draw(st.integers(0, 8)) == 0 and size:
            size[draw(st.integers(0, len(size) - 1))] = -2
        params = {"size": size}
    return type_name, params, [shape]


# ----- through the engine (Inputs of sizes >= 1, now and then of int64 token ids) -----------------
def dtypes_for(data, count: int) -> list[str]:
    return [data.draw(st.sampled_from(["float32", "float32", "float32", "int64"])) for _ in range(count)]


@SETTINGS
@given(elementwise_case(), st.data())
def test_elementwise_ops_agree_with_torch(case, data):
    check_agreement(*case, dtypes_for(data, len(case[2])))


@SETTINGS
@given(matmul_case(), st.data())
def test_matmul_agrees_with_torch(case, data):
    check_agreement(*case, dtypes_for(data, 2))


@SETTINGS
@given(reduce_case(), st.data())
def test_mean_and_sum_agree_with_torch(case, data):
    check_agreement(*case, dtypes_for(data, 1))


@settings(max_examples=max(settings().max_examples, 1200), deadline=None)
@given(shape_op_case(), st.data())
def test_shape_ops_agree_with_torch(case, data):
    check_agreement(*case, dtypes_for(data, 1))


# ----- the rules alone: empty sizes and 0-D tensors -----------------------------------------------
@SETTINGS
@given(st.one_of(elementwise_case(low=0), matmul_case(low=0), reduce_case(low=0), shape_op_case(low=0)))
def test_ops_agree_with_torch_on_empty_sizes(case):
    check_rule(*case)


@SETTINGS
@given(st.one_of(elementwise_case(), matmul_case(), reduce_case(), shape_op_case()), st.integers(0, 1))
def test_ops_agree_with_torch_on_0d_tensors(case, port):
    type_name, params, shapes = case
    shapes = list(shapes)
    shapes[min(port, len(shapes) - 1)] = ()
    check_rule(type_name, params, shapes)


def test_slice_clamps_and_counts_from_the_end_like_python():
    for params, expected in [
        ({"dim": 1, "start": -2}, (2, 2, 4)),
        ({"dim": -1, "start": 1, "end": 100, "step": 2}, (2, 3, 2)),
        ({"dim": 2, "start": 3, "end": 1}, (2, 3, 0)),
        ({"dim": 0, "end": -10}, (0, 3, 4)),
    ]:
        assert check_agreement("Slice", params, [(2, 3, 4)]).shape == expected


def test_squeeze_of_a_dim_that_is_not_one_leaves_it():
    got = check_agreement("Squeeze", {"dim": 1}, [(2, 3, 1)])
    assert got.shape == (2, 3, 1)
    assert "leaves it in place" in " ".join(got.inferred.story)


def test_arity_follows_other():
    from tests.oracle import engine_run

    one = engine_run("Mul", {}, [(2, 3)])
    assert not one.ok and "needs at least 2 inputs" in one.message()
    assert engine_run("Sub", {"other": 1}, [(2, 3)]).shape == (2, 3)
