"""`probe`: one real request per provider choice of the profiles, with the real keys."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click

from voiceops.cli.app import EXIT_INVALID, EXIT_OK, FORMATS, cli
from voiceops.errors import UsageError


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; json for tools; github for Actions annotations; sarif "
                   "for code scanning.")
def probe(paths: tuple[Path, ...], fmt: str) -> None:
    """Make one minimal real call per provider choice, to see what fails with real keys.

    PATHS are profile files or folders of them (default: the project's configs/). Each
    distinct LLM, TTS and STT choice (fallbacks included) gets one call: a reply capped
    to a few tokens with the profile's settings, one synthesized word with its voice and
    tuning, one second of audio transcribed. A retired model, a refused setting, a voice
    the account cannot use, a refused or missing key: each is reported on the profile's
    line. Costs a few tokens, characters and seconds of audio per choice; keys are never
    printed. Exit status: 0 all calls worked, 1 some failed, 2 usage.

    \b
    Examples:
      voiceops probe
      voiceops probe configs/support_hi.yaml --format json
      voiceops probe --format github        # in a nightly GitHub Actions job
    """
    from voiceops.probe import probe as run_probe
    from voiceops.probe import render
    from voiceops.project import find_project

    targets = list(paths) or [find_project().configs]
    if not paths and not targets[0].is_dir():
        raise UsageError("no configs/ folder here or above; `voiceops init` creates a "
                         "project, or name profile files to probe")
    result = asyncio.run(run_probe(targets, os.environ))
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(render(result, fmt, color))
    sys.exit(EXIT_INVALID if result.errors else EXIT_OK)
