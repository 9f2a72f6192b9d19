"""Provider-backed verification tier (see verify/run.py)."""
