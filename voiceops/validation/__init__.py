"""Checking a project: the validator, its reporters, `render` and `lock`."""
