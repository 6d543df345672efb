"""Typed access to the database, one module per table family: each holds its SQL, its rows and its functions.

Every read returns a model, every write takes one; callers import the family module they need
(`from analysis.store import commits`). Database infrastructure (opening, migrations, claims) is in `storage`.
"""
