"""Exported code against torch: every node's shape (forward hooks) and the parameter count equal the engine's."""

from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.core import project
from designer.core.attribute_paths import MODULE_MEMBERS, PRIVATE_MEMBERS
from designer.core.engine import ShapeEngine
from designer.core.examples import example_names, load_example
from designer.core.export import ExportError, export, export_code
from designer.core.graph import Edge, Graph, Node
from tests.oracle import flat_outputs, torch_tensors

torch = pytest.importorskip("torch")

FIXTURE = Path(__file__).parent / "fixtures" / "project_v1.json"
ALLOWED_GLOBALS = {"torch", "nn", "super", "print", "tuple", "getattr", "__name__"}  # getattr reads odd names
BLOCK_NAMES = {"int", "float", "bool", "str", "range"}  # block classes: type hints of arguments, range for a repeat


def load_module(code: str, folder: Path, stem: str = "exported"):
    path = folder / f"{stem}.py"
    path.write_text(code, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(code))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, path


def check_against_engine(graph: Graph, folder: Path) -> None:
    """Run the exported model on random inputs; every node the forward() computes has the engine's shape."""
    result = export(graph)
    module, _ = load_module(result.code, folder)
    model = getattr(module, result.class_name)().eval()
    engine = ShapeEngine(graph)
    seen: dict[str, tuple] = {}
    inputs_seen: dict[str, tuple] = {}
    for node_id, attribute in result.attributes.items():
        layer = model.get_submodule(attribute)
        layer.register_forward_hook(
            lambda _m, _i, out, node_id=node_id: seen.__setitem__(node_id, tuple(tuple(t.shape) for t in flat_outputs(out)))
        )
        layer.register_forward_pre_hook(
            lambda _m, args, node_id=node_id: inputs_seen.__setitem__(node_id, tuple(tuple(a.shape) for a in args))
        )
    args = torch_tensors([engine.shape(n) for n in result.inputs], [engine.result(n).dtype for n in result.inputs])
    with torch.no_grad():
        outputs = model(*args)
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    assert [tuple(o.shape) for o in outputs] == [engine.shape(n) for n in result.outputs]
    for node_id, shapes in seen.items():
        expected = engine.result(node_id).output_shapes
        assert shapes == expected, f"{node_id}: torch {shapes}, engine {expected}"
    for node_id, shapes in inputs_seen.items():  # what Add and Concat produced reaches the next layer's input
        expected = tuple(engine.edge_shape(e) for e in graph.in_edges(node_id))
        assert shapes == expected, node_id
    assert sum(p.numel() for p in model.parameters()) == engine.total_params()
    reached = set()
    todo = list(result.outputs)
    while todo:
        node_id = todo.pop()
        if node_id not in reached:
            reached.add(node_id)
            todo.extend(graph.inputs(node_id).values())
    assert set(seen) == reached & set(result.attributes)
    check_code_is_safe(result.code, result.class_name)


