"""The Model dock: a trained model's layers, their filters and their separable fits.

Everything shown comes from :class:`~sepconv_gui.app.model_session.ModelSession`; this widget
only lays it out and says what the user picked. "Use this layer" emits ``design_chosen`` with
the design and its notes; the window applies it like a loaded design.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...app.model_loader import ModelLoader
from ...app.model_session import ModelSession
from ...app.state import DesignError
from .filter_grid import FilterGrid
from .layer_table import LayerTableModel, sortable
from .model_plots import SingularValuesPlot, TradeoffPlot

MODEL_FILTER = "Models (*.onnx *.npy *.npz *.pt *.pth);;All files (*)"
MAX_INPUT_SIDE = 8192


def _spin(low: int, high: int, value: int, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)  # typed numbers apply on Enter, not at every digit
    return box


class ModelPanel(QWidget):
    design_chosen = Signal(object, list)  # Design, notes on what it left out
    failed = Signal(str)
    opened = Signal(str)  # a model was opened (not just re-analysed): its file name
    session_changed = Signal()

    def __init__(self, parent=None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.session: ModelSession | None = None
        # Analysis runs off the GUI thread (seconds for a large model); see app.model_loader.
        self.loader = ModelLoader(self, synchronous=synchronous)
        self.loader.loaded.connect(self._loaded)
        self.loader.failed.connect(self._load_failed)
        self._opening: dict[int, bool] = {}  # request -> opens a model (else re-analyses)
        self.current_design = None  # set by the window: returns the design in use
        self.picked: tuple[int, int] | None = None
        self.title = QLabel("No model open: File ▸ Open model… or Open sample model")
        self.title.setWordWrap(True)
        self.height_box = _spin(1, MAX_INPUT_SIDE, 224, "Model input height")
        self.width_box = _spin(1, MAX_INPUT_SIDE, 224, "Model input width")
        self.multiplier_box = _spin(1, 49, 1, "Depth multiplier M of the depthwise-separable fits")
        self.use_button = QPushButton("Use this layer")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_layer)
        self.busy_label = QLabel()
        self.busy_label.setStyleSheet("color: #b8860b")
        self.busy_label.hide()
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.busy_label)
        for text, widget in (
            ("Input", self.height_box),
            ("×", self.width_box),
            ("M", self.multiplier_box),
        ):
            top.addWidget(QLabel(text))
            top.addWidget(widget)
        top.addWidget(self.use_button)

        self.model = LayerTableModel(self)
        self.proxy = sortable(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.AscendingOrder)  # file order until a header is clicked
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.layer_info = QLabel()
        self.layer_info.setWordWrap(True)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table, 1)
        column.addWidget(self.summary)

        self.grid = FilterGrid()
        self.grid.picked.connect(self._filter_picked)
        self.singular_plot = SingularValuesPlot()
        self.tradeoff_plot = TradeoffPlot()
        plots = QSplitter(Qt.Vertical)
        plots.addWidget(self.singular_plot)
        plots.addWidget(self.tradeoff_plot)
        right = QWidget()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(0, 0, 0, 0)
        right_column.addWidget(self.layer_info)
        views = QSplitter(Qt.Horizontal)
        views.addWidget(self.grid)
        views.addWidget(plots)
        right_column.addWidget(views, 1)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([560, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.height_box.valueChanged.connect(self._size_changed)
        self.width_box.valueChanged.connect(self._size_changed)
        self.multiplier_box.valueChanged.connect(self._multiplier_changed)
        self._show_summary()

    # --- opening ---------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model", "", MODEL_FILTER)
        if path:
            self.open_path(path)

    def open_path(self, path) -> int:
        """Start opening ``path``; ``session_changed`` or ``failed`` follows."""
        return self._start(lambda: ModelSession.open(path), Path(path).name, opening=True)

    def open_sample(self) -> int:
        return self._start(ModelSession.open_sample, "the sample model", opening=True)

    def _start(self, job, what: str, *, opening: bool) -> int:
        self.busy_label.setText(f"Opening {what}…" if opening else "Recounting…")
        self.busy_label.show()
        failure = f"Could not open {what}" if opening else f"Could not recount {what}"
        number = self.loader.run(job, failure)
        self._opening[number] = opening
        return number

    def _loaded(self, session: ModelSession, number: int) -> None:
        self.busy_label.hide()
        opening = self._opening.pop(number, True)
        layer = None if opening else self.current_layer()
        self.set_session(session, layer=layer)
        if opening:
            self.opened.emit(session.model.name)

    def _load_failed(self, message: str, number: int) -> None:
        self.busy_label.hide()
        self._opening.pop(number, None)
        if self.session is not None:  # the size boxes go back to what is shown
            self._show_size(self.session.input_size)
        self.failed.emit(message)

    def _show_size(self, size: tuple[int, int]) -> None:
        for box, value in zip((self.height_box, self.width_box), size):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)

    def set_session(self, session: ModelSession, layer: int | None = None) -> None:
        self.session = session
        self._show_size(session.input_size)
        self.title.setText(
            f"<b>{session.model.name}</b> ({session.model.format}) · {len(session)} conv layers"
        )
        self.model.set_analysis(session.analysis, self.multiplier_box.value())
        self._show_summary()
        if len(session):
            self.select_layer(layer or 0)
        self.session_changed.emit()

    # --- picking ---------------------------------------------------------------------------
    def current_layer(self) -> int | None:
        index = self.table.selectionModel().currentIndex()
        return self.proxy.mapToSource(index).row() if index.isValid() else None

    def select_layer(self, layer: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(layer, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows
        )

    def _row_changed(self, current, _previous) -> None:
        layer = self.current_layer()
        if self.session is None or layer is None:
            return
        weights = self.session.filters(layer)
        x = self.session.analysis.layers[layer]
        self.picked = None if weights is None else self.session.strongest_filter(layer)
        self.grid.set_weights(weights, self.picked)
        why = self.session.can_use(layer)
        self.use_button.setEnabled(not why)
        self.use_button.setToolTip(
            why or "Make this layer the design: all views, costs and timings then run on it"
        )
        extra = f" · {x.note}" if x.note else ""
        size = "" if x.output_size is None else f" · output {x.output_size[0]}×{x.output_size[1]}"
        self.layer_info.setText(f"<b>{x.name}</b> · {x.kind}{size}{extra}")
        self._show_filter()
        self._show_tradeoff()

    def _filter_picked(self, output: int, channel: int) -> None:
        self.picked = (output, channel)
        self._show_filter()

    def _show_filter(self) -> None:
        layer = self.current_layer()
        if self.session is None or layer is None or self.picked is None:
            self.singular_plot.show_values(None)
            return
        p, c = self.picked
        values = self.session.filter_singular_values(layer, p, c)
        self.singular_plot.show_values(values, f"output {p + 1}, channel {c + 1}")

    def _show_tradeoff(self) -> None:
        layer = self.current_layer()
        if self.session is None or layer is None:
            self.tradeoff_plot.show_points([], 1)
            return
        name = self.session.analysis.layers[layer].name
        points = self.session.tradeoff(layer)
        self.tradeoff_plot.show_points(points, self.multiplier_box.value(), name)

    # --- options ---------------------------------------------------------------------------
    def _size_changed(self) -> None:
        if self.session is None:
            return
        size = (self.height_box.value(), self.width_box.value())
        session = self.session
        what = f"{session.model.name} at {size[0]}×{size[1]}"
        self._start(lambda: session.with_input_size(size), what, opening=False)

    def _multiplier_changed(self, multiplier: int) -> None:
        self.model.set_multiplier(multiplier)
        self._show_summary()
        self._show_tradeoff()

    def _show_summary(self) -> None:
        if self.session is None:
            self.summary.setText("")
            return
        m = self.multiplier_box.value()
        s = self.session.summary(m)
        h, w = self.session.input_size
        lines = [
            f"At {h}×{w}: <b>{s['multiplications']:,}</b> mult-adds, {s['parameters']:,} weights.",
            f"Every normal layer as its depthwise-separable fit at M = {m}: "
            f"{s['fitted_multiplications']:,} ({s['ratio']:.3f} of now).",
        ]
        if s["pairs"]:
            lines.append(
                f"{s['pairs']} depthwise + pointwise pairs cost {s['pair_multiplications']:,}; "
                f"as normal layers {s['pair_normal_multiplications']:,} "
                f"({s['pair_multiplications'] / s['pair_normal_multiplications']:.3f})."
            )
        self.summary.setText("<br>".join(lines))

    # --- use -------------------------------------------------------------------------------
    def use_layer(self) -> bool:
        layer = self.current_layer()
        if self.session is None or layer is None or self.current_design is None:
            return False
        try:
            design, notes = self.session.design_for(
                layer, self.current_design(), self.multiplier_box.value(), self.picked
            )
        except DesignError as error:
            self.failed.emit(str(error))
            return False
        self.design_chosen.emit(design, notes)
        return True
