"""`diff`, `import`, `export` and `init`: history, the old panel's files, a new project."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from voiceops.cli.app import (
    EXIT_INVALID,
    EXIT_OK,
    cli,
    env_option,
    fail,
    open_catalog_cache,
    warn,
    write_file,
)


@cli.command()
@click.argument("revs", nargs=-1, metavar="[REV] [REV2]")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True,
              help="text for people; markdown for a pull-request comment; json for tools.")
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when any profile changed (like `git diff --exit-code`).")
@env_option
def diff(revs: tuple[str, ...], fmt: str, exit_code: bool, overlay: str | None) -> None:
    """Show how profiles take effect differently between two git revisions.

    Compares the effective profiles (after extends and ${VARS}, secrets redacted) field by
    field, the rendered system prompts as a unified diff, and the catalog attributes of
    every model and voice. Profiles changed only by a base profile, a shared template or
    the lock say so ("via base.yaml"). No REV: HEAD against the working tree (the files on
    disk); one: REV against the working tree; two: REV against REV2. The work tree and
    the index are never touched. Exit status: 0 (the diff is information; --exit-code
    makes it 1 when something changed), 2 for an unknown revision or outside git.

    \b
    Examples:
      voiceops diff                          # uncommitted changes
      voiceops diff main                     # this branch's work against main
      voiceops diff HEAD~1 HEAD --format json
      voiceops diff origin/main --format markdown > comment.md   # in CI
      voiceops diff main --env prod          # what the change does in production
    """
    from voiceops.review.diff import diff_revisions
    from voiceops.review.report import report

    result = diff_revisions(revs, overlay=overlay)
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(report(result, fmt, color))
    sys.exit(EXIT_INVALID if exit_code and result.changed else EXIT_OK)


@cli.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite profiles and templates that exist.")
@click.option("--prompt-templates", is_flag=True,
              help="Write each system_prompt_text to prompts/<name>.j2 and use it as the "
                   "template, instead of inline `prompt.text`.")
def import_(files: tuple[Path, ...], force: bool, prompt_templates: bool) -> None:
    """Turn the older panel's saved session configurations (JSON) into profiles.

    Each FILE holds one configuration object or a list of them. Every record becomes
    configs/<name>.yaml; what the panel never stored (the TTS model, speech recognition) is
    chosen from the catalog and reported as a note. Nothing is written when any record has
    a problem, or would overwrite a file (unless --force). The new profiles are then
    validated. Exit status: 0 imported and valid, 1 problems or invalid profiles.

    \b
    Examples:
      voiceops import sessions.json
      voiceops import export/*.json --prompt-templates
    """
    from voiceops.review.legacy.importer import import_sessions
    from voiceops.validation.reporters import report

    outcome = import_sessions(files, force=force, prompt_templates=prompt_templates)
    warn(outcome.warnings)
    if len(outcome.problems) == 1:
        fail(f"{outcome.problems[0]}; nothing imported")
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(f"error: {problem}", err=True)
        fail(f"nothing imported: {len(outcome.problems)} problems")
    for note in outcome.notes:
        click.echo(f"note: {note}", err=True)
    for path in outcome.written:
        click.echo(f"  created {path}")
    if outcome.validation is not None:
        click.echo(report(outcome.validation, "text"))
        sys.exit(EXIT_INVALID if outcome.validation.errors else EXIT_OK)


@cli.command()
@click.argument("profile")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the JSON to this file (default: standard output).")
def export(profile: str, output: Path | None) -> None:
    """Write a profile as the older panel's session configuration (JSON).

    PROFILE is a profile name in the project's configs/ or a path to its file. The
    effective profile is exported (after extends and ${VARS}); settings the panel's shape
    cannot hold are listed as a warning. `voiceops import` reads the result back.

    \b
    Examples:
      voiceops export support_hi
      voiceops export configs/sales_en.yaml -o sales_en.json
    """
    from voiceops.review.legacy.exporter import export_profile

    exported = export_profile(profile)
    warn(exported.warnings)
    for note in exported.notes:
        click.echo(f"note: {note}", err=True)
    text = json.dumps(exported.record, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        write_file(output, text)
        click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> None:
    """Create a project: example profiles, the five starter prompts, the schema, CI, and a
    voiceops.lock pinned from the bundled catalog snapshot.

    Existing files are kept unless --force is given.

    \b
    Example:
      voiceops init my-agents && cd my-agents && voiceops validate
    """
    from voiceops.project import Project
    from voiceops.project.scaffold import scaffold

    written, kept = scaffold(directory, force=force)
    for path in written:
        click.echo(f"  created {path}")
    for path in kept:
        click.echo(f"  kept    {path} (exists; --force to overwrite)")
    project = Project(directory)
    if not project.lock.exists():
        import asyncio

        from voiceops.validation.locking import lock_project

        outcome = asyncio.run(lock_project(project, open_catalog_cache(None), live=False))
        if outcome.written:
            click.echo(f"  created {project.lock} (offline; `voiceops lock` pins live data)")
    step = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"\nNext: {step}voiceops validate")
