"""Importing with an open batch (``--input-shape N,3,16,16``): the design works, and runs, at any batch."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.core.engine import ShapeEngine
from designer.core.export import export
from designer.core.importer import ModelImportError, import_model, parse_shape
from tests.core.batch import with_batch

MODELS = Path(__file__).parent / "import_models.py"


def test_parse_shape_takes_n_first_only():
    assert parse_shape("N,3,224,224") == ("N", 3, 224, 224)
    with pytest.raises(ModelImportError):
        parse_shape("3,N,224")


@pytest.mark.parametrize("name", ["VGGish", "ResNetish"])
def test_an_open_batch_import_holds_for_any_batch(name):
    import torch

    result = import_model(f"{MODELS}:{name}", [parse_shape("N,3,16,16")])
    graph = result.graph
    engine = ShapeEngine(graph)
    assert engine.symbolic and engine.problems() == []
    sinks = [n for n in graph.node_ids() if not list(graph.successors(n))]
    assert all(engine.result(n).display_shape[0] == "N" for n in sinks)
    namespace: dict = {}
    exported = export(with_batch(graph, 5))
    exec(compile(exported.code, "exported.py", "exec"), namespace)  # noqa: S102 - our own export
    model = namespace[exported.class_name]()
    assert model(torch.randn(5, 3, 16, 16)).shape[0] == 5


def test_a_model_that_hard_codes_its_batch_is_refused_for_any_n():
    with pytest.raises(ModelImportError, match="not for any batch N"):
        import_model(f"{MODELS}:FixedBatch", [parse_shape("N,12")])
    assert import_model(f"{MODELS}:FixedBatch", [(2, 12)]).graph is not None
