"""Using a deeper layer of the bundled model: the input view and the status bar say whether
the views show the layer's real input or synthesized channels (and how to get the real one)."""

from __future__ import annotations

import pytest

from sepconv_gui.app import layer_feed

pytest.importorskip("onnx")


def use_deep_layer(qtbot):
    from sepconv_gui.ui.shell.main_window import MainWindow
    from sepconv_gui.ui.views.result_views import ResultViews

    window = MainWindow(synchronous=True)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.model_panel.opened, timeout=20_000):
        window.model_panel.open_sample()
    names = [layer.name for layer in window.model_panel.session.model.layers]
    window.model_panel.select_layer(names.index("conv3_depthwise"))
    assert window.model_panel.use_layer()
    assert window.controller.design.channels == 24
    (views,) = window.findChildren(ResultViews)
    detail = views.panels["input"].detail
    qtbot.waitUntil(lambda: "C = 24" in detail.toolTip() + detail.text(), timeout=20_000)
    return window, detail.toolTip() + " " + detail.text()


def test_without_onnxruntime_the_views_say_synthesized_and_how_to_install(qtbot, monkeypatch):
    monkeypatch.setattr(layer_feed, "runtime_available", lambda: False)
    layer_feed.forget_all()
    window, title = use_deep_layer(qtbot)
    status = window.statusBar().currentMessage()
    for text in (title, status):
        assert "synthesized" in text and "pip install onnxruntime" in text
    window.close()


def test_with_onnxruntime_the_views_show_the_layers_real_input(qtbot):
    pytest.importorskip("onnxruntime")
    layer_feed.forget_all()
    window, title = use_deep_layer(qtbot)
    assert "real input" in title and "96×12" in title
    assert "real input" in window.statusBar().currentMessage()
    window.close()
    layer_feed.forget_all()
