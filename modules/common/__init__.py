"""Helpers shared by modules and the environment layer.

Importing any of them loads neither cdktf nor the provider bindings: `inputs` and
`validation` are pure Python (plus pydantic), and `policy` and `waivers` import the
bindings only when called, from inside a construct.
"""
