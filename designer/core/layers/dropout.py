"""Dropout layers: identity in eval mode, with torch's rank checks and warnings."""

SPECS: list = []
