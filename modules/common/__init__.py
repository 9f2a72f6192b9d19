"""Helpers shared by modules and the environment layer.

For the environment layer (loads neither cdktf nor the provider bindings): `inputs` and
`validation` (pure Python plus pydantic), `tokens`, `certificates` and `aws_arn`.
For constructs only: `policy` and `waivers` (bindings imported when called),
`log_groups` (`keyed_log_group`: a log group with a key of its own), `keys` (`ManagedKey`)
and `buckets` (`PrivateBucket`), which build resources and import `constructs`.
`stack_context` (`StackContext`: the partition and the one account lookup a stack's modules
share) is imported by props too: it loads the bindings only when it makes the lookup.
"""
