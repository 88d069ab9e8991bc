"""View > Engine threads caps the engine's threads, is remembered, and is applied at start."""

import pytest
from PySide6.QtWidgets import QMenu

from sepconv_gui import engine
from sepconv_gui.app import engine_threads
from sepconv_gui.app.settings import AppSettings
from sepconv_gui.ui.shell.engine_menu import add_engine_threads_menu


@pytest.fixture(autouse=True)
def default_threads():
    engine.set_num_threads(None)
    yield
    engine.set_num_threads(None)


def entries(submenu):
    return {action.data(): action for action in submenu.actions()}


def test_choosing_a_count_caps_the_engine_and_is_remembered(qtbot):
    menu = QMenu()
    settings = AppSettings()
    submenu = add_engine_threads_menu(menu, settings)
    actions = entries(submenu)
    assert list(actions) == engine_threads.choices() and actions[0].isChecked()
    assert engine.num_threads() == engine_threads.automatic_count()
    actions[1].trigger()
    assert engine.num_threads() == 1 and actions[1].isChecked() and not actions[0].isChecked()
    assert AppSettings().engine_threads() == 1
    # The next start reads it back and applies it before any convolution runs.
    engine.set_num_threads(None)
    second = QMenu()
    again = add_engine_threads_menu(second, AppSettings())
    assert entries(again)[1].isChecked() and engine.num_threads() == 1
    entries(again)[0].trigger()
    assert AppSettings().engine_threads() == 0
    assert engine.num_threads() == engine_threads.automatic_count()


def test_a_saved_count_this_machine_cannot_offer_falls_back_to_automatic(qtbot):
    settings = AppSettings()
    settings.set_engine_threads(99)
    menu = QMenu()
    submenu = add_engine_threads_menu(menu, settings)
    assert entries(submenu)[0].isChecked() and settings.engine_threads() == 0
    assert engine.num_threads() == engine_threads.automatic_count()


def test_automatic_at_start_leaves_a_cap_set_in_code(qtbot):
    engine.set_num_threads(1)
    menu = QMenu()
    submenu = add_engine_threads_menu(menu, AppSettings())
    assert entries(submenu)[0].isChecked() and engine.num_threads() == 1
