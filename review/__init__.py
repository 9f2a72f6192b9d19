"""Plan review: what a saved Terraform plan would do, and whether it may (see review/__main__.py).

`review.plan` and `review.safety` are pure functions of a plan document in Terraform's JSON
format (`terraform show -json <planfile>`); neither imports cdktf nor runs anything.
"""
