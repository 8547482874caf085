"""Resampling: Upsample, PixelShuffle and PixelUnshuffle."""

SPECS: list = []
