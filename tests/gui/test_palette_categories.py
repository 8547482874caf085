"""Every catalog category has its own colour in both schemes, and the palette shows it as a group."""

from designer.canvas import palette as colours
from designer.canvas import style
from designer.core import catalog
from designer.widgets.palette import Palette


def test_every_category_has_a_colour_of_its_own_in_both_schemes():
    for table in (colours.CATEGORY_LIGHT, colours.CATEGORY_DARK):
        assert set(catalog.CATEGORIES) <= set(table)
        shown = [table[c].lower() for c in catalog.CATEGORIES]
        assert len(set(shown)) == len(shown)


def test_the_palette_groups_every_type_under_its_category(qtbot):
    panel = Palette()
    qtbot.addWidget(panel)
    groups = {panel.tree.topLevelItem(i).text(0): panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())}
    assert {s.category for s in catalog.all_specs()} <= set(groups)
    for category in ("Math", "Shape"):
        names = {groups[category].child(i).text(0) for i in range(groups[category].childCount())}
        assert names == {s.type_name for s in catalog.all_specs() if s.category == category}
        assert style.current().category(category) != style.current().category("Graph")
