"""Operator commands: what a team runs against a real account beside `make deploy`."""
