"""Qt controller: a core graph with its shape engine, undo stack, file path and clean state."""
