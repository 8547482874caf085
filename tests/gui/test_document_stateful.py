"""A Hypothesis state machine over the Document: random edits, undo, redo, save and reopen.

After every step the incrementally updated shapes equal a fresh full propagation; rewinding the undo
stack restores the initial design byte for byte and redoing brings the edits back; saving then
reopening gives the same design. ``HYPOTHESIS_PROFILE=deep`` runs many more steps.
"""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer.core import builders, examples, project  # noqa: E402
from designer.core.edits import AddNode, Connect, Disconnect, MoveNodes, RemoveNodes, Rename, SetParams  # noqa: E402
from designer.core.engine import ShapeEngine  # noqa: E402
from designer.core.errors import GraphError  # noqa: E402
from designer.core.graph import Edge, Node  # noqa: E402
from designer.document.document import Document  # noqa: E402

NEW_NODES = [
    ("Conv2d", {"in_channels": 64, "out_channels": 32, "kernel_size": 3, "padding": 1}),
    ("ConvTranspose2d", {"in_channels": 128, "out_channels": 64, "kernel_size": 4, "stride": 2, "padding": 1}),
    ("ReLU", {}),
    ("BatchNorm2d", {"num_features": 64}),
    ("Add", {}),
    ("Concat", {}),
    ("MaxPool2d", {"kernel_size": 2}),
    ("Flatten", {}),
    ("Linear", {"in_features": 64, "out_features": 10}),
]
PARAM_VALUES = st.one_of(
    st.integers(-2, 600), st.lists(st.integers(-1, 5), max_size=3), st.booleans(), st.sampled_from(["same", "zeros", "x", None])
)


def results(graph):
    engine = ShapeEngine(graph)
    return {n: (engine.result(n).shape, engine.result(n).message(), engine.result(n).param_count) for n in graph.node_ids()}


class DocumentMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        QApplication.instance() or QApplication([])
        self.doc = Document(project.load(examples.example_path(examples.DEFAULT_EXAMPLE)))
        self.initial = project.dumps(self.doc.graph)
        self.folder = tempfile.mkdtemp(prefix="stateful-")

    def _pick(self, index):
        ids = self.doc.graph.node_ids()
        return ids[index % len(ids)] if ids else None

    def _try(self, edit, mergeable=False):
        before = project.dumps(self.doc.graph)
        try:
            self.doc.apply(edit, mergeable)
        except GraphError:
            assert project.dumps(self.doc.graph) == before, "a refused edit must change nothing"

    @rule(kind=st.sampled_from(NEW_NODES), x=st.integers(-500, 500))
    def add(self, kind, x):
        type_name, params = kind
        self._try(AddNode(Node(self.doc.graph.new_id(type_name), type_name, dict(params), position=(x, 0))))

    @rule(a=st.integers(0, 99), b=st.integers(0, 99))
    def delete(self, a, b):
        ids = {self._pick(a), self._pick(b)} - {None}
        if ids:
            self._try(RemoveNodes(sorted(ids)))

    @rule(a=st.integers(0, 99), b=st.integers(0, 99), port=st.integers(0, 2))
    def connect(self, a, b, port):
        if self.doc.graph.node_ids():
            self._try(Connect(Edge(self._pick(a), self._pick(b), port)))

    @rule(k=st.integers(0, 99))
    def disconnect(self, k):
        edges = list(self.doc.graph.edges())
        if edges:
            self._try(Disconnect(edges[k % len(edges)]))

    @rule(a=st.integers(0, 99), name_index=st.integers(0, 9), value=PARAM_VALUES, merge=st.booleans())
    def set_param(self, a, name_index, value, merge):
        node_id = self._pick(a)
        if node_id is None:
            return
        node = self.doc.graph.node(node_id)
        names = list(node.params) or ["bogus"]
        params = dict(node.params)
        params[names[name_index % len(names)]] = value
        self._try(SetParams(node_id, params), mergeable=merge)

    @rule(a=st.integers(0, 99), x=st.integers(-2000, 2000), y=st.integers(-2000, 2000))
    def move(self, a, x, y):
        if (node_id := self._pick(a)) is not None:
            self._try(MoveNodes({node_id: (x, y)}))

    @rule(a=st.integers(0, 99), name=st.text(max_size=12))
    def rename(self, a, name):
        if (node_id := self._pick(a)) is not None:
            self._try(Rename(node_id, name))

    @rule(a=st.integers(0, 99), b=st.integers(0, 99))
    def paste(self, a, b):
        """Copy two nodes (and the edge between them, if any) and paste them under fresh ids, as one undo step."""
        chosen = [n for n in dict.fromkeys([self._pick(a), self._pick(b)]) if n is not None]
        if not chosen:
            return
        text = builders.copy_text(self.doc.graph, chosen, {n: (0.0, 0.0) for n in chosen})
        edit, _ = builders.paste_edit(self.doc.graph, text, (40, 40))
        self._try(edit)

    @rule()
    def undo(self):
        self.doc.undo_stack.undo()

    @rule()
    def redo(self):
        self.doc.undo_stack.redo()

    @rule()
    def rewind_and_replay(self):
        now = project.dumps(self.doc.graph)
        index = self.doc.undo_stack.index()
        self.doc.undo_stack.setIndex(0)
        assert project.dumps(self.doc.graph) == self.initial
        self.doc.undo_stack.setIndex(index)
        assert project.dumps(self.doc.graph) == now

    @rule()
    def save_and_reopen(self):
        path = os.path.join(self.folder, "design.json")
        self.doc.save(path)
        assert not self.doc.modified
        assert project.dumps(project.load(path)) == project.dumps(self.doc.graph)

    @invariant()
    def incremental_equals_full(self):
        engine = self.doc.engine
        incremental = {n: (engine.result(n).shape, engine.result(n).message(), engine.result(n).param_count) for n in self.doc.graph.node_ids()}
        assert incremental == results(self.doc.graph)


DocumentMachine.TestCase.settings = settings(
    max_examples=max(settings().max_examples // 4, 25), stateful_step_count=30, deadline=None
)
test_document_state_machine = DocumentMachine.TestCase
