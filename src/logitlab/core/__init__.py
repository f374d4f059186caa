"""The numerical core of logitlab: NumPy/SciPy only, no I/O, no web, no plotting."""
