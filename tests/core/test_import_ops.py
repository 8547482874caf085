"""Importing arithmetic and shape calls in every spelling (operator, torch function, tensor method, index)
as the Math and Shape ops; the import verifies itself (the exported code loads the weights and agrees)."""

from __future__ import annotations

import operator

import pytest

from designer.core.importer import ModelImportError, import_module

torch = pytest.importorskip("torch")
nn = torch.nn


def imported(forward, shapes, **layers):
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for name, layer in layers.items():
                setattr(self, name, layer)

    Model.forward = forward
    result = import_module(Model(), shapes, "Model")
    return {n.id: (n.type_name, n.params) for n in result.graph.nodes()}, result


@pytest.mark.parametrize(
    ("forward", "expected"),
    [
        (lambda self, x, y: x * y, ("Mul", {})),
        (lambda self, x, y: torch.mul(x, y), ("Mul", {})),
        (lambda self, x, y: operator.mul(x, y), ("Mul", {})),
        (lambda self, x, y: x.mul(y), ("Mul", {})),
        (lambda self, x, y: x - y, ("Sub", {})),
        (lambda self, x, y: torch.sub(x, y), ("Sub", {})),
        (lambda self, x, y: x / y, ("Div", {})),
        (lambda self, x, y: x.div(y), ("Div", {})),
        (lambda self, x, y: x + y, ("Add", {})),
        (lambda self, x, y: x @ y.transpose(-2, -1), ("MatMul", {})),
        (lambda self, x, y: torch.matmul(x, y.transpose(1, 2)), ("MatMul", {})),
        (lambda self, x, y: torch.bmm(x, y.transpose(1, 2)), ("MatMul", {})),
    ],
)
def test_two_tensor_arithmetic_in_every_spelling(forward, expected):
    found, _ = imported(forward, [(2, 3, 4), (2, 3, 4) if expected[0] != "MatMul" else (2, 5, 4)])
    assert expected in found.values()


@pytest.mark.parametrize(
    ("forward", "expected"),
    [
        (lambda self, x: x * 0.5, ("Mul", {"other": 0.5})),
        (lambda self, x: 0.5 * x, ("Mul", {"other": 0.5})),
        (lambda self, x: x + 1, ("Add", {"other": 1})),
        (lambda self, x: 1 + x, ("Add", {"other": 1})),
        (lambda self, x: x - 2, ("Sub", {"other": 2})),
        (lambda self, x: x / 8, ("Div", {"other": 8})),
        (lambda self, x: x.mean(dim=(2, 3), keepdim=True), ("Mean", {"dim": [2, 3], "keepdim": True})),
        (lambda self, x: torch.mean(x, 1), ("Mean", {"dim": 1})),
        (lambda self, x: x.mean(), ("Mean", {})),
        (lambda self, x: x.sum(-1), ("Sum", {"dim": -1})),
        (lambda self, x: torch.permute(x, (0, 2, 3, 1)), ("Permute", {"dims": [0, 2, 3, 1]})),
        (lambda self, x: x.permute(0, 2, 3, 1), ("Permute", {"dims": [0, 2, 3, 1]})),
        (lambda self, x: x.transpose(1, 2), ("Transpose", {"dim0": 1, "dim1": 2})),
        (lambda self, x: torch.transpose(x, 1, -1), ("Transpose", {"dim0": 1, "dim1": -1})),
        (lambda self, x: x[:, 0], ("Select", {"dim": 1, "index": 0})),
        (lambda self, x: x[..., -1], ("Select", {"dim": 3, "index": -1})),
        (lambda self, x: x.select(2, 1), ("Select", {"dim": 2, "index": 1})),
        (lambda self, x: x[:, 1:3], ("Slice", {"dim": 1, "start": 1, "end": 3})),
        (lambda self, x: x[:, :, ::2], ("Slice", {"dim": 2, "step": 2})),
        (lambda self, x: x.narrow(2, -3, 2), ("Slice", {"dim": 2, "start": 1, "end": 3})),
        (lambda self, x: x[:, None], ("Unsqueeze", {"dim": 1})),
        (lambda self, x: x.unsqueeze(-1), ("Unsqueeze", {"dim": -1})),
        (lambda self, x: x[:, :1].squeeze(1), ("Squeeze", {"dim": 1})),
        (lambda self, x: x[:, :1].expand(-1, 5, -1, -1), ("Expand", {"size": [-1, 5, -1, -1]})),
        (lambda self, x: x.reshape(2, 6, 4), ("Reshape", {"shape": [2, 6, 4]})),
        (lambda self, x: x.view(-1, 8), ("Reshape", {"shape": [-1, 8]})),
        (lambda self, x: x.view(x.size(0), 4, -1), ("Reshape", {"shape": [-1, 4, 6]})),
    ],
)
def test_one_tensor_calls_in_every_spelling(forward, expected):
    found, _ = imported(forward, [(2, 3, 4, 2)])
    assert expected in found.values(), found


