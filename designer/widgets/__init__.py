"""Dock widgets: palette, inspector, problems list, export dialog."""
