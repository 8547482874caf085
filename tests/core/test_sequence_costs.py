"""Statistics of the sequence layers (attention, recurrent, embedding) equal torch's: parameters, weights
by name and shape, and multiply-adds as torch's flop counter counts them."""

import pytest

from designer.core.graph import Edge, Graph, Node
from tests.core.test_stats import assert_matches_torch


def single(type_name: str, params: dict, shapes: list, dtypes: list | None = None) -> Graph:
    graph = Graph()
    for i, shape in enumerate(shapes):
        extra = {"dtype": dtypes[i]} if dtypes else {}
        graph.add_node(Node(f"x{i}", "Input", {"shape": list(shape), **extra}))
    graph.add_node(Node("layer", type_name, params))
    for i in range(len(shapes)):
        graph.connect(Edge(f"x{i}", "layer", i))
    return graph


@pytest.mark.parametrize(
    "case",
    [
        ("MultiheadAttention", {"embed_dim": 8, "num_heads": 2}, [(5, 2, 8), (3, 2, 8), (3, 2, 8)]),
        (
            "MultiheadAttention",
            {"embed_dim": 8, "num_heads": 2, "kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True, "batch_first": True},
            [(2, 5, 8), (2, 3, 3), (2, 3, 5)],
        ),
        ("MultiheadAttention", {"embed_dim": 8, "num_heads": 2, "bias": False}, [(5, 8), (3, 8), (3, 8)]),
        ("TransformerEncoderLayer", {"d_model": 8, "nhead": 2, "dim_feedforward": 16}, [(5, 8)]),
        ("TransformerEncoderLayer", {"d_model": 8, "nhead": 2, "batch_first": True, "norm_first": True, "bias": False}, [(3, 5, 8)]),
        ("TransformerDecoderLayer", {"d_model": 8, "nhead": 2, "dim_feedforward": 16}, [(5, 2, 8), (3, 2, 8)]),
        ("LSTM", {"input_size": 4, "hidden_size": 3, "num_layers": 2, "bidirectional": True, "proj_size": 2}, [(5, 2, 4)]),
        ("GRU", {"input_size": 4, "hidden_size": 3, "batch_first": True}, [(2, 5, 4)]),
        ("RNN", {"input_size": 4, "hidden_size": 3, "nonlinearity": "relu"}, [(5, 4)]),
        ("Embedding", {"num_embeddings": 10, "embedding_dim": 3}, [(2, 5)], ["int64"]),
    ],
    ids=lambda case: case[0],
)
def test_sequence_layer_stats_match_torch(case):
    assert_matches_torch(single(*case))
