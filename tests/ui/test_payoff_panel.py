"""“Where does it pay off?”: crossovers from sweeps, shown as a sentence and a marked plot."""

import pyqtgraph as pg
import pytest

from sepconv_gui.app import sweep
from sepconv_gui.app.sweep import ModeTiming, SweepPoint, SweepResult, SweepSpec
from sepconv_gui.ui.measure import payoff_panel
from sepconv_gui.ui.measure.benchmark_panel import BenchmarkPanel
from sepconv_gui.ui.measure.payoff_panel import PayoffPanel


def timing(mode, ms, spread=0.05):
    protocol = {"p25_ms": ms * (1 - spread), "p75_ms": ms * (1 + spread)}
    return ModeTiming(mode, "x", ms / 1e3, [ms / 1e3], {}, 1, protocol)


def constructed(variable, values, normal_ms, depthwise_ms, spatial_ms, reference_ms):
    """A finished sweep with chosen median times (ms) per point."""
    spec = SweepSpec(variable=variable, values=tuple(values), width=320, height=240)
    result = SweepResult(spec, {})
    for index, (value, config) in enumerate(zip(values, spec.points())):
        point = SweepPoint(index, value, config, 1)
        point.modes = {
            "normal": timing("normal", normal_ms[index]),
            "spatial": timing("spatial", spatial_ms[index]),
            "depthwise": timing("depthwise", depthwise_ms[index]),
        }
        point.reference = timing(sweep.REFERENCE, reference_ms[index])
        result.points.append(point)
    result.status = "complete"
    return result


@pytest.fixture
def panels(qtbot):
    benchmark = BenchmarkPanel()
    panel = PayoffPanel(benchmark)
    qtbot.addWidget(benchmark)
    qtbot.addWidget(panel)
    yield benchmark, panel
    assert benchmark.shutdown(10000)


def test_each_sweep_gives_a_sentence_and_a_marked_crossover(panels):
    _, panel = panels
    # Depthwise loses at k = 3 (2 ms vs 1 ms normal) and wins from k = 5; spatial wins
    # against the per-channel filter from the start.
    result = constructed(
        "k", [3, 5, 7], [1.0, 4.0, 8.0], [2.0, 2.0, 2.0], [1.0, 1.0, 1.0], [2.0, 3.0, 5.0]
    )
    panel.show_result(result)
    sentences = panel.sentences["k"]
    assert any(
        s.startswith("Depthwise-separable beats the normal bank") and "k ≈ 4" in s
        for s in sentences
    )
    assert any("at every measured k (3 to 7)" in s and "per-channel" in s for s in sentences)
    lines = [item for item in panel._items["k"] if isinstance(item, pg.InfiniteLine)]
    assert len(lines) == 1 and lines[0].value() == pytest.approx(4.0)
    assert "Depthwise-separable" in panel.text.text()


def test_the_latest_sweep_of_each_variable_stays(panels):
    _, panel = panels
    by_k = constructed("k", [3, 5], [1, 1], [2, 2], [1, 1], [2, 2])  # depthwise never wins
    by_size = constructed("size", [80, 160], [1, 4], [2, 2], [1, 1], [2, 2])
    panel.show_result(by_k)
    panel.show_result(by_size)
    assert set(panel.sentences) == {"k", "size"}
    assert any("never beat" in s for s in panel.sentences["k"])
    # On a log x axis the marker sits at log10 of the crossing width.
    lines = [item for item in panel._items["size"] if isinstance(item, pg.InfiniteLine)]
    assert len(lines) == 1 and 80 < 10 ** lines[0].value() < 160


def test_a_preset_button_runs_the_sweep_and_shows_its_answer(qtbot, panels, monkeypatch):
    benchmark, panel = panels
    tiny = SweepSpec(variable="k", values=(3, 5), width=48, height=32, outputs=4, repeats=1)
    monkeypatch.setitem(payoff_panel.PRESETS, "k", tiny)
    panel.buttons["k"].click()
    assert not panel.buttons["size"].isEnabled()  # one sweep at a time
    qtbot.waitUntil(lambda: not benchmark.running, timeout=30000)
    assert benchmark.result.spec == tiny and panel.results["k"] is benchmark.result
    assert len(panel.sentences["k"]) == 2 and panel.buttons["size"].isEnabled()
