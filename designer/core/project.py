"""Project files: the JSON format (versions 1 to 4), strict loading with places, migrations, atomic saving.

A file is one JSON object: ``format``, ``version``, ``name``, ``nodes`` (``id``, ``type``, ``params``,
optional ``name``, ``repeat`` and ``position``) and ``edges`` (``source``, ``target``, ``target_port``).
Version 3 adds ``blocks``: name → ``{"arguments": {name: default}, "nodes": [...], "edges": [...]}``,
whose params may be references ``{"arg": "cin"}`` (see ``designer.core.blocks``). Version 4 adds an
edge's ``source_port`` (which output of a layer with several feeds it; written only when not 0) and an
Input's ``dtype`` ("float32" or "int64"). Loading
refuses anything the model could not hold and says where (``nodes[3] (id 'up2'): ...``); cycles and
wrong input counts load fine, because the shape engine explains them on the nodes. Files from older
format versions pass through numbered one-step migrations; newer ones are refused. ``dumps`` writes a
canonical text (stable key order, one node and one edge per line) so that load → save of a canonical
file gives identical bytes and diffs stay clean in git.
"""

from __future__ import annotations

import contextlib
import difflib
import functools
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import Any

from designer.core import blocks, catalog, limits
from designer.core.errors import GraphError
from designer.core.graph import Edge, Graph, Node
from designer.core.params import is_int
from designer.core.shapes import BATCH_SYMBOL, batch_is_open
from designer.core.spec import short_repr

FORMAT = "model-designer-project"
FORMAT_VERSION = 4  # 2: an Input's shape may start with "N", a batch size left open; 3: blocks;
#                    4: edges from other outputs than the first (source_port), an Input's dtype

_PROJECT_KEYS = ("format", "version", "name", "blocks", "nodes", "edges")
_BLOCK_KEYS = ("arguments", "nodes", "edges")
_NODE_KEYS = ("id", "type", "name", "params", "repeat", "position")
_EDGE_KEYS = ("source", "target", "source_port", "target_port")


class ProjectError(Exception):
    """A project file that cannot be read or written. ``str()`` is one sentence naming the file and place.

    ``path`` is the file (or ``"<string>"``), ``location`` the place inside it (``"nodes[3] (id 'up2')"``,
    ``"line 4, column 7"``) or None, ``message`` the bare sentence.
    """

    def __init__(self, message: str, path: str | os.PathLike | None = None, location: str | None = None):
        self.message = message
        self.path = os.fspath(path) if path is not None else None
        self.location = location
        parts = [_display_name(self.path)] if self.path is not None else []
        if location:
            parts.append(location)
        super().__init__(": ".join(parts + [message]))


def _display_name(path: str) -> str:
    return os.path.basename(path) or path


# ----- migrations ----------------------------------------------------------------------------------
# MIGRATIONS[n] turns a version-n document into a version-(n + 1) document. Each step is pure, small and
# kept forever, with a fixture file per version in tests/core/fixtures/ (project_v1.json, project_v2.json,
# ...). A file may use only its declared version's features (``_check_features``).
Migration = Callable[[dict], dict]


def _v1_to_v2(data: dict) -> dict:
    """Version 2 lets an Input's shape start with "N"; every version-1 file is a valid version-2 file."""
    return data


def _v2_to_v3(data: dict) -> dict:
    """Version 3 adds block definitions and instances; every version-2 file is a valid version-3 file."""
    return data


def _v3_to_v4(data: dict) -> dict:
    """Version 4 adds edges' ``source_port`` and Inputs' ``dtype``; every version-3 file is a valid version-4 file."""
    return data


MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def migrate(data: dict, version: int, current: int = FORMAT_VERSION, steps: dict[int, Migration] | None = None) -> dict:
    """Bring a version-``version`` document up to ``current``, one numbered step at a time."""
    steps = MIGRATIONS if steps is None else steps
    while version < current:
        data = steps[version](data)
        version += 1
        data["version"] = version
    return data


# ----- the design's name -----------------------------------------------------------------------------
UNTITLED = "Untitled"  # the name of a design nobody has named


