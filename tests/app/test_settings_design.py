import numpy as np

from sepconv_gui.app.settings import AppSettings
from sepconv_gui.app.state import Design


def test_last_design_with_an_imported_bank_survives_a_restart(tmp_path, monkeypatch):
    monkeypatch.setattr(AppSettings, "data_folder", staticmethod(lambda: tmp_path / "data"))
    bank = np.arange(2 * 3 * 9, dtype=float).reshape(2, 3, 3, 3)
    design = Design(out_channels=2, normal_kind="file", normal_bank=bank, multiplier=2)
    settings = AppSettings()
    settings.set_last_design(design)
    settings.sync()
    assert (tmp_path / "data" / "last-design.normal.npy").exists()
    assert AppSettings().last_design() == design
    big = Design(
        channels=20,
        multiplier=16,
        out_channels=300,
        pointwise="custom",
        pointwise_custom=np.ones((300, 320)),
    )
    settings.set_last_design(big)
    assert AppSettings().last_design() == big
    settings.set_last_design(Design())
    assert AppSettings().last_design() == Design()
