"""pyqtgraph panels, imported only when a plot dock opens."""
