"""The node editor canvas: QGraphicsScene/View, items, and one class per mouse gesture."""
