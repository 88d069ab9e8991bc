import numpy as np

from sepconv_gui.ui.main_window import MainWindow


def test_window_opens_on_the_bundled_sample(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    shown = window.input_item.image
    assert shown is not None and shown.shape == (360, 480)
    assert np.ptp(shown) > 0.5
