"""The `voiceops` command: a thin shell over the library.

Each command parses its options, calls one library function and maps the outcome to an
exit code: 0 fine, 1 the configuration has errors, 2 the command line is wrong,
3 an internal error (a bug: please report it), 130 interrupted. Heavy modules (provider
SDKs above all) are imported inside the commands that need them, never at the top.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from voiceops import __version__
from voiceops.errors import UsageError, VoiceOpsError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMATS = ("text", "json", "github", "sarif")  # keys of voiceops.reporters.REPORTERS


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """Maps every failure of a command to a one-line message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            _fail(str(exc), EXIT_USAGE)
        except VoiceOpsError as exc:
            _fail(str(exc))
        except KeyboardInterrupt:
            _fail("interrupted", EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: one line, not a traceback; VOICEOPS_DEBUG=1 shows it
            if os.environ.get("VOICEOPS_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set VOICEOPS_DEBUG=1 for "
                  "the traceback, and please report it)", EXIT_BUG)


@click.group(cls=_Group,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="voiceops")
def cli() -> None:
    """Config-as-code for voice agents.

    Profiles (configs/*.yaml) choose the LLM, voice, speech recognition and prompt of an
    agent; prompts (prompts/*.j2) are Jinja templates with declared variables. voiceops
    checks them against the providers' catalogs so a bad change fails in review, not on
    a call.

    \b
    Start here:
      voiceops init my-agents        # a project with five example agents
      voiceops validate              # check configs/ (offline, no keys needed)
      voiceops render support_en --prompt
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people; json for tools; github for Actions annotations; sarif "
                   "for code scanning.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--prompts", "prompts_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Templates folder (default: prompts/ of the project).")
def validate(paths: tuple[Path, ...], fmt: str, strict: bool, prompts_dir: Path | None) -> None:
    """Check profiles: YAML, schema, extends, secrets, prompts, models and voices.

    PATHS are profile files or folders of them (default: the project's configs/).
    Every problem of every file is reported in one run, as
    `path:line:col: CODE message` with a hint. Exit status: 0 valid, 1 errors, 2 usage.

    \b
    Examples:
      voiceops validate
      voiceops validate configs/support_hi.yaml --strict
      voiceops validate --format github     # in GitHub Actions
    """
    from voiceops.project import find_project
    from voiceops.reporters import report
    from voiceops.validate import default_validator

    targets = list(paths) or [find_project().configs]
    if not paths and not targets[0].is_dir():
        raise UsageError("no configs/ folder here or above; `voiceops init` creates a "
                         "project, or name profile files to check")
    validator = default_validator(targets, strict=strict, prompts=prompts_dir)
    result = validator.run(targets)
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(report(result, fmt, color))
    sys.exit(EXIT_INVALID if result.errors else EXIT_OK)


@cli.command()
@click.argument("profile")
@click.option("--prompt", "show_prompt", is_flag=True,
              help="Print the rendered system prompt and first message instead.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
def render(profile: str, show_prompt: bool, fmt: str) -> None:
    """Print a profile as it takes effect: after extends and ${VARS}, secrets redacted.

    PROFILE is a profile name in the project's configs/ or a path to its file.

    \b
    Examples:
      voiceops render support_hi
      voiceops render configs/sales_en.yaml --prompt
    """
    from voiceops.render import effective_profile, redact

    checked, library = effective_profile(profile)
    _print_problems(checked.diagnostics)
    if not checked.valid or checked.profile is None:
        _fail(f"{profile} has errors; fix them to render it")
    if show_prompt:
        from voiceops.prompts.render import render_prompt

        rendered = render_prompt(checked.profile.name, checked.profile.data, library)
        if fmt == "json":
            click.echo(json.dumps({"system": rendered.system,
                                   "first_message": rendered.first_message}, indent=2))
        else:
            click.echo("# system prompt\n" + rendered.system)
            click.echo("\n# first message\n" + (rendered.first_message or "(none)"))
        return
    data = redact(checked.profile.data)
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        import yaml

        click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip())


def _print_problems(diagnostics: Any) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=True)
        if d.hint:
            click.echo(f"    hint: {d.hint}", err=True)


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
@click.argument("directory", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite files that already exist.")
def init(directory: Path, force: bool) -> None:
    """Create a project: example profiles, the five starter prompts, the schema, CI.

    Existing files are kept unless --force is given.

    \b
    Example:
      voiceops init my-agents && cd my-agents && voiceops validate
    """
    from voiceops.scaffold import scaffold

    written, kept = scaffold(directory, force=force)
    for path in written:
        click.echo(f"  created {path}")
    for path in kept:
        click.echo(f"  kept    {path} (exists; --force to overwrite)")
    step = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"\nNext: {step}voiceops validate")


def main() -> None:
    """Entry point of the `voiceops` console script."""
    cli()


if __name__ == "__main__":
    main()