def test_flatten_and_unflatten_stay_where_they_fit():
    found, _ = imported(lambda self, x: x.view(x.size(0), -1), [(2, 3, 4, 2)])
    assert ("Flatten", {}) in found.values()
    found, _ = imported(lambda self, x: x.reshape(2, 3, 2, 4), [(2, 3, 8)])
    assert found["reshape"][0] == "Unflatten"


def test_an_index_with_several_parts_becomes_a_chain():
    found, result = imported(lambda self, x: x[:, 0, 1:3, None], [(2, 3, 4, 5)])
    chain = [v for k, v in found.items() if k.startswith("getitem")]
    assert chain == [("Select", {"dim": 1, "index": 0}), ("Slice", {"dim": 1, "start": 1, "end": 3}), ("Unsqueeze", {"dim": 2})]


def test_squeeze_excitation_and_attention_scores_import_with_an_open_batch():
    def forward(self, x):
        y = self.conv(x)
        s = torch.sigmoid(self.fc(y.mean((2, 3))))[:, :, None, None]
        y = y * s
        t = y.flatten(2).transpose(1, 2)
        scores = torch.softmax(t @ t.transpose(-2, -1) / 8 ** 0.5, dim=-1)
        return (scores @ t)[:, 0] + 1

    found, result = imported(forward, [("N", 3, 4, 4)], conv=nn.Conv2d(3, 8, 3, padding=1), fc=nn.Linear(8, 8))
    kinds = [t for t, _ in found.values()]
    assert kinds.count("MatMul") == 2 and "Mul" in kinds and "Mean" in kinds and "Select" in kinds
    assert found["x"][1]["shape"][0] == "N"


def test_sizes_read_off_a_tensor_follow_an_open_batch():
    found, result = imported(lambda self, x: x.view(x.size(0), 4, -1).expand(x.size(0), 4, 6), [("N", 3, 8)])
    assert found["view"] == ("Reshape", {"shape": [-1, 4, 6]}) and found["expand"] == ("Expand", {"size": [-1, 4, 6]})


@pytest.mark.parametrize(
    ("forward", "reason"),
    [
        (lambda self, x: 1 - x, "the number comes first (1 - x), and Sub takes it second"),
        (lambda self, x: 2 / x, "the number comes first (2 / x), and Div takes it second"),
        (lambda self, x: torch.add(x, x, alpha=2), "alpha=2 has no Add equivalent"),
        (lambda self, x: x.div(x, rounding_mode="floor"), "rounding_mode='floor' has no Div equivalent"),
        (lambda self, x: x.mean(1, dtype=torch.float64), "its arguments beyond dim and keepdim have no Mean equivalent"),
    ],
)
def test_calls_the_ops_cannot_express_are_refused_with_the_reason(forward, reason):
    with pytest.raises(ModelImportError) as caught:
        imported(forward, [(2, 3)])
    assert reason in str(caught.value)


def test_torch_export_spellings_map_the_same_way():
    """A loop over a size stops torch.fx; torch.export's aten calls (mul, permute, slice, select, ...) map alike."""

    def forward(self, x):
        for _ in range(x.shape[1] - 2):
            x = x * 0.5
        y = self.fc(x).permute(0, 2, 1)[:, 1:3, 0]
        return y.mean(-1, keepdim=True) + x[:, :, 1].unsqueeze(-1).sum(1, keepdim=True).expand(-1, 2, -1) / 2

    found, result = imported(forward, [(2, 3, 4)], fc=nn.Linear(4, 4))
    assert result.tracer == "torch.export"
    kinds = sorted(t for t, _ in found.values() if t not in ("Input", "Output", "Linear"))
    assert kinds == sorted(["Mul", "Permute", "Slice", "Select", "Mean", "Select", "Unsqueeze", "Sum", "Expand", "Div", "Add"])
    assert ("Slice", {"dim": 1, "start": 1, "end": 3}) in found.values()
