"""The `voiceops` command: a thin shell over the library.

Each command parses its options, calls one library function and maps the outcome to an
exit code: 0 fine, 1 the configuration has errors, 2 the command line is wrong,
3 an internal error (a bug: please report it), 130 interrupted. Heavy modules (provider
SDKs above all) are imported inside the commands that need them, never at the top.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from voiceops import __version__
from voiceops.errors import ConfigError, UsageError, VoiceOpsError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMATS = ("text", "json", "github", "sarif")  # keys of voiceops.validation.reporters.REPORTERS


def fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def cache_options(command: Any) -> Any:
    command = click.option("--refresh", is_flag=True,
                           help="Fetch again even when the cached catalog is fresh.")(command)
    return click.option("--cache-url", metavar="URL", envvar="VOICEOPS_CACHE_URL",
                        help="Where live catalogs are cached: a folder (default: the user "
                             "cache folder) or redis://host:port/db to share one "
                             "[env: VOICEOPS_CACHE_URL].")(command)


def env_option(command: Any) -> Any:
    return click.option("--env", "overlay", metavar="NAME", envvar="VOICEOPS_ENV",
                        help="Lay configs/env/NAME.yaml over every profile (staging, prod...) "
                             "[env: VOICEOPS_ENV].")(command)


def open_catalog_cache(url: str | None) -> Any:
    from voiceops.catalog.cache import open_cache

    return open_cache(url)


def warn(lines: Any) -> None:
    for line in lines:
        click.echo(click.style("warning: ", fg="yellow") + line, err=True)


def print_problems(diagnostics: Any) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=True)
        if d.hint:
            click.echo(f"    hint: {d.hint}", err=True)

def assignment(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise UsageError(f"--set/--var takes NAME=VALUE, not {text!r}")
    import yaml

    try:
        value = yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError:
        value = raw
    return name.strip(), value




def write_file(path: Path, data: bytes | str) -> None:
    """Write `data` to `path`; a path that cannot be written is a usage error, one line."""
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc

class _Group(click.Group):
    """Maps every failure of a command to a one-line message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            fail(str(exc), EXIT_USAGE)
        except ConfigError as exc:
            print_problems(exc.diagnostics)
            fail(str(exc))
        except VoiceOpsError as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            fail("interrupted", EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as exc:  # a bug: one line, not a traceback; VOICEOPS_DEBUG=1 shows it
            if os.environ.get("VOICEOPS_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set VOICEOPS_DEBUG=1 for "
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
      voiceops render support_hi --prompt
    """


def main() -> None:
    """Entry point of the `voiceops` console script."""
    cli()

