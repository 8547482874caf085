"""Data files shipped with the app (examples, icons), found through importlib.resources."""
