"""Models with several-output calls and sequence layers go through ``model-designer import`` and ``export``:
chunk/split/unbind with indexing picking an output, nn.LSTM/GRU/RNN and nn.MultiheadAttention with their
tuples, the transformer layers, nn.Embedding on token ids and nn.Parameter tensors read in forward().
Each exported class loads the original weights strictly and computes the same outputs (the importer's
self-verification checks that too, before it writes)."""

from __future__ import annotations

import pytest

from designer.core.engine import ShapeEngine
from designer.core.graph import Graph
from tests.core.test_import_idioms import imported, same_outputs, types

torch = pytest.importorskip("torch")


def edges_from(graph, node_id: str) -> set[tuple[int, str]]:
    return {(e.source_port, e.target) for e in graph.out_edges(node_id)}


def test_chunk_split_and_unbind_become_chunk_split_and_select_with_each_read_picking_its_output(tmp_path, capsys):
    original, copy, graph, _ = imported("GatedChunks", ["N,4,6"], tmp_path, capsys, "--flat")
    found = types(graph)
    chunk = next(n for n, t in found.items() if t == "Chunk")
    assert graph.node(chunk).params == {"chunks": 2, "dim": -1}
    assert {port for port, _ in edges_from(graph, chunk)} == {0, 1}
    splits = sorted((n for n, t in found.items() if t == "Split"), key=lambda n: graph.index_of(n))
    assert [graph.node(n).params for n in splits] == [
        {"split_size_or_sections": [2, 3], "dim": -1},
        {"split_size_or_sections": 2, "dim": 1},
    ]
    selects = [graph.node(n).params for n, t in found.items() if t == "Select"]
    assert selects == [{"dim": 1, "index": 2}]  # only the row read becomes a node
    code = (tmp_path / "GatedChunks.py").read_text()
    assert ".chunk(2, dim=-1)" in code and ".split((2, 3), dim=-1)" in code
    same_outputs(original, copy, torch.randn(3, 4, 6))


def test_recurrent_layers_give_output_h_n_and_c_n_on_their_ports(tmp_path, capsys):
    original, copy, graph, _ = imported("LSTMClassifier", ["N,7"], tmp_path, capsys, "--input-dtype", "int64", "--flat")
    assert types(graph)["lstm"] == "LSTM" and types(graph)["embedding"] == "Embedding"
    assert graph.node("lstm").params == {"input_size": 8, "hidden_size": 6, "num_layers": 2, "batch_first": True, "bidirectional": True}
    assert {port for port, _ in edges_from(graph, "lstm")} == {0, 1}  # output and h_n; c_n is not read
    engine = ShapeEngine(graph)
    assert engine.result("lstm").output_shapes == ((1, 7, 12), (4, 1, 6), (4, 1, 6))  # at N = 1
    engine.close()
    code = (tmp_path / "LSTMClassifier.py").read_text()
    assert "lstm, (lstm_h_n, _) = self.lstm(embedding)" in code
    same_outputs(original, copy, torch.randint(0, 30, (3, 7)))
    original, copy, graph, _ = imported("GRUTagger", ["5,2,4"], tmp_path, capsys, "--flat")
    assert edges_from(graph, "rnn") == {(1, next(t for p, t in edges_from(graph, "rnn")))}
    same_outputs(original, copy, torch.randn(5, 2, 4))


def test_attention_takes_query_key_and_value_and_need_weights_only_decides_what_comes_back(tmp_path, capsys):
    shapes = ["N,5,8", "N,6,6", "N,6,5"]
    original, copy, graph, _ = imported("SelfAttentionPool", shapes, tmp_path, capsys, "--flat")
    assert [e.source for e in graph.in_edges("attn")] == ["x", "x", "x"]
    assert [e.target_port for e in graph.in_edges("cross")] == [0, 1, 2]
    assert graph.node("cross").params == {"embed_dim": 8, "num_heads": 4, "kdim": 6, "vdim": 5, "batch_first": True}
    weights = [e for e in graph.in_edges("output_1")]
    assert weights[0].source == "attn" and weights[0].source_port == 1
    same_outputs(original, copy, torch.randn(2, 5, 8), torch.randn(2, 6, 6), torch.randn(2, 6, 5))


def test_class_token_and_position_embedding_are_parameters_under_their_own_names(tmp_path, capsys):
    original, copy, graph, _ = imported("TinyViT", ["2,3,16,16"], tmp_path, capsys, "--flat")
    found = types(graph)
    assert found["cls_token"] == "Parameter" and graph.node("cls_token").params == {"shape": [1, 1, 16]}
    assert found["pos_embed"] == "Parameter" and graph.node("pos_embed").params == {"shape": [1, 17, 16]}
    assert found["blocks.0"] == found["blocks.1"] == "TransformerEncoderLayer"
    assert graph.node("blocks.1").params["activation"] == "gelu" and graph.node("blocks.1").params["norm_first"] is True
    expand = next(n for n, t in found.items() if t == "Expand")
    assert graph.node(expand).params == {"size": [2, -1, -1]}  # the batch of another tensor: the traced one
    same_outputs(original, copy, torch.randn(2, 3, 16, 16))


def test_a_gpt_with_token_ids_a_sliced_position_table_and_a_layer_list(tmp_path, capsys):
    original, copy, graph, _ = imported("TinyGPT", ["N,12"], tmp_path, capsys, "--input-dtype", "int64", "--flat")
    found = types(graph)
    assert found["tok"] == "Embedding" and found["pos"] == "Parameter"
    assert found["layers.0"] == found["layers.1"] == "TransformerEncoderLayer" and found["lm_head"] == "Linear"
    same_outputs(original, copy, torch.randint(0, 40, (2, 12)))


