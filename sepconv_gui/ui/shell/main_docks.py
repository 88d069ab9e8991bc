"""The main window's docks: what each holds, where it sits, which are tabbed together."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QScrollArea, QVBoxLayout, QWidget

from ..measure.benchmark_panel import BenchmarkPanel
from ..design.channel_designer import ChannelDesigner
from ..measure.cost_panel import CostPanel
from ..views.difference_view import DifferenceView
from ..design.kernel_editor import KernelEditor
from ..views.pixel_inspector import PixelInspector
from ..views.stage_grid import StageGrid
from ..measure.timing_plots import TimingPlots
from ..measure.roofline_panel import RooflinePanel
from ..measure.payoff_panel import PayoffPanel
from ...app.roofline_worker import RooflineService
from ..models.model_panel import ModelPanel


def add_dock(window, title: str, name: str, widget: QWidget, area) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    window.addDockWidget(area, dock)
    return dock


def build_docks(window) -> None:
    """Every dock of ``window`` and the widgets in them, set as its attributes
    (``window.cost_panel``, ``window.cost_dock`` ...), tabbed and wired to the views and the
    controller."""
    window.kernel_editor = KernelEditor()
    window.channel_designer = ChannelDesigner()
    design = QWidget()
    column = QVBoxLayout(design)
    column.addWidget(window.kernel_editor)
    column.addWidget(window.channel_designer)
    column.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setWidget(design)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    scrollbar = scroll.verticalScrollBar().sizeHint().width()
    scroll.setMinimumWidth(design.sizeHint().width() + scrollbar + 4)
    window.design_dock = add_dock(window, "Design", "designDock", scroll, Qt.LeftDockWidgetArea)
    window.cost_panel = CostPanel()
    window.cost_dock = add_dock(
        window, "Cost", "costDock", window.cost_panel, Qt.BottomDockWidgetArea
    )
    window.timing_plots = TimingPlots()
    window.timing_dock = add_dock(
        window, "Timing", "timingDock", window.timing_plots, Qt.BottomDockWidgetArea
    )
    window.stage_grid = StageGrid()
    window.stages_dock = add_dock(
        window, "Stages", "stagesDock", window.stage_grid, Qt.BottomDockWidgetArea
    )
    window.difference_view = DifferenceView()
    window.difference_dock = add_dock(
        window, "Difference", "differenceDock", window.difference_view, Qt.BottomDockWidgetArea
    )
    window.benchmark_panel = BenchmarkPanel()
    window.benchmark_dock = add_dock(
        window, "Benchmark", "benchmarkDock", window.benchmark_panel, Qt.BottomDockWidgetArea
    )
    # Peaks load from the cache at once; measured (about a second) on first demand.
    window.roofline_service = RooflineService(window)
    window.timing_plots.set_roofline(window.roofline_service)
    window.roofline_panel = RooflinePanel(window.roofline_service, window.timing_plots.history)
    window.roofline_dock = add_dock(
        window, "Roofline", "rooflineDock", window.roofline_panel, Qt.BottomDockWidgetArea
    )
    window.payoff_panel = PayoffPanel(window.benchmark_panel)
    window.payoff_dock = add_dock(
        window, "Pays off?", "payoffDock", window.payoff_panel, Qt.BottomDockWidgetArea
    )
    for dock in (
        window.timing_dock,
        window.roofline_dock,
        window.stages_dock,
        window.difference_dock,
        window.benchmark_dock,
        window.payoff_dock,
    ):
        window.tabifyDockWidget(window.cost_dock, dock)
    window.model_panel = ModelPanel()
    window.model_panel.current_design = lambda: window.controller.design
    window.model_dock = add_dock(
        window, "Model", "modelDock", window.model_panel, Qt.BottomDockWidgetArea
    )
    window.tabifyDockWidget(window.cost_dock, window.model_dock)
    window.cost_dock.raise_()
    window.pixel_inspector = PixelInspector()
    window.pixel_dock = add_dock(
        window, "Pixel inspector", "pixelDock", window.pixel_inspector, Qt.RightDockWidgetArea
    )
    window.pixel_inspector.watch(window.difference_view.view)
    # The views are rebuilt when the enabled modes change: watch the new ones then.
    window._watch_views(window.results.views)
    window.results.views_rebuilt.connect(window._watch_views)
    # A tab switch shows a dock without a showEvent for its widget: catch up on the
    # newest result when the dock comes into view.
    for dock, widget in (
        (window.stages_dock, window.stage_grid),
        (window.timing_dock, window.timing_plots),
        (window.roofline_dock, window.roofline_panel),
        (window.difference_dock, window.difference_view),
        (window.pixel_dock, window.pixel_inspector),
    ):
        dock.visibilityChanged.connect(
            lambda shown, w=widget: shown and QTimer.singleShot(0, w.catch_up)
        )
    # Live frames keep their intermediate stages only while the Stages dock is in view.
    window.stages_dock.visibilityChanged.connect(window.controller.want_stages)
