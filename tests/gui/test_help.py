"""Help: the glossary with its pictures, parameter tooltips, and the Getting Started tour end to end."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from designer.core.glossary import DIMENSIONS, PARAMETERS
from designer.widgets import settings
from designer.widgets.export_dialog import ExportDialog
from designer.widgets.help_glossary import picture
from designer.widgets.tour import STEPS
from tests.gui import app_support
from tests.gui.app_support import close_quietly, make_window, small_graph

app_env = app_support.app_env  # fixture


def test_the_help_menu_offers_the_tour_and_the_glossary(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        labels = [a.text().replace("&", "") for a in window.actions.menus["help"].actions() if a.text()]
        assert labels[:2] == ["Getting Started…", "Shapes and Parameters…"]
        window.actions.glossary.trigger()
        glossary = window.glossary
        assert glossary.isVisible() and not glossary.isModal()
        text = glossary.browser.toPlainText()
        for term in DIMENSIONS + PARAMETERS:
            assert term.meaning[1:] in text
        for term in PARAMETERS:
            assert term.formula in text
    finally:
        close_quietly(window)


def test_every_glossary_term_has_a_drawn_picture(qapp):
    for term in DIMENSIONS + PARAMETERS:
        image = picture(term.picture)
        painted = sum(image.pixelColor(x, y).alpha() > 0 for x in range(0, image.width(), 3) for y in range(0, image.height(), 3))
        assert painted > 40, term.picture


def test_each_parameter_says_what_it_does_on_its_label_and_every_box(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        window.document.select(["conv"])
        QApplication.processEvents()
        for name, row in window.inspector.rows.items():
            assert row.label.toolTip().startswith(f"<b>{name}</b>: "), name
            assert row.editor.toolTip() == row.label.toolTip(), name
        stride = window.inspector.rows["stride"].editor
        for spin in stride.spins:
            tip = spin.toolTip()
            assert tip.startswith("<b>stride</b>: Step between windows.") and not tip.startswith("H:")
        assert "This box: along H (height)" in stride.spins[0].toolTip()
    finally:
        close_quietly(window)


def test_the_first_start_offers_the_tour_quietly_once(app_env, qtbot):
    window = make_window(qtbot, small_graph())
    try:
        assert window.tour_offer is not None and window.tour_offer.isVisible()
        assert window.tour is None  # offered, not opened
        window._dismiss_tour_offer()
        assert window.tour_offer is None and settings.tour_offered()
    finally:
        close_quietly(window)
    again = make_window(qtbot, small_graph())
    try:
        assert again.tour_offer is None
    finally:
        close_quietly(again)


def test_the_tour_goes_from_the_example_to_a_first_exported_file(app_env, qtbot, tmp_path, monkeypatch):
    out = tmp_path / "my_first_generator.py"

    def save_instead_of_showing(dialog: ExportDialog) -> int:
        assert dialog.save_to(str(out))
        return 1

    monkeypatch.setattr(ExportDialog, "exec", save_instead_of_showing)
    window = make_window(qtbot, small_graph())
    try:
        window.show_tour()
        tour = window.tour
        assert tour.isVisible() and tour.counter.text() == f"Step 1 of {len(STEPS)}"
        assert not tour.done_now()
        for index in range(len(STEPS)):
            assert tour.index == index
            if index == 3:  # the user's own click on the Inspector's fix button
                qtbot.waitUntil(lambda: bool(window.inspector.fix_buttons))
                qtbot.mouseClick(window.inspector.fix_buttons[0], Qt.MouseButton.LeftButton)
            else:
                tour.act_button.click()
            QApplication.processEvents()
            assert tour.done_now(), STEPS[index].title
            assert tour.status.text().startswith("✓")
            if index < len(STEPS) - 1:
                tour.next.click()
        assert out.exists() and "class DCGANGenerator" in out.read_text()
        assert str(out) in tour.status.text() and tour.next.text() == "Finish"
        assert not window.document.engine.problems()
    finally:
        close_quietly(window)
