"""Every catalog type against torch with parameters drawn from the catalog's own declarations.

The family tests aim their strategies at each rule's edges; this one knows nothing about any layer and
draws from each parameter's kind, so a rule that forgets a parameter, or a kind that admits a value
torch would not, shows up here too.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import catalog, params
from tests.oracle import check_agreement

LAYER_TYPES = [s.type_name for s in catalog.all_specs() if s.kind in ("module", "op")]


def value_of(kind: params.Kind) -> st.SearchStrategy:
    small = st.integers(-1, 6)
    if isinstance(kind, params.Optional):
        return st.one_of(st.none(), value_of(kind.inner))
    if isinstance(kind, params.AnyOf):
        return st.one_of(*(value_of(k) for k in kind.kinds))
    if isinstance(kind, params.Boolean):
        return st.booleans()
    if isinstance(kind, params.Choice):
        return st.sampled_from(kind.values)
    if isinstance(kind, params.Integer):
        return small
    if isinstance(kind, params.Real):
        return st.sampled_from([0.0, 0.1, 0.5, 1.0, 2.0, 1e-5, -1.0, 3])
    if isinstance(kind, params.IntOrInts):
        return st.one_of(small, st.lists(small, min_size=kind.count, max_size=kind.count))
    if isinstance(kind, params.RealOrReals):
        return st.one_of(st.sampled_from([0.5, 1.0, 1.5, 2, 3]), st.lists(st.sampled_from([0.5, 1, 2.0]), min_size=1, max_size=3))
    if isinstance(kind, params.Ints):
        entry = st.one_of(st.integers(-1, 6), st.none()) if kind.allow_none else st.integers(-1, 6)
        items = st.lists(entry, min_size=kind.min_len, max_size=min(kind.max_len or 4, 4))
        return st.one_of(st.integers(-1, 6), items) if kind.allow_scalar else items
    raise AssertionError(f"no strategy for {kind!r}")


@st.composite
def layer_case(draw):
    spec = catalog.get(draw(st.sampled_from(LAYER_TYPES)))
    given_params = {}
    for p in spec.params:
        if p.required or draw(st.integers(0, 3)) == 0:
            value = draw(value_of(p.kind))
            if p.kind.accepts(value):
                given_params[p.name] = value
    if any(p.required and p.name not in given_params for p in spec.params):
        given_params = {p.name: draw(st.integers(1, 6)) for p in spec.params if p.required and p.kind.accepts(1)}
    shapes = []
    for _ in range(max(spec.input_range(given_params)[0], 1)):  # as many tensors as it takes with these params
        rank = draw(st.integers(1, 5))
        shapes.append(tuple(draw(st.integers(1, 7)) for _ in range(rank)))
    return spec.type_name, given_params, shapes


@settings(max_examples=max(settings().max_examples, 1000))
@given(layer_case())
def test_any_layer_with_any_declared_parameters_agrees_with_torch(case):
    type_name, given_params, shapes = case
    if not catalog.get(type_name).check_params(given_params):
        check_agreement(type_name, given_params, shapes)
