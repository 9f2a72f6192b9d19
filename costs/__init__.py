"""Monthly cost estimate of the synthesized stacks, and its change against a base (`python -m costs`)."""
