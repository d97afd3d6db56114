"""mcusim: instruction-set-accurate MCU simulator and cycle profiler for inference firmware."""

__version__ = "0.1.0"
