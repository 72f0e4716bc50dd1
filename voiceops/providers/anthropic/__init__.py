"""Anthropic clients (Messages streaming) over the official `anthropic` SDK."""
