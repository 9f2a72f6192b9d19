"""Generated inputs/outputs tables in every module README (`python -m docgen`, `make docs`).

Inputs come from each module's props dataclasses (modules.common.inputs: type, default,
environment-file key, field docstring, check); outputs from its constructs' "Typed outputs
(attributes):" and the source that sets them. See docgen/README.md.
"""
