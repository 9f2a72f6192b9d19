"""Pure-Python helpers shared by modules and the environment layer (no provider imports)."""