def test_a_decoder_layer_reads_target_and_memory(tmp_path, capsys):
    original, copy, graph, _ = imported("Seq2Seq", ["6,2,8", "4,2,8"], tmp_path, capsys, "--flat")
    assert [(e.source, e.target_port) for e in graph.in_edges("decoder")] == [("tgt", 0), ("encoder", 1)]
    same_outputs(original, copy, torch.randn(6, 2, 8), torch.randn(4, 2, 8))


def test_a_mask_passed_to_attention_is_refused_naming_it(capsys):
    from designer.cli import main
    from tests.core.test_import_idioms import IDIOMS

    args = ["import", f"{IDIOMS}:MaskedAttention", "-o", "never.json", "--input-shape", "2,5,8", "--input-shape", "2,5"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "1× nn.MultiheadAttention: it is called with a tensor as key_padding_mask, and the design's MultiheadAttention " \
        "takes only query, key, value" in err
    assert "attn (MultiheadAttention) at tests/core/import_idioms.py:" in err and "Traceback" not in err


def test_torch_nn_stacks_are_followed_into_their_layers_and_parameters_kept_through_torch_export(tmp_path, capsys):
    original, copy, graph, report = imported("EncoderStackViT", ["2,3,16,16"], tmp_path, capsys, "--flat")
    assert "traced with torch.export" in report.out
    found = types(graph)
    assert found["encoder.layers.0"] == found["encoder.layers.1"] == "TransformerEncoderLayer"
    assert found["cls_token"] == found["pos_embedding"] == "Parameter"
    same_outputs(original, copy, torch.randn(2, 3, 16, 16))
    original, copy, graph, _ = imported("FullTransformer", ["2,5,16", "2,4,16"], tmp_path, capsys, "--flat")
    found = types(graph)
    assert found["transformer.decoder.layers.1"] == "TransformerDecoderLayer"
    assert [e.source for e in graph.in_edges("transformer.decoder.layers.0")] == [
        "tgt", "transformer.encoder.norm"
    ]
    same_outputs(original, copy, torch.randn(2, 5, 16), torch.randn(2, 4, 16))


@pytest.mark.parametrize(
    ("name", "shapes", "inputs"),
    [
        ("GatedChunks", ["N,4,6"], lambda: [torch.randn(3, 4, 6)]),
        ("LSTMClassifier", ["N,7", "int64"], lambda: [torch.randint(0, 30, (3, 7))]),
        ("SelfAttentionPool", ["N,5,8", "N,6,6", "N,6,5"], lambda: [torch.randn(2, 5, 8), torch.randn(2, 6, 6), torch.randn(2, 6, 5)]),
        ("TinyViT", ["2,3,16,16"], lambda: [torch.randn(2, 3, 16, 16)]),
        ("NanoGPTStyle", ["N,7", "int64"], lambda: [torch.randint(0, 40, (2, 7))]),
        ("EncoderStackViT", ["2,3,16,16"], lambda: [torch.randn(2, 3, 16, 16)]),
        ("TimmAttention", ["N,5,16"], lambda: [torch.randn(3, 5, 16)]),
    ],
)
def test_the_models_classes_as_blocks_round_trip_too(name, shapes, inputs, tmp_path, capsys):
    extra = ["--input-dtype", "int64"] if "int64" in shapes else []
    original, copy, graph, _ = imported(name, [s for s in shapes if s != "int64"], tmp_path, capsys, *extra)
    assert isinstance(graph, Graph)
    same_outputs(original, copy, *inputs())


def test_scaled_dot_product_attention_is_matmul_softmax_matmul(tmp_path, capsys):
    original, copy, graph, _ = imported("TimmAttention", ["N,5,16"], tmp_path, capsys, "--flat")
    found = types(graph)

    def feeding(node_id: str) -> list[str]:
        return [found[e.source] for e in graph.in_edges(node_id)]

    softmax = next(n for n, t in found.items() if t == "Softmax")
    mul = graph.in_edges(softmax)[0].source
    assert graph.node(softmax).params == {"dim": -1} and found[mul] == "Mul"
    assert feeding(graph.in_edges(mul)[0].source) == ["Select", "Transpose"]  # q · kᵀ
    assert [found[e.target] for e in graph.out_edges(softmax)] == ["MatMul"]
    scale = next(graph.node(n).params for n, t in types(graph).items() if t == "Mul")
    assert scale == {"other": 0.5}  # 1/√E with E = 16 / 4 heads = 4
    assert sum(t == "Select" for t in types(graph).values()) == 3  # q, k, v = qkv.unbind(0)
    same_outputs(original, copy, torch.randn(3, 5, 16))


def test_positions_from_torch_arange_read_the_rows_of_the_position_table_under_its_weights_name(tmp_path, capsys):
    original, copy, graph, report = imported("NanoGPTStyle", ["N,7"], tmp_path, capsys, "--input-dtype", "int64", "--flat")
    found = types(graph)
    assert found["wpe.weight"] == "Parameter" and graph.node("wpe.weight").params == {"shape": [10, 16]}
    rows = next(n for n, t in found.items() if t == "Slice")
    assert graph.node(rows).params == {"dim": 0, "end": 7}
    assert "wpe (nn.Embedding) at tests/core/import_idioms.py:" in report.err and "positions of torch.arange, 0..6" in report.err
    same_outputs(original, copy, torch.randint(0, 40, (3, 7)))
