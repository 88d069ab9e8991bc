"""The Design dock's cost card: per mode and per stage, numbers as worked out by hand, and
updated as the design is edited."""

import numpy as np
import pytest

from sepconv_gui.app.state import Design
from sepconv_gui.engine import conv_cost
from sepconv_gui.ui.design.cost_card import design_costs
from sepconv_gui.ui.shell.main_window import MainWindow


def by_stage(costs):
    return {mode: {s.name: s.value for s in cost.stages} for mode, cost in costs.items()}


def test_sobel_on_rgb_by_hand():
    costs = design_costs(Design(), 3)  # 3×3, C = 3, P = 3, M = 1, rank 1
    assert costs["normal"].total == 9 * 3 * 3 == 81
    assert by_stage(costs)["spatial"] == {"vertical": 3 * 1 * 3, "horizontal": 3 * 1 * 3}
    assert by_stage(costs)["depthwise"] == {"depthwise": 9 * 3, "pointwise": 3 * 3}
    assert costs["depthwise"].total == 36
    assert [s.text for s in costs["depthwise"].stages] == [
        "depthwise: k²·C·M = 9·3·1 = 27",
        "pointwise: C·M·P = 3·1·3 = 9",
    ]
    assert [s.text for s in costs["spatial"].stages] == [
        "vertical: k·r·C = 3·1·3 = 9",
        "horizontal: k·r·C = 3·1·3 = 9",
    ]
    assert costs["depthwise"].formula == "k²·C·M + C·M·P"
    assert costs["depthwise"].numbers == "9·3·1 + 3·1·3"
    # 1/P + 1/k² at M = 1
    assert "M/P + M/k² = 1/3 + 1/9 = 0.444" in costs["depthwise"].ratio
    assert "81" in costs["depthwise"].against and "2.25× fewer" in costs["depthwise"].against
    assert "1.50× fewer" in costs["spatial"].against  # 27 against 18


def test_network_sized_design_by_hand():
    design = Design(
        kernel=np.ones((5, 5)).tolist(),
        preset="custom",
        channels=16,
        out_channels=32,
        multiplier=2,
    )
    costs = design_costs(design, 3)
    assert costs["normal"].total == 25 * 16 * 32 == 12800
    assert by_stage(costs)["depthwise"] == {"depthwise": 25 * 16 * 2, "pointwise": 16 * 2 * 32}
    assert "2/32 + 2/25" in costs["depthwise"].ratio
    assert by_stage(costs)["spatial"] == {"vertical": 5 * 16, "horizontal": 5 * 16}


def test_non_square_gray_rank_two_by_hand():
    kernel = np.arange(15.0).reshape(3, 5)  # rank 2
    design = Design(kernel=kernel.tolist(), preset="custom", grayscale=True, out_channels=4)
    costs = design_costs(design, 3)
    assert by_stage(costs)["spatial"] == {"vertical": 3 * 2 * 1, "horizontal": 5 * 2 * 1}
    assert costs["spatial"].formula == "(kh+kw)·r·C"
    assert costs["normal"].total == 15 * 1 * 4
    assert "M/kh·kw = 1/4 + 1/3·5" in costs["depthwise"].ratio


@pytest.mark.parametrize("c, p, m, k", [(3, 3, 1, 3), (8, 16, 3, 7), (1, 5, 2, 4)])
def test_stages_agree_with_the_engines_cost_model(c, p, m, k):
    design = Design(
        kernel=np.eye(k).tolist(),
        preset="custom",
        channels=c,
        out_channels=p,
        multiplier=m,
        spatial_rank=1,
    )
    costs = design_costs(design, 3)
    for mode in ("normal", "spatial", "depthwise"):
        engine = conv_cost(mode, 1, 1, c, p, k, k, multiplier=m, rank=1)
        assert by_stage(costs)[mode] == {n: s.multiplications for n, s in engine.stages.items()}
        assert costs[mode].total == engine.multiplications


def test_an_imported_bank_is_counted_at_its_own_size():
    bank = np.zeros((2, 3, 7, 7))
    design = Design(normal_kind="file", normal_bank=bank, out_channels=2)
    assert design_costs(design, 3)["normal"].total == 49 * 3 * 2


def test_the_card_follows_edits(qtbot):
    window = MainWindow(synchronous=True)
    qtbot.addWidget(window)
    window.edit_design({"out_channels": 3, "multiplier": 1, "channels": 0, "grayscale": False})
    card = window.channel_designer.cost_card
    window.channel_designer.out_channels.setValue(12)
    k = window.controller.design.kernel_array().shape[0]
    assert card.costs["normal"].total == k * k * 3 * 12
    assert f"{k * k}·3·12" in card.label.text()
    window.channel_designer.multiplier.setValue(4)
    assert card.costs["depthwise"].total == k * k * 3 * 4 + 3 * 4 * 12
    window.history.stack.undo()
    assert card.costs["depthwise"].total == k * k * 3 + 3 * 12
    window.close()


def test_per_map_kernels_size_depthwise_and_the_equivalent_bank():
    stack = np.zeros((6, 7, 7))  # C = 3, M = 2 maps of 7×7 under a 3×3 base kernel
    design = Design(depthwise_kind="per_map", depthwise_custom=stack, multiplier=2)
    costs = design_costs(design, 3)
    assert costs["depthwise"].total == 49 * 3 * 2 + 3 * 2 * 3
    assert costs["normal"].total == 49 * 3 * 3  # the bank it equals is 7×7 too
    assert by_stage(costs)["spatial"] == {"vertical": 3 * 3, "horizontal": 3 * 3}
    random = design.with_changes(normal_kind="random")
    assert design_costs(random, 3)["normal"].total == 9 * 3 * 3  # the base kernel's size
