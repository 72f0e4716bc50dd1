"""`validate`, `render`, `prompts` and `lock`: the commands that check a project."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from voiceops.cli.app import (
    EXIT_INVALID,
    EXIT_OK,
    FORMATS,
    cache_options,
    cli,
    env_option,
    fail,
    open_catalog_cache,
    print_problems,
    warn,
)
from voiceops.cli.spinner import Spinner
from voiceops.errors import UsageError


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; json for tools; github for Actions annotations; sarif "
                   "for code scanning.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--prompts", "prompts_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Templates folder (default: prompts/ of the project).")
@click.option("--live", is_flag=True,
              help="Check against the providers' live catalogs (through the cache) and report "
                   "drift from voiceops.lock. Needs the providers' API keys.")
@cache_options
@env_option
def validate(paths: tuple[Path, ...], fmt: str, strict: bool, prompts_dir: Path | None,
             live: bool, cache_url: str | None, refresh: bool, overlay: str | None) -> None:
    """Check profiles: YAML, schema, extends, secrets, prompts, models and voices.

    PATHS are profile files or folders of them (default: the project's configs/).
    Every problem of every file is reported in one run, as
    `path:line:col: CODE message` with a hint. Offline by default: models and voices
    resolve against voiceops.lock (when there is one) and the bundled catalog snapshot.
    Exit status: 0 valid, 1 errors, 2 usage.

    \b
    Examples:
      voiceops validate
      voiceops validate configs/support_hi.yaml --strict
      voiceops validate --format github     # in GitHub Actions
      voiceops validate --live              # against the providers' APIs
      voiceops validate --env prod          # with configs/env/prod.yaml laid over
    """
    from voiceops.project import find_project
    from voiceops.validation.reporters import report
    from voiceops.validation.validator import default_validator

    targets = list(paths) or [find_project().configs]
    if not paths and not targets[0].is_dir():
        raise UsageError("no configs/ folder here or above; `voiceops init` creates a "
                         "project, or name profile files to check")
    if live:
        import asyncio

        from voiceops.validation.validator import validate_live

        with Spinner() as spin:
            cache = open_catalog_cache(cache_url)
            checked = asyncio.run(validate_live(targets, cache, strict=strict,
                                                prompts=prompts_dir, force=refresh,
                                                progress=spin.update, overlay=overlay))
        warn(checked.warnings)
        result = checked.result
    else:
        result = default_validator(targets, strict=strict, prompts=prompts_dir,
                                   overlay=overlay).run(targets)
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(report(result, fmt, color))
    sys.exit(EXIT_INVALID if result.errors else EXIT_OK)


@cli.command()
@click.argument("profile", required=False)
@click.option("--prompt", "show_prompt", is_flag=True,
              help="Print the rendered system prompt and first message instead.")
@click.option("--routes", "show_routes", is_flag=True,
              help="Print which profile answers each phone number of the project instead.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
@env_option
def render(profile: str | None, show_prompt: bool, show_routes: bool, fmt: str,
           overlay: str | None) -> None:
    """Print a profile as it takes effect: after extends, shared tools files and ${VARS},
    secrets redacted. --prompt prints what the model is told: the prompt and the tools.

    PROFILE is a profile name in the project's configs/ or a path to its file.

    \b
    Examples:
      voiceops render support_hi
      voiceops render configs/sales_en.yaml --prompt
      voiceops render support_hi --env prod
      voiceops render --routes        # phone number -> the profile that answers it
    """
    from voiceops.validation.render import effective_profile, redact

    if show_routes:
        _routes(fmt, overlay)
        return
    if profile is None:
        raise UsageError("name the PROFILE to render (or give --routes)")
    checked, library = effective_profile(profile, overlay)
    print_problems(checked.diagnostics)
    if not checked.valid or checked.profile is None:
        fail(f"{profile} has errors; fix them to render it")
    if show_prompt:
        from voiceops.config.settings import ToolSettings
        from voiceops.prompts.render import render_prompt

        rendered = render_prompt(checked.profile.name, checked.profile.data, library)
        tools = [{"name": t.name, "description": t.description,
                  "parameters": dict(t.parameters)}
                 for t in ToolSettings.all_of(checked.profile.data)]
        if fmt == "json":
            click.echo(json.dumps({"system": rendered.system,
                                   "first_message": rendered.first_message,
                                   "tools": tools}, indent=2))
        else:
            click.echo("# system prompt\n" + rendered.system)
            click.echo("\n# first message\n" + (rendered.first_message or "(none)"))
            if tools:  # what the model is told of each tool, beside the prompt
                click.echo("\n# tools\n" + "\n".join(
                    f"{t['name']}: {t['description']}\n  {json.dumps(t['parameters'])}"
                    for t in tools))
        return
    data = redact(checked.profile.data)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        import yaml

        click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip())


def _routes(fmt: str, overlay: str | None) -> None:
    """`render --routes`: the project's phone numbers and the profile each reaches."""
    from voiceops.project import find_project
    from voiceops.validation.phone import routes_of
    from voiceops.validation.validator import default_validator

    configs = find_project().configs
    result = default_validator([configs], overlay=overlay).run([configs])
    print_problems(result.diagnostics)
    if result.errors:
        fail("the profiles have errors; fix them to see their routes")
    table = routes_of(result)
    if fmt == "json":
        click.echo(json.dumps(table, indent=2))
        return
    for number, name in table.items():
        click.echo(f"{number}  {name}")
    click.echo(f"{'other numbers' if table else 'every number'}: the default profile "
               "(voiceops run PROFILE), else refused")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--dir", "directory", type=click.Path(path_type=Path, file_okay=False),
              help="Templates folder (default: prompts/ of the project).")