def check_code_is_safe(code: str, class_name: str) -> None:
    """Only torch is imported and every free name is one the generator itself writes."""
    tree = ast.parse(code)
    imports = [ast.dump(n) for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports == [
        ast.dump(ast.Import(names=[ast.alias(name="torch")])),
        ast.dump(ast.ImportFrom(module="torch", names=[ast.alias(name="nn")], level=0)),
    ]
    bound = {class_name, "self", "model"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ClassDef):  # a block's class, defined beside the model's
            bound.add(node.name)
    free = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound
    assert free <= ALLOWED_GLOBALS | BLOCK_NAMES, free
    attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not {a for a in attributes if a.startswith("__")} - {"__init__"}


def ruff(folder: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", "E,F,W,I,B,UP,SIM", "--target-version", "py310", str(folder)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize("name", example_names())
def test_every_example_exports_and_matches_the_engine(name, tmp_path):
    graph = load_example(name)
    check_against_engine(graph, tmp_path)
    ruff(tmp_path)


def test_the_fixture_exports_and_matches_the_engine(tmp_path):
    check_against_engine(project.load(FIXTURE), tmp_path)
    ruff(tmp_path)


def test_the_exported_file_runs_and_prints_the_output_shapes(tmp_path):
    graph = project.load(FIXTURE)
    graph.add_node(Node("second", "Output"))
    graph.connect(Edge("sum", "second"))
    path = tmp_path / "out.py"
    path.write_text(export_code(graph), encoding="utf-8")
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["out (2, 7, 16, 16)", "second (2, 8, 8, 8)"]


def test_the_code_reads_like_an_engineer_wrote_it():
    code = export_code(project.load(FIXTURE))
    assert code.startswith('"""Fixture v1 — kept forever\n\nPyTorch model exported by Model Designer ')
    assert "    x: 2×3×16×16\n" in code
    assert "class FixtureV1KeptForever(nn.Module):" in code
    assert "    def forward(self, x: torch.Tensor) -> torch.Tensor:" in code
    assert "        down = self.down(x)  # 2×8×8×8\n" in code
    assert "        sum_1 = down + side  # 2×8×8×8\n" in code
    assert "        join = torch.cat([up, x], dim=1)  # 2×7×16×16\n" in code
    assert "        return join\n" in code
    assert "kernel_size=(3, 3)" in code and "bias=False" in code
    assert "dilation" not in code, "torch's defaults are implied, not written"
    assert "    x = torch.randn(2, 3, 16, 16)\n" in code


def test_class_name_option():
    graph = project.load(FIXTURE)
    assert "class Generator(nn.Module):" in export_code(graph, "Generator")
    for bad in ("1x", "my class", "class", "torch", "print", "Généré"):
        with pytest.raises(ExportError, match="is not usable"):
            export_code(graph, bad)


def test_errors_list_the_nodes():
    graph = project.load(FIXTURE)
    graph.set_params("up", {"in_channels": 5, "out_channels": 4, "kernel_size": 3})
    with pytest.raises(ExportError) as info:
        export_code(graph)
    assert [node_id for node_id, _ in info.value.problems] == ["up"]
    assert "'up': ConvTranspose2d 'up' expects 5 input channels but receives 8" in str(info.value)
    with pytest.raises(ExportError, match="nothing to export"):
        export_code(Graph())


def test_module_members_cover_torch():
    public = {name for name in dir(torch.nn.Module()) if not name.startswith("_")}
    assert public <= MODULE_MEMBERS
    private = {name for name in dir(torch.nn.Module()) if name.startswith("_") and not name.startswith("__")}
    assert private <= PRIVATE_MEMBERS


HOSTILE = [
    "\"); import os; os.system('echo pwned') #",
    "__import__('os').system('ls')",
    '"""',
    "a\\",
    "line\nbreak",
    "self",
    "torch",
    "nn",
    "forward",
    "train",
    "training",
    "super",
    "model",
    "print",
    "class",
    "None",
    "1abc",
    "X",
    "x",
    "x y",
    "é",
    "\u2028",
    "_",
    "a" * 300,
]


def test_hostile_names_ids_and_project_names_reach_the_code_only_as_identifiers_or_literals(tmp_path):
    graph = Graph('"""; import os; os.system("echo pwned"); """\\')
    graph.add_node(Node(HOSTILE[0], "Input", {"shape": [1, 2, 4, 4]}, name=HOSTILE[1]))
    previous = HOSTILE[0]
    for i, text in enumerate(HOSTILE[1:], start=1):
        node_type = "Output" if i % 5 == 0 else "Conv2d"
        params = {} if node_type == "Output" else {"in_channels": 2, "out_channels": 2, "kernel_size": 1, "padding_mode": "zeros"}
        graph.add_node(Node(text, node_type, params, name=HOSTILE[-i]))
        graph.connect(Edge(previous, text))
        if node_type == "Conv2d":
            previous = text
    check_against_engine(graph, tmp_path)
    ruff(tmp_path)
    run = subprocess.run([sys.executable, str(tmp_path / "exported.py")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "pwned" not in run.stdout.splitlines()


def test_string_params_are_checked_again():
    graph = project.load(FIXTURE)
    graph.node("down").params["padding_mode"] = "zeros'); import os #"
    with pytest.raises(ExportError, match="padding_mode"):
        export_code(graph)


# ----- random graphs with branches -----------------------------------------------------------------
names = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=8))


@st.composite
def random_design(draw) -> Graph:
    graph = Graph(draw(st.text(max_size=12)))
    engine = ShapeEngine(graph)

    def fresh(base: str) -> str:
        node_id, i = base, 1
        while node_id in graph:
            node_id, i = f"{base}{i}", i + 1
        return node_id

    for _ in range(draw(st.integers(1, 2))):
        size = draw(st.sampled_from([4, 5, 8]))
        graph.add_node(Node(fresh(draw(names)), "Input", {"shape": [2, draw(st.integers(1, 4)), size, size]}))
    for _ in range(draw(st.integers(1, 9))):
        engine.refresh()
        shapes = {n: engine.shape(n) for n in graph.node_ids() if graph.node(n).type_name != "Output"}
        op = draw(st.sampled_from(["conv", "conv", "convt", "add", "concat", "output"]))
        source = draw(st.sampled_from(sorted(shapes)))
        _, channels, height, _ = shapes[source]
        node_id = fresh(draw(names))
        if op == "conv":
            kernel = draw(st.sampled_from([1, 3]))
            params = {"in_channels": channels, "out_channels": draw(st.integers(1, 5)), "kernel_size": kernel}
            if kernel == 3:
                params["padding"] = 1
            if draw(st.booleans()):
                params["stride"] = 2
            if draw(st.booleans()):
                params["bias"] = False
            graph.add_node(Node(node_id, "Conv2d", params))
            graph.connect(Edge(source, node_id))
        elif op == "convt" and height <= 8:
            graph.add_node(Node(node_id, "ConvTranspose2d", {"in_channels": channels, "out_channels": 2, "kernel_size": 2, "stride": 2}))
            graph.connect(Edge(source, node_id))
        elif op in ("add", "concat"):
            partners = [n for n, s in shapes.items() if n != source and (s == shapes[source] if op == "add" else s[2:] == shapes[source][2:])]
            if partners:
                others = draw(st.lists(st.sampled_from(sorted(partners)), min_size=1, max_size=2, unique=True))
                graph.add_node(Node(node_id, "Add" if op == "add" else "Concat", {} if op == "add" else {"dim": 1}))
                for port, src in enumerate([source, *others]):
                    graph.connect(Edge(src, node_id, port))
        elif op == "output":
            graph.add_node(Node(node_id, "Output"))
            graph.connect(Edge(source, node_id))
    engine.close()
    return graph


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(random_design())
def test_random_graphs_export_and_match_the_engine(tmp_path, graph):
    check_against_engine(graph, tmp_path)
    ruff(tmp_path)
    assert project.dumps(project.loads(project.dumps(graph))) == project.dumps(graph)
