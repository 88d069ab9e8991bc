"""The automatic mapping of a view is decided from the array it shows, and only when used."""

import numpy as np

from sepconv_gui.ui.views import image_panel
from sepconv_gui.ui.views.display import shared_look
from sepconv_gui.ui.views.image_panel import ImagePanel

UNIT = np.linspace(0.0, 1.0, 12, dtype=np.float32).reshape(3, 4)  # a blur: clip
EDGES = UNIT - 0.5  # clearly negative values: signed


def test_auto_is_decided_on_request_and_kept_for_later_frames(qtbot):
    panel = ImagePanel("t")
    qtbot.addWidget(panel)
    panel.show_array(UNIT)
    assert panel.mapping == "clip"
    panel.show_array(EDGES, choose_mapping=True)  # a design's first result: decide again
    assert panel.mapping == "signed" and panel.auto_mapping == "signed"
    panel.show_array(UNIT, choose_mapping=False)  # later live frames keep it
    assert panel.mapping == "signed"


def test_a_view_showing_the_shared_look_does_not_decide_its_own(qtbot, monkeypatch):
    panel = ImagePanel("t")
    qtbot.addWidget(panel)
    calls = []
    real = image_panel.default_mapping
    monkeypatch.setattr(image_panel, "default_mapping", lambda a: calls.append(a) or real(a))
    look = shared_look([EDGES])
    panel.show_array(EDGES, choose_mapping=True, look=look)
    assert panel.mapping == "signed" and calls == []  # a pass over the plane saved
    panel.set_mapping("clip")
    panel.set_mapping("auto")  # leaving the shared look: now it is decided, from EDGES
    panel.show_array(EDGES, choose_mapping=False)
    assert panel.auto_mapping == "signed" and len(calls) == 1