def prompts(fmt: str, directory: Path | None) -> None:
    """List prompt templates with their declared variables.

    \b
    Example:
      voiceops prompts --format json
    """
    from voiceops.prompts.listing import describe_templates

    templates = describe_templates(directory)
    if fmt == "json":
        click.echo(json.dumps(templates, indent=2))
        return
    for t in templates:
        click.echo(click.style(t["name"], bold=True) + (f"  {t['description']}"
                                                         if t["description"] else ""))
        for v in t["variables"]:
            need = "required" if v["required"] else f"default {json.dumps(v['default'])}"
            click.echo(f"    {v['name']:<22} {need:<28} {v['description']}")
        for problem in t["problems"]:
            click.echo(f"    ! {problem}")
    if not templates:
        click.echo("no templates found (prompts/*.j2)")


@cli.command()
@click.option("--check", is_flag=True,
              help="Change nothing; exit 1 when the lock does not match the profiles (for CI).")
@click.option("--offline", is_flag=True,
              help="Pin from the previous lock and the bundled snapshot, without the APIs.")
@cache_options
def lock(check: bool, offline: bool, cache_url: str | None, refresh: bool) -> None:
    """Pin every model and voice the profiles use in voiceops.lock.

    Resolves each reference against the live catalogs (through the cache; keys from
    OPENAI_API_KEY, ANTHROPIC_API_KEY, ELEVENLABS_API_KEY...), falling back to the previous
    lock and the bundled snapshot for providers without a key. Commit the lock: then
    `voiceops validate` checks against it, offline and reproducibly.

    \b
    Examples:
      voiceops lock
      voiceops lock --check        # in CI: is the lock up to date?
    """
    from voiceops.project import find_project
    from voiceops.validation.locking import check_lock, lock_project

    project = find_project()
    if check:
        diff = check_lock(project)
        for ref in diff.missing:
            click.echo(f"{project.lock.name}: missing {ref.provider} {ref.what} '{ref.id}'")
        for ref in diff.unused:
            click.echo(f"{project.lock.name}: unused {ref.provider} {ref.what} '{ref.id}'")
        if not diff.current:
            fail("the lock is out of date: run `voiceops lock` and commit voiceops.lock")
        click.echo(f"{project.lock.name} is up to date")
        return
    import asyncio

    with Spinner() as spin:
        outcome = asyncio.run(lock_project(project, open_catalog_cache(cache_url), live=not offline,
                                           force=refresh, progress=spin.update))
    warn(outcome.warnings)
    if outcome.missing:
        for ref in outcome.missing:
            click.echo(f"error: {ref.provider} {ref.what} '{ref.id}' is in no catalog", err=True)
        fail("nothing written; fix these references (`voiceops validate` says more)")
    pins = sum(len(c.models) + len(c.voices) for c in outcome.lock.providers.values())
    state = "written" if outcome.written else "unchanged"
    click.echo(f"{project.lock.name} {state}: {pins} pins across "
               f"{len(outcome.lock.providers)} providers")
