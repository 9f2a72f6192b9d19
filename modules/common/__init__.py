"""Helpers shared by modules and the environment layer.

For the environment layer (loads neither cdktf nor the provider bindings): `inputs` and
`validation` (pure Python plus pydantic), `tokens`, `certificates` and `aws_arn`.
For constructs only: `policy` and `waivers` (bindings imported when called),
`log_groups`, `keys` (`ManagedKey`) and `buckets` (`PrivateBucket`), which build
resources and import `constructs`.
"""
