"""The checkov adapter of the project rules (gate/rules), loaded through --external-checks-dir."""
