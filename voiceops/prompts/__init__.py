"""Prompt templates: Jinja2 in a sandbox, with declared variables."""
