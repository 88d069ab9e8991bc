"""Lessons: each step sets up the design and docks it claims, on the user's own input, through
the undo stack; the text comes from the one lessons file, which ships with the app."""

import tomllib
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtWidgets import QDockWidget

from sepconv_gui.__main__ import parse_args
from sepconv_gui.engine import preset_kernel
from sepconv_gui.ui.shell.main_window import MainWindow
from sepconv_gui.ui.teach.lesson_steps import LessonError, load_lessons, parse_lessons
from sepconv_gui.ui.views.visibility import on_screen

ROOT = Path(__file__).resolve().parents[2]
ALL = ("normal", "spatial", "depthwise")

# By hand, on a 3-channel input: (preset, size, params, modes, P, pointwise, dock in front,
# a line of the Cost dock).
EXPECTED = [
    ("sharpen", 3, {}, ("normal",), 3, "identity", "costDock", "normal: k²·C·P = 9·3·3 = 81"),
    # Rank 1: 2k = 30 per channel.
    (
        "gaussian",
        15,
        {"sigma": 2.5},
        ("normal", "spatial"),
        3,
        "identity",
        "stagesDock",
        "spatial-separable: 2k·r·C = 30·1·3 = 90",
    ),
    # A difference of Gaussians is rank 2: two pairs, 2 * 18 per channel.
    (
        "difference_of_gaussians",
        9,
        {},
        ("normal", "spatial"),
        3,
        "identity",
        "differenceDock",
        "spatial-separable: 2k·r·C = 18·2·3 = 108",
    ),
    # 49*3 + 3*16 = 195 against 49*3*16 = 2352: 1/16 + 1/49 of it.
    (
        "laplacian_of_gaussian",
        7,
        {"sigma": 1.0},
        ("normal", "depthwise"),
        16,
        "random",
        "costDock",
        "depthwise-sep.: k²·C·M + C·M·P = 49·3·1 + 3·1·16 = 195",
    ),
    ("sobel_x", 3, {}, ALL, 3, "identity", "timingDock", "normal: k²·C·P = 9·3·3 = 81"),
]


@pytest.fixture
def window(qtbot, tmp_path):
    # The user's own input: a small photo-like image of their own, not the bundled sample.
    rng = np.random.default_rng(7)
    image = cv2.GaussianBlur(rng.integers(0, 255, (90, 120, 3), dtype=np.uint8), (0, 0), 2)
    path = tmp_path / "my own picture.png"
    cv2.imwrite(str(path), image)
    w = MainWindow(synchronous=True, open_default=False)
    qtbot.addWidget(w)
    w.open_path(path)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


def test_each_step_sets_up_what_it_claims(window, qtbot):
    guide = window.lessons
    assert len(guide.steps) == len(EXPECTED)
    undo = window.history.stack
    for index, (preset, size, params, modes, p, pointwise, front, cost) in enumerate(EXPECTED):
        before, count = window.controller.design, undo.count()
        window.actions_by_name[f"lesson_{index + 1}"].trigger()
        design = window.controller.design
        assert design.preset == preset and design.modes == modes
        assert design.out_channels == p and design.pointwise == pointwise
        np.testing.assert_allclose(design.kernel_array(), preset_kernel(preset, size, **params))
        assert window.kernel_editor.preset.currentData() == preset  # the dock shows it too
        assert window.controller.source_name == "my own picture.png"  # the input stays
        assert undo.count() == count + 1
        docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
        qtbot.waitUntil(lambda: on_screen(docks[front].widget()))
        assert on_screen(guide.panel) and on_screen(docks["designDock"].widget())
        assert any(line.startswith(cost) for line in window.cost_panel.lines), (
            cost,
            window.cost_panel.lines,
        )
        panel = guide.panel
        assert panel.title.text() == f"{index + 1}. {guide.steps[index].title}"
        assert panel.counter.text() == f"Step {index + 1} of 5"
        assert panel.measured.text().startswith("Now: ")
        assert window.stage_grid.mode == guide.steps[index].focus
        undo.undo()  # one step back gives the design before the lesson
        assert window.controller.design == before
        undo.redo()
    spatial = window.controller.last_result.results["spatial"]
    assert spatial.stages["vertical"].shape[2] == 3  # step 5: Sobel, one pair per channel


def test_next_and_back_walk_the_steps(window, qtbot):
    guide = window.lessons
    window.actions_by_name["lesson_1"].trigger()
    panel = guide.panel
    assert not panel.back.isEnabled() and panel.next.isEnabled()
    assert "weighted sum" in panel.body.text()
    panel.next.click()
    assert guide.index == 1 and window.controller.design.preset == "gaussian"
    assert "2k" in panel.body.text() and panel.measured.text().startswith("Now: 30 vs 225")
    panel.back.click()
    assert guide.index == 0 and window.controller.design.preset == "sharpen"
    guide.go(4)
    assert panel.back.isEnabled() and not panel.next.isEnabled()
    # The rank-2 step really runs two pairs: its vertical stage has r * C = 6 maps.
    guide.go(2)
    vertical = window.controller.last_result.results["spatial"].stages["vertical"]
    assert vertical.shape[2] == 6


def test_the_lessons_file_is_the_one_place_for_the_text_and_ships():
    steps = load_lessons()
    source = (ROOT / "resources" / "lessons.toml").read_text(encoding="utf-8")
    for step in steps:
        assert step.title in source and step.text.splitlines()[0] in source
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "lessons.toml" in data["tool"]["setuptools"]["package-data"]["sepconv_gui.resources"]


@pytest.mark.parametrize(
    "broken, says",
    [
        ('[[step]]\ntitle="t"\ntext="x"\npreset="nope"\nsize=3\nmodes=["normal"]', "step 1 (t)"),
        ('[[step]]\ntitle="t"\ntext="x"\npreset="box"\nsize=3\nmodes=["fast"]', "modes"),
        (
            '[[step]]\ntitle="t"\ntext="x"\npreset="box"\nsize=3\nmodes=["normal"]\n'
            'show=["sofaDock"]',
            "unknown dock sofaDock",
        ),
        ('[[step]]\ntitle="t"\npreset="box"\nsize=3\nmodes=["normal"]', "text is missing"),
        ("[[step]\n", "not valid TOML"),
    ],
)
def test_a_broken_lessons_file_says_where(broken, says):
    with pytest.raises(LessonError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_lessons(broken)


def test_lesson_flag_counts_from_one():
    assert parse_args(["--lesson", "3"]).lesson == 3
    with pytest.raises(SystemExit):
        parse_args(["--lesson", "0"])