def file_stem(path: str | os.PathLike) -> str:
    """``my_gan`` for ``/home/me/my_gan.json``: what a design kept in that file is called."""
    return os.path.splitext(os.path.basename(os.fspath(path)))[0] or UNTITLED


def name_following_file(name: str, path: str | os.PathLike, previous_path: str | os.PathLike | None = None) -> str:
    """The design's name once it lives in ``path``: the file's name while the design has none of its own
    (it is still Untitled, or has been following ``previous_path``); a name someone gave it stays."""
    if not name.strip() or name == UNTITLED or (previous_path is not None and name == file_stem(previous_path)):
        return file_stem(path)
    return name


# ----- loading -------------------------------------------------------------------------------------
def load(path: str | os.PathLike) -> Graph:
    """Read a project file (any path, any extension; UTF-8, a byte order mark is tolerated)."""
    try:
        size = os.path.getsize(path)
        if size > limits.MAX_FILE_BYTES:
            raise ProjectError(f"the file is {size:,} bytes; project files are limited to {limits.MAX_FILE_BYTES:,}", path)
        with open(path, "rb") as f:
            raw = f.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ProjectError(f"cannot read the file: {_os_reason(exc)}", path) from None
    if len(raw) > limits.MAX_FILE_BYTES:
        raise ProjectError(f"the file is larger than {limits.MAX_FILE_BYTES:,} bytes, the limit for project files", path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProjectError(f"the file is not UTF-8 text (byte {exc.start} cannot be decoded)", path) from None
    return loads(text, os.fspath(path))


def loads(text: str, source: str = "<string>") -> Graph:
    """Build a Graph from project-file text; ``source`` names the file in messages."""
    if len(text) > limits.MAX_FILE_BYTES:
        raise ProjectError(
            f"the text is larger than {limits.MAX_FILE_BYTES:,} characters, the limit for project files", source
        )
    data = _parse(text, source)
    if not isinstance(data, dict):
        raise ProjectError(f"a project file holds one JSON object {{...}}, not {_json_kind(data)}", source)
    if data.get("format") != FORMAT:
        found = f"its \"format\" is {short_repr(data['format'])}" if "format" in data else "it has no \"format\" field"
        raise ProjectError(f"this is not a Model Designer project: {found}, expected {FORMAT!r}", source)
    version = _version(data, source)
    _check_limits(data, source)
    _check_features(data, version, source)
    data = migrate(data, version)
    return _build(data, source)


def _parse(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, **limits.parse_hooks())
    except json.JSONDecodeError as exc:
        raise ProjectError(f"this is not valid JSON: {exc.msg}", source, f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise ProjectError(f"the JSON is nested too deeply (a project needs at most {limits.MAX_DEPTH} levels)", source) from None
    except _DuplicateKey as exc:
        raise ProjectError(f"the key {short_repr(exc.key)} appears twice in one object", source) from None
    except ValueError as exc:  # the last word: the number hooks catch what Python itself refuses
        raise ProjectError(f"this JSON cannot be read: {exc}", source) from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _check_features(data: dict, version: int, source: str) -> None:
    """Refuse what the declared version cannot hold: a file that says version 1 but leaves a batch open
    was written by hand or by a broken tool, and an older release would misread it."""
    if version < 3 and "blocks" in data:
        raise ProjectError(_newer_feature('"blocks" (block definitions)', 3, version), source, "blocks")
    nodes = data.get("nodes")
    for i, record in enumerate(nodes if isinstance(nodes, list) else ()):
        if not isinstance(record, dict):
            continue
        if version < 3 and "repeat" in record:
            raise ProjectError(_newer_feature('"repeat" (a repeated block)', 3, version), source, f"nodes[{i}].repeat")
        params = record.get("params")
        if version < 2 and record.get("type") == "Input" and isinstance(params, dict) and batch_is_open(params.get("shape")):
            raise ProjectError(
                _newer_feature(f'a shape starting with "{BATCH_SYMBOL}" (a batch left open)', 2, version),
                source,
                f"nodes[{i}].params.shape[0]",
            )
        if version < 4 and record.get("type") == "Input" and isinstance(params, dict) and "dtype" in params:
            raise ProjectError(_newer_feature('an Input\'s "dtype"', 4, version), source, f"nodes[{i}].params.dtype")
    places = [("edges", data.get("edges"))]
    if isinstance(data.get("blocks"), dict):
        places += [(f"blocks.{name}.edges", b.get("edges")) for name, b in data["blocks"].items() if isinstance(b, dict)]
    for where, edges in places:
        for i, record in enumerate(edges if isinstance(edges, list) else ()):
            if version < 4 and isinstance(record, dict) and "source_port" in record:
                raise ProjectError(
                    _newer_feature('"source_port" (an edge from another output than the first)', 4, version),
                    source,
                    f"{where}[{i}].source_port",
                )


def _newer_feature(feature: str, needed: int, declared: int) -> str:
    return (
        f"{feature} needs project format version {needed}, but the file declares version {declared}; "
        f'set "version" to {needed} if the file was written for this Model Designer'
    )


def _version(data: dict, source: str) -> int:
    if "version" not in data:
        raise ProjectError("the \"version\" field is missing", source)
    version = data["version"]
    if not is_int(version):
        raise ProjectError(f"\"version\" must be an integer, got {short_repr(version)}", source)
    if version > FORMAT_VERSION:
        raise ProjectError(
            f"this file uses project format version {version}, but this Model Designer reads versions up to "
            f"{FORMAT_VERSION}; open it with a newer Model Designer",
            source,
        )
    if version < 1:
        raise ProjectError(f"\"version\" {version} does not exist; versions start at 1", source)
    return version


def _check_limits(data: dict, source: str) -> None:
    """Refuse what no design may hold before any further work: counts, depth, texts, lists, numbers.

    The sentences are ``designer.core.limits``'s, the same an edit in the app gets; the place names the
    node by index and id and the field inside it.
    """
    nodes, edges = data.get("nodes"), data.get("edges")
    inner = data.get("blocks")
    counted = [nodes] + ([b.get("nodes") for b in inner.values() if isinstance(b, dict)] if isinstance(inner, dict) else [])
    total = sum(len(n) for n in counted if isinstance(n, list))
    if total > limits.MAX_NODES:
        raise ProjectError(f"the file has {total:,} nodes; the limit is {limits.MAX_NODES:,}", source, "nodes")
    if isinstance(edges, list) and len(edges) > limits.MAX_EDGES:
        raise ProjectError(f"the file has {len(edges):,} edges; the limit is {limits.MAX_EDGES:,}", source, "edges")
    for key, value in data.items():
        problem = limits.text_problem(key, "the key")
        if problem:
            raise ProjectError(problem, source, "the top level")
        if key in ("nodes", "edges") and isinstance(value, list):
            for i, item in enumerate(value):
                _refuse_beyond_limits(item, [key, i], limits.MAX_DEPTH - 2, data, source)
        else:
            _refuse_beyond_limits(value, [key], limits.MAX_DEPTH - 1, data, source)


def _refuse_beyond_limits(value: Any, path: list[str | int], depth: int, data: dict, source: str) -> None:
    found = limits.value_problem(value, depth)
    if found is not None:
        inner, sentence = found
        raise ProjectError(sentence, source, _json_path(path + inner, data))


def _json_path(path: list[str | int], data: dict | None = None) -> str:
    """``nodes[3] (id 'up2').params.kernel_size[1]``: the place of a value, its node named by id."""
    out = ""
    for depth, part in enumerate(path):
        if isinstance(part, int):
            out += f"[{part}]"
            if depth == 1 and path[0] == "nodes" and data is not None:
                out += _node_id_note(data["nodes"][part])
        else:
            text = short_repr(part, 40)[1:-1] if not part.isidentifier() else part
            out += f".{text}" if out else text
    return out or "the top level"


def _node_id_note(record: Any) -> str:
    node_id = record.get("id") if isinstance(record, dict) else None
    if isinstance(node_id, str) and node_id and not limits.text_problem(node_id):
        return f" (id {short_repr(node_id, 40)})"
    return ""


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _unknown_keys(record: dict, known: tuple[str, ...], source: str, where: str, what: str) -> None:
    for key in record:
        if key not in known:
            raise ProjectError(f"unknown field {short_repr(key)}; {what} has {', '.join(known)}", source, where)


def _build(data: dict, source: str) -> Graph:
    _unknown_keys(data, _PROJECT_KEYS, source, "the top level", "a project")
    name = data.get("name", UNTITLED)
    if not isinstance(name, str):
        raise ProjectError(f"\"name\" must be a text, got {short_repr(name)}", source)
    graph = Graph(name, _blocks(data.get("blocks", {}), source))
    _fill(graph, data, source, "")
    return graph


def _fill(graph: Graph, data: dict, source: str, prefix: str) -> None:
    """Add the ``nodes`` and ``edges`` of ``data`` (the project, or a block at ``prefix``) to ``graph``."""
    nodes = data.get("nodes")
    if not isinstance(nodes, list):
        raise ProjectError(f"\"nodes\" must be a list of nodes, got {_missing_or(nodes, 'nodes' in data)}", source, prefix[:-1] or None)
    edges = data.get("edges", [])
    if not isinstance(edges, list):
        raise ProjectError(f"\"edges\" must be a list of edges, got {_json_kind(edges)}", source, prefix[:-1] or None)
    for i, record in enumerate(nodes):
        node = _node(record, i, graph, source, prefix)
        try:
            graph.add_node(node)
        except GraphError as exc:  # the model's own checks stay the last word
            raise ProjectError(str(exc), source, f"{prefix}nodes[{i}] (id {short_repr(node.id, 40)})") from None
    for i, record in enumerate(edges):
        _edge(record, i, graph, source, prefix)


def _blocks(data: Any, source: str) -> dict[str, blocks.BlockDef]:
    """The block definitions, each checked with its place; a block that uses itself is refused."""
    if not isinstance(data, dict):
        raise ProjectError(f"\"blocks\" must be an object of block definitions {{name: {{...}}}}, got {_json_kind(data)}", source)
    uses: dict[str, set[str]] = {}
    arguments: dict[str, dict] = {}
    for name, record in data.items():
        where = f"blocks.{short_repr(name, 40) if not name.isidentifier() else name}"
        if not blocks.valid_block_name(name):
            why = "is a layer type" if catalog.exists(name) else "is not an identifier such as 'BasicBlock'"
            raise ProjectError(f"the block name {short_repr(name, 40)} {why}; block names are identifiers that are no layer type", source, where)
        if not isinstance(record, dict):
            raise ProjectError(f"a block must be an object {{\"arguments\": ..., \"nodes\": ..., \"edges\": ...}}, got {_json_kind(record)}", source, where)
        _unknown_keys(record, _BLOCK_KEYS, source, where, "a block")
        arguments[name] = _arguments(record.get("arguments", {}), source, where)
        nodes = record.get("nodes")
        types = [n.get("type") for n in nodes if isinstance(n, dict)] if isinstance(nodes, list) else []
        uses[name] = {t for t in types if isinstance(t, str) and t in data}
    cycle = blocks.find_cycle(uses)
    if cycle:
        raise ProjectError(blocks.cycle_sentence(cycle), source, f"blocks.{cycle[0]}")
    library: dict[str, blocks.BlockDef] = {}
    for name in blocks.dependency_order(uses):  # a block is filled after the blocks it uses
        block = blocks.BlockDef(name, arguments[name], Graph(name, library, arguments[name]))
        library[name] = block
        _fill(block.graph, data[name], source, f"blocks.{name}.")
        for node_id, sentence in blocks.definition_problems(block):
            raise ProjectError(sentence, source, f"blocks.{name}" + (f" (node {node_id!r})" if node_id else ""))
    ordered = {name: library[name] for name in data}  # file order, so saving gives the same bytes
    library.clear()
    library.update(ordered)
    return library


def _arguments(data: Any, source: str, where: str) -> dict:
    where = f"{where}.arguments"
    if not isinstance(data, dict):
        raise ProjectError(f"\"arguments\" must be an object {{name: default}}, got {_json_kind(data)}", source, where)
    for name, default in data.items():
        if not blocks.valid_argument_name(name):
            raise ProjectError(f"the argument name {short_repr(name, 40)} is not an identifier such as 'cin'", source, where)
        if blocks.is_reference(default) or isinstance(default, dict):
            raise ProjectError(f"the default of {name} must be a plain value (a number, text, list, true/false or null), "
                               f"got {short_repr(default)}", source, where)
    return dict(data)


def _missing_or(value: Any, present: bool) -> str:
    return _json_kind(value) if present else "nothing (the field is missing)"


def _node(record: Any, i: int, graph: Graph, source: str, prefix: str = "") -> Node:
    where = f"{prefix}nodes[{i}]"
    if not isinstance(record, dict):
        raise ProjectError(f"a node must be an object {{\"id\": ..., \"type\": ...}}, got {_json_kind(record)}", source, where)
    node_id = record.get("id")
    if not isinstance(node_id, str) or not node_id:
        raise ProjectError(f"\"id\" must be a non-empty text, got {_missing_or(node_id, 'id' in record)}", source, where)
    where = f"{prefix}nodes[{i}] (id {short_repr(node_id, 40)})"
    if node_id in graph:
        raise ProjectError(f"the id {short_repr(node_id, 40)} is used by {prefix}nodes[{graph.index_of(node_id)}] already; ids must be unique", source, where)
    if graph.arguments is not None and blocks.PATH_SEPARATOR in node_id:
        raise ProjectError(f"a node id inside a block cannot contain {blocks.PATH_SEPARATOR!r}, which separates the parts of a path", source, where)
    _unknown_keys(record, _NODE_KEYS, source, where, "a node")
    type_name = record.get("type")
    if not isinstance(type_name, str):
        raise ProjectError(f"\"type\" must be a layer type name, got {_missing_or(type_name, 'type' in record)}", source, where)
    if not graph.knows_type(type_name):
        close = difflib.get_close_matches(type_name, catalog.type_names() + list(graph.blocks), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ProjectError(f"unknown layer type {short_repr(type_name, 40)}{hint}", source, where)
    params = record.get("params", {})
    if not isinstance(params, dict):
        raise ProjectError(f"\"params\" must be an object, got {_json_kind(params)}", source, where)
    repeat = record.get("repeat")
    try:
        graph.check_params(node_id, type_name, params)
        graph.check_repeat(node_id, type_name, repeat)
    except GraphError as exc:
        raise ProjectError(exc.message, source, where) from None
    name = record.get("name")
    if name is not None and not isinstance(name, str):
        raise ProjectError(f"\"name\" must be a text, got {_json_kind(name)}", source, where)
    position = record.get("position")
    if position is not None:
        if not (isinstance(position, list) and len(position) == 2 and all(_is_number(v) for v in position)):
            raise ProjectError(f"\"position\" must be a list of 2 numbers [x, y], got {short_repr(position)}", source, where)
        position = (position[0], position[1])
        problem = limits.position_problem(position)
        if problem:
            raise ProjectError(problem, source, f"{where}.position")
    return Node(node_id, type_name, params, name, position, repeat)


def _is_number(value: Any) -> bool:
    return is_int(value) or (isinstance(value, float) and math.isfinite(value))


def _edge(record: Any, i: int, graph: Graph, source: str, prefix: str = "") -> None:
    where = f"{prefix}edges[{i}]"
    if not isinstance(record, dict):
        raise ProjectError(f"an edge must be an object {{\"source\": ..., \"target\": ...}}, got {_json_kind(record)}", source, where)
    _unknown_keys(record, _EDGE_KEYS, source, where, "an edge")
    for end in ("source", "target"):
        value = record.get(end)
        if not isinstance(value, str):
            raise ProjectError(f"\"{end}\" must be a node id, got {_missing_or(value, end in record)}", source, where)
        if value not in graph:
            raise ProjectError(f"\"{end}\" {short_repr(value, 40)} is not the id of any node", source, where)
    port = record.get("target_port", 0)
    if not is_int(port) or not 0 <= port <= limits.MAX_PORT:
        raise ProjectError(
            f"\"target_port\" must be an integer from 0 to {limits.MAX_PORT}, got {short_repr(port)}", source, where
        )
    output = record.get("source_port", 0)
    if not is_int(output) or not 0 <= output <= limits.MAX_PORT:
        raise ProjectError(
            f"\"source_port\" must be an integer from 0 to {limits.MAX_PORT}, got {short_repr(output)}", source, where
        )
    edge = Edge(record["source"], record["target"], port, output)
    known = graph.output_count(edge.source)
    if known is not None and output >= known:
        origin = graph.node(edge.source)
        raise ProjectError(
            f"{origin.type_name} {short_repr(edge.source, 40)} has {known} output{'s' if known != 1 else ''}, so there is no output {output}; "
            f"\"source_port\" counts its outputs from 0",
            source,
            f"{where}.source_port",
        )
    target = graph.node(edge.target)
    if target.type_name in graph.blocks and not catalog.exists(target.type_name):
        ports = graph.blocks[target.type_name].inputs()
        if port >= len(ports):  # a block's ports are its Inputs: an edge beyond them has nowhere to go
            names = ", ".join(f"{i} ({p!r})" for i, p in enumerate(ports)) or "none"
            raise ProjectError(
                f"{target.type_name} {short_repr(edge.target, 40)} has {len(ports)} input(s), one per Input node of the "
                f"block (ports {names}), so there is no input {port}",
                source,
                where,
            )
    taken = graph.inputs(edge.target).get(port)
    if taken is not None:
        raise ProjectError(
            f"input {port} of {short_repr(edge.target, 40)} already has an edge (from {short_repr(taken, 40)}); "
            f"an input port takes one edge, give this one another \"target_port\"",
            source,
            where,
        )
    try:
        graph.connect(edge, strict=False)
    except GraphError as exc:  # the model's own checks stay the last word
        raise ProjectError(str(exc), source, where) from None


# ----- saving --------------------------------------------------------------------------------------
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def dumps(graph: Graph) -> str:
    """The canonical text of ``graph``: stable key order, one node and one edge per line, trailing newline."""
    encode = _ENCODER.encode
    try:
        node_lines, edge_lines = _graph_lines(graph)
        definitions = [
            f"    {encode(name)}: {{\n"
            f'      "arguments": {encode(block.arguments)},\n'
            f'      "nodes": {_block(lines[0], 6)},\n'
            f'      "edges": {_block(lines[1], 6)}\n'
            "    }"
            for name, block in graph.blocks.items()
            for lines in [_graph_lines(block.graph)]
        ]
    except (TypeError, ValueError) as exc:
        raise ProjectError(f"the design holds a value JSON cannot store ({exc})", "<project>") from None
    blocks_text = '  "blocks": {\n' + ",\n".join(definitions) + "\n  },\n" if definitions else ""
    return (
        "{\n"
        f'  "format": {encode(FORMAT)},\n'
        f'  "version": {_version_needed(graph)},\n'
        f'  "name": {encode(graph.name)},\n'
        f"{blocks_text}"
        f'  "nodes": {_block(node_lines)},\n'
        f'  "edges": {_block(edge_lines)}\n'
        "}\n"
    )


def _graph_lines(graph: Graph) -> tuple[list[str], list[str]]:
    encode = _ENCODER.encode
    node_lines = [encode(_node_record(node)) for node in graph.nodes()]
    edge_lines = [encode(_edge_record(e)) for e in graph.edges()]
    return node_lines, edge_lines


def _edge_record(edge: Edge) -> dict:
    if edge.source_port:
        return {"source": edge.source, "source_port": edge.source_port, "target": edge.target, "target_port": edge.target_port}
    return {"source": edge.source, "target": edge.target, "target_port": edge.target_port}


def _version_needed(graph: Graph) -> int:
    """The oldest format that holds ``graph``: files stay readable by older releases, and a version-1
    file saved again is byte for byte the same."""
    graphs = [graph, *(block.graph for block in graph.blocks.values())]
    if any(e.source_port for g in graphs for e in g.edges()) or any(
        n.type_name == "Input" and "dtype" in n.params for g in graphs for n in g.nodes()
    ):
        return 4
    if graph.blocks:
        return 3
    open_batch = any(n.leaves_batch_open for n in graph.nodes())
    return 2 if open_batch else 1


def _block(lines: list[str], indent: int = 2) -> str:
    if not lines:
        return "[]"
    pad = " " * indent
    return f"[\n{pad}  " + f",\n{pad}  ".join(lines) + f"\n{pad}]"


def _node_record(node: Node) -> dict:
    record: dict[str, Any] = {"id": node.id, "type": node.type_name}
    if node.name is not None:
        record["name"] = node.name
    params = node.params
    order = _param_order(node.type_name)
    if len(params) > 1 and list(params) != [k for k in order if k in params]:
        params = {k: params[k] for k in order if k in params} | {k: v for k, v in params.items() if k not in order}
    record["params"] = params
    if node.repeat is not None:
        record["repeat"] = node.repeat
    if node.position is not None:
        record["position"] = node.position
    return record


@functools.cache
def _param_order(type_name: str) -> tuple[str, ...]:
    return catalog.get(type_name).param_names if catalog.exists(type_name) else ()


def encode(graph: Graph, path: str | os.PathLike | None = None) -> bytes:
    """The bytes of the file ``graph`` saves as, or ``ProjectError`` (naming ``path`` and the place) when
    the loader would refuse them: a text UTF-8 cannot store, or a file larger than the limit."""
    source = path if path is not None else "<project>"
    try:
        data = dumps(graph).encode("utf-8")
    except UnicodeEncodeError:
        location, sentence = _unencodable_place(graph)
        raise ProjectError(sentence, source, location) from None
    inside = sum(len(block.graph) for block in graph.blocks.values())
    problem = limits.count_problem(len(graph) + inside) if inside else None
    if problem:  # the loader counts the layers inside block definitions too
        raise ProjectError(f"{problem} (counting the layers inside blocks)", source)
    problem = limits.size_problem(len(data))
    if problem:
        raise ProjectError(f"{problem}; shorten names or split the design", source)
    return data


def _unencodable_place(graph: Graph) -> tuple[str | None, str]:
    """Where the text UTF-8 cannot store sits (the design's name, or a node's id, name or parameter)."""
    problem = limits.text_problem(graph.name, "the design's name")
    if problem:
        return None, problem
    for i, node in enumerate(graph.nodes()):
        where = f"nodes[{i}] (id {short_repr(node.id, 40)})"
        for field, text in (("id", node.id), ("name", node.name or "")):
            problem = limits.text_problem(text, f"the {field}")
            if problem:
                return where, problem
        found = limits.value_problem(node.params)
        if found is not None:
            inner, sentence = found
            return f"{where}.params" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in inner), sentence
    return None, "the design holds text that cannot be saved as UTF-8"


def save(graph: Graph, path: str | os.PathLike) -> None:
    """Write ``graph`` to ``path`` atomically, keeping the previous file as ``path + '.bak'``.

    The text goes to a temporary file in the same folder, is flushed and synced, then replaces the
    target in one step, so a crash leaves either the old file or the new one, never half of one.
    Raises ``ProjectError`` for every failure, a design the loader would refuse included; then the
    file on disk is untouched.
    """
    data = encode(graph, path)
    try:
        write_atomically(path, data, backup=True)
    except OSError as exc:
        raise ProjectError(f"cannot save the file: {_os_reason(exc)}", path) from None


def write_atomically(path: str | os.PathLike, data: bytes, backup: bool = False) -> None:
    """Replace ``path`` by ``data`` in one step (temporary file in the same folder, synced, renamed).

    An existing file keeps its permissions and, with ``backup``, is first copied to ``path + '.bak'``.
    Raises ``OSError``; then no temporary file is left behind.
    """
    target = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(target)
    tmp = None
    try:
        existing = os.path.exists(target)
        mode = os.stat(target).st_mode & 0o777 if existing else _default_mode()
        fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if existing and backup:
            _backup(target)
        os.replace(tmp, target)
        tmp = None
        _sync_folder(folder)
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def backup_path(path: str | os.PathLike) -> str:
    """Where ``save`` keeps the previous version of ``path``."""
    return os.path.realpath(os.fspath(path)) + ".bak"


def _backup(target: str) -> None:
    """Copy the current file to ``target.bak`` (itself atomically, so a crash never leaves half a backup)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".bak.tmp", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "wb") as out, open(target, "rb") as src:
            shutil.copyfileobj(src, out)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(target, tmp)
        os.replace(tmp, target + ".bak")
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable where the platform allows opening a folder."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _os_reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return reason[:1].lower() + reason[1:] if reason else type(exc).__name__
