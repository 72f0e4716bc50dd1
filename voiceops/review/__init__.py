"""Reviewing configuration changes: `voiceops diff` between git revisions, and moving
session configurations in and out of the older database-backed panel (`review.legacy`).

Modules, in the order data flows through them: `gittree` (a revision's files into a
folder), `effective` (each profile of a folder as it takes effect), `compare` (what changed,
profile by profile), `wording`, `markdown` and `report` (the result as text, a pull-request
comment or JSON); `diff` ties them together for the CLI.
"""
