"""checkov policy gate over synthesized stacks (see gate/run.py)."""
