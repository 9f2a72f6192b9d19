"""Project checks loaded by checkov through --external-checks-dir (one rule per file)."""
