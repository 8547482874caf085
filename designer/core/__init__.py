"""Plain-Python core: graph model, layer catalog, shape engine, project files and exporter.

Nothing here imports Qt, pyqtgraph or (at import time) torch; an import-linter contract in
pyproject.toml keeps it that way.
"""
