"""Operator commands run against a deployed environment (they call AWS; nothing here is synthesized)."""
