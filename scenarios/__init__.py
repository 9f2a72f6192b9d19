"""Operator scenarios end to end against the emulator, which use the plan review (review/) and
the emulator tier (verify/) together: day two (day_two.py) continues day one
(verify/first_deploy.py) in the same moto. A package of its own because review/ builds on
verify/, so verify/ may not import review/ (tests/test_import_cycles.py)."""
