"""Session configurations of the older database-backed panel, in and out of profiles.

`records` reads and checks the panel's JSON; `mapping` says how its fields and a profile's
correspond; `defaults` picks from the catalog what the panel never stored; `writing` renders
the files; `importer` and `exporter` are `voiceops import` and `voiceops export`.
"""
