"""The team's own code: where it refers to upstream packages, flags and variables, and which upstream changes hit it."""
