"""Category colours as plain hex strings: the one table the canvas style and exported diagrams both read."""

from __future__ import annotations

CATEGORY_LIGHT = {
    "Graph": "#5f6b7a",
    "Convolution": "#2f6fde",
    "Pooling": "#0b9488",
    "Resampling": "#6a4fd8",
    "Normalization": "#d98a00",
    "Activation": "#c2367a",
    "Dropout": "#7a8696",
    "Linear": "#2f9e44",
    "Padding": "#9c6b3f",
    "Attention": "#8a5a00",
    "Recurrent": "#5c7a1f",
    "Embedding": "#a33ea1",
    "Math": "#b5475a",
    "Shape": "#3d8fa6",
}
CATEGORY_DARK = {
    "Graph": "#8d99a8",
    "Convolution": "#5b93f5",
    "Pooling": "#2dbfb0",
    "Resampling": "#9580f0",
    "Normalization": "#f0a531",
    "Activation": "#e35d9f",
    "Dropout": "#98a3b1",
    "Linear": "#51c26a",
    "Padding": "#c08a5a",
    "Attention": "#d9a441",
    "Recurrent": "#93b84a",
    "Embedding": "#cf6fcd",
    "Math": "#e07285",
    "Shape": "#5bb4cc",
}
