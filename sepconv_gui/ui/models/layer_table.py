"""The Model dock's layer list: one row per convolution layer, sortable by any column."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt

COLUMNS = (
    ("Layer", "The layer's name in the file"),
    ("Kind", "normal, depthwise (one input channel per group), pointwise (1×1) or grouped"),
    ("C → P", "Input and output channels"),
    ("k", "Kernel height × width"),
    ("Stride", "Vertical × horizontal stride"),
    ("Groups", "Channel groups (= C for a depthwise layer)"),
    ("Mult-adds", "Multiplications at the chosen input size (one per tap per output value)"),
    ("Rank-1", "Share of the filters' energy in their rank-1 parts (1 = all separable)"),
    ("Fit err @M", "Relative error of the best depthwise-separable fit at the chosen M"),
)
SORT_ROLE = Qt.UserRole + 1


def _count(n: int) -> str:
    for limit, suffix in ((1e9, " G"), (1e6, " M"), (1e3, " k")):
        if n >= limit:
            return f"{n / limit:.2f}{suffix}"
    return str(n)


class LayerTableModel(QAbstractTableModel):
    """Rows from a :class:`~sepconv_gui.engine.network.NetworkAnalysis`; the sort role holds
    numbers so sorting is numeric, and "-" cells sort as the lowest."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._layers = []
        self._multiplier = 1

    def set_analysis(self, analysis, multiplier: int) -> None:
        self.beginResetModel()
        self._layers = list(analysis.layers) if analysis is not None else []
        self._multiplier = multiplier
        self.endResetModel()

    def set_multiplier(self, multiplier: int) -> None:
        self._multiplier = multiplier
        column = len(COLUMNS) - 1
        if self._layers:
            self.dataChanged.emit(self.index(0, column), self.index(len(self._layers) - 1, column))

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._layers)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ToolTipRole:
            return COLUMNS[section][1]
        return None

    def _values(self, x) -> list:
        """(shown text, sort key) per column."""
        available = x.multiplications is not None
        fit = x.fit_error.get(self._multiplier)
        if not available:
            blank = ("-", -1)
            return [(x.name, x.name), (x.kind, x.kind)] + [blank] * (len(COLUMNS) - 2)
        return [
            (x.name, x.name),
            (x.kind, x.kind),
            (f"{x.in_channels} → {x.out_channels}", x.in_channels * 100_000 + x.out_channels),
            ("×".join(map(str, x.kernel)), x.kernel[0] * x.kernel[1]),
            ("×".join(map(str, x.stride)), x.stride[0] * x.stride[1]),
            (str(x.groups), x.groups),
            (_count(x.multiplications), x.multiplications),
            ("-", -1.0) if x.rank1_energy is None else (f"{x.rank1_energy:.3f}", x.rank1_energy),
            ("-", -1.0) if fit is None else (f"{fit:.3f}", fit),
        ]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        layer = self._layers[index.row()]
        if role in (Qt.DisplayRole, SORT_ROLE):
            text, key = self._values(layer)[index.column()]
            return text if role == Qt.DisplayRole else key
        if role == Qt.ToolTipRole:
            return layer.note or None
        if role == Qt.TextAlignmentRole and index.column() >= 2:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


def sortable(model: LayerTableModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy
