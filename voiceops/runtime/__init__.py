"""The runtime: live profiles, hot reload, and the per-session voice pipeline."""
