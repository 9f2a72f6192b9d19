"""Reusable CDKTF constructs for the chat platform.

Importing this package is cheap on purpose: it must not import the AWS provider
bindings (about 21 s and 600 MB per process), because the environment layer uses
`modules.common` to validate input before anything is synthesized. Import a module's
construct from its own package, e.g. `from modules.network import Network`.
"""
