"""twincast: a consented, labelled digital clone that runs a live-commerce stream on a CPU."""

__version__ = "0.1.0"
