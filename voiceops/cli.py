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
from voiceops.errors import ConfigError, UsageError, VoiceOpsError
from voiceops.spinner import Spinner

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMATS = ("text", "json", "github", "sarif")  # keys of voiceops.reporters.REPORTERS


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _cache_options(command: Any) -> Any:
    command = click.option("--refresh", is_flag=True,
                           help="Fetch again even when the cached catalog is fresh.")(command)
    return click.option("--cache-url", metavar="URL", envvar="VOICEOPS_CACHE_URL",
                        help="Where live catalogs are cached: a folder (default: the user "
                             "cache folder) or redis://host:port/db to share one "
                             "[env: VOICEOPS_CACHE_URL].")(command)


def _env_option(command: Any) -> Any:
    return click.option("--env", "overlay", metavar="NAME", envvar="VOICEOPS_ENV",
                        help="Lay configs/env/NAME.yaml over every profile (staging, prod...) "
                             "[env: VOICEOPS_ENV].")(command)


def _cache(url: str | None) -> Any:
    from voiceops.catalog.cache import open_cache

    return open_cache(url)


def _warn(lines: Any) -> None:
    for line in lines:
        click.echo(click.style("warning: ", fg="yellow") + line, err=True)


def _print_problems(diagnostics: Any) -> None:
    for d in diagnostics:
        click.echo(d.format(), err=True)
        if d.hint:
            click.echo(f"    hint: {d.hint}", err=True)


class _Group(click.Group):
    """Maps every failure of a command to a one-line message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            _fail(str(exc), EXIT_USAGE)
        except ConfigError as exc:
            _print_problems(exc.diagnostics)
            _fail(str(exc))
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
@click.option("--live", is_flag=True,
              help="Check against the providers' live catalogs (through the cache) and report "
                   "drift from voiceops.lock. Needs the providers' API keys.")
@_cache_options
@_env_option
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
    from voiceops.reporters import report
    from voiceops.validate import default_validator

    targets = list(paths) or [find_project().configs]
    if not paths and not targets[0].is_dir():
        raise UsageError("no configs/ folder here or above; `voiceops init` creates a "
                         "project, or name profile files to check")
    if live:
        import asyncio

        from voiceops.validate import validate_live

        with Spinner() as spin:
            checked = asyncio.run(validate_live(targets, _cache(cache_url), strict=strict,
                                                prompts=prompts_dir, force=refresh,
                                                progress=spin.update, overlay=overlay))
        _warn(checked.warnings)
        result = checked.result
    else:
        result = default_validator(targets, strict=strict, prompts=prompts_dir,
                                   overlay=overlay).run(targets)
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(report(result, fmt, color))
    sys.exit(EXIT_INVALID if result.errors else EXIT_OK)


@cli.command()
@click.argument("profile")
@click.option("--prompt", "show_prompt", is_flag=True,
              help="Print the rendered system prompt and first message instead.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml",
              show_default=True)
@_env_option
def render(profile: str, show_prompt: bool, fmt: str, overlay: str | None) -> None:
    """Print a profile as it takes effect: after extends and ${VARS}, secrets redacted.

    PROFILE is a profile name in the project's configs/ or a path to its file.

    \b
    Examples:
      voiceops render support_hi
      voiceops render configs/sales_en.yaml --prompt
      voiceops render support_hi --env prod
    """
    from voiceops.render import effective_profile, redact

    checked, library = effective_profile(profile, overlay)
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
@_cache_options
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
    from voiceops.locking import check_lock, lock_project
    from voiceops.project import find_project

    project = find_project()
    if check:
        diff = check_lock(project)
        for ref in diff.missing:
            click.echo(f"{project.lock.name}: missing {ref.provider} {ref.what} '{ref.id}'")
        for ref in diff.unused:
            click.echo(f"{project.lock.name}: unused {ref.provider} {ref.what} '{ref.id}'")
        if not diff.current:
            _fail("the lock is out of date: run `voiceops lock` and commit voiceops.lock")
        click.echo(f"{project.lock.name} is up to date")
        return
    import asyncio

    with Spinner() as spin:
        outcome = asyncio.run(lock_project(project, _cache(cache_url), live=not offline,
                                           force=refresh, progress=spin.update))
    _warn(outcome.warnings)
    if outcome.missing:
        for ref in outcome.missing:
            click.echo(f"error: {ref.provider} {ref.what} '{ref.id}' is in no catalog", err=True)
        _fail("nothing written; fix these references (`voiceops validate` says more)")
    pins = sum(len(c.models) + len(c.voices) for c in outcome.lock.providers.values())
    state = "written" if outcome.written else "unchanged"
    click.echo(f"{project.lock.name} {state}: {pins} pins across "
               f"{len(outcome.lock.providers)} providers")


_LISTING_FORMATS = click.Choice(["table", "json"])


@cli.command()
@click.option("--provider", "-p", "providers", multiple=True, metavar="NAME",
              help="openai, anthropic, sarvam or elevenlabs (repeatable; default: all).")
@click.option("--kind", type=click.Choice(["chat", "realtime", "stt", "tts"]),
              help="Only models of this kind.")
@click.option("--all", "show_all", is_flag=True, help="Include retired models.")
@click.option("--live", is_flag=True, help="Ask the providers' APIs (through the cache).")
@click.option("--format", "fmt", type=_LISTING_FORMATS, default="table", show_default=True)
@_cache_options
def models(providers: tuple[str, ...], kind: str | None, show_all: bool, live: bool, fmt: str,
           cache_url: str | None, refresh: bool) -> None:
    """List models: context window, output limit, streaming, latency class, price.

    Prices are USD per million tokens (in/out) where the provider publishes them.

    \b
    Examples:
      voiceops models --provider anthropic
      voiceops models --kind stt --format json
    """
    from voiceops.catalog.listing import model_row, table

    catalog, names = _browse(providers, live, cache_url, refresh)
    rows = [model_row(m) for name in names for m in catalog.models(name)
            if (kind is None or m.kind == kind) and (show_all or not m.retired)]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(table(rows, ["provider", "id", "kind", "context_window", "max_output",
                            "streaming", "latency", "price_in", "price_out"]))


@cli.command()
@click.option("--provider", "-p", "providers", multiple=True, metavar="NAME",
              help="sarvam or elevenlabs (repeatable; default: both).")
@click.option("--custom", is_flag=True, help="Only your own voices (cloned, generated, "
                                             "professional).")
@click.option("--gender", help="female, male, ...")
@click.option("--language", metavar="TAG", help="Voices verified for this language (hi-IN, en).")
@click.option("--search", metavar="TEXT", help="Text in the name, id, accent or description.")
@click.option("--live", is_flag=True, help="Ask the providers' APIs (through the cache); "
                                           "needed to see custom voices.")
@click.option("--format", "fmt", type=_LISTING_FORMATS, default="table", show_default=True)
@_cache_options
def voices(providers: tuple[str, ...], custom: bool, gender: str | None, language: str | None,
           search: str | None, live: bool, fmt: str, cache_url: str | None,
           refresh: bool) -> None:
    """Browse TTS voices; copy an id or name into a profile's `tts.voice`.

    \b
    Examples:
      voiceops voices --provider sarvam --gender female
      voiceops voices --live --custom --format json
    """
    from voiceops.catalog.listing import filter_voices, table, voice_row

    catalog, names = _browse(providers or ("sarvam", "elevenlabs"), live, cache_url, refresh)
    picked = filter_voices((v for name in names for v in catalog.voices(name)), custom=custom,
                           gender=gender, language=language, search=search)
    rows = [voice_row(v) for v in picked]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(table(rows, ["provider", "id", "name", "category", "gender", "accent",
                            "languages"]))
    click.echo(f"{len(rows)} voices", err=True)


def _browse(providers: tuple[str, ...], live: bool, cache_url: str | None,
            refresh: bool) -> tuple[Any, list[str]]:
    from voiceops.catalog.providers import PROVIDERS
    from voiceops.catalog.sources import browse_catalog
    from voiceops.project import find_project
    from voiceops.suggest import did_you_mean

    known = [p for p, info in PROVIDERS.items() if info.has_catalog]
    for name in providers:
        if name not in known:
            hint = did_you_mean(name, known)
            raise UsageError(f"unknown provider '{name}'" + (f"; {hint}" if hint else ""))
    names = list(providers) or known
    import asyncio

    with Spinner() as spin:
        catalog, warnings = asyncio.run(browse_catalog(
            find_project(), names, live=live, cache=_cache(cache_url) if live else None,
            force=refresh, progress=spin.update))
    _warn(warnings)
    return catalog, names


@cli.command()
@click.argument("profile", required=False)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on. Anything but loopback needs VOICEOPS_TOKEN.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0 picks a free one).")
@click.option("--sim", is_flag=True,
              help="Start simulated providers on loopback and use them: no keys, no internet.")
@click.option("--no-reload", is_flag=True, help="Do not watch configs/ and prompts/.")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning"]), default="info",
              show_default=True)
@_env_option
def run(profile: str | None, host: str, port: int, sim: bool, no_reload: bool,
        log_level: str, overlay: str | None) -> None:
    """Serve voice sessions over WebSocket, hot-reloading profiles and prompts.

    PROFILE is the profile a session gets when its start frame names none. Everything is
    validated first: the daemon refuses to start on errors. While it runs, a valid edit
    goes live for new sessions (live ones keep theirs); an invalid one is logged and the
    last good config stays.

    \b
    Examples:
      voiceops run support_hi --sim          # no keys needed: simulated providers
      voiceops run --host 0.0.0.0 --port 8765  # needs VOICEOPS_TOKEN
      voiceops run --env prod                  # configs/env/prod.yaml over every profile
    Then: voiceops talk --profile support_hi
    """
    from voiceops.serve import ServeOptions, serve

    serve(ServeOptions(profile=profile, host=host, port=port, simulated=sim,
                       reload=not no_reload, log_level=log_level, overlay=overlay),
          echo=click.echo)


_SECONDS = click.FloatRange(0, 60)


@cli.command()
@click.option("--stt-latency", type=_SECONDS, default=0.0, show_default=True, metavar="S",
              help="Seconds before each transcript.")
@click.option("--llm-ttft", type=_SECONDS, default=0.0, show_default=True, metavar="S",
              help="Seconds before each reply's first token.")
@click.option("--token-interval", type=_SECONDS, default=0.0, show_default=True, metavar="S",
              help="Seconds between the reply's tokens.")
@click.option("--tts-ttfb", type=_SECONDS, default=0.0, show_default=True, metavar="S",
              help="Seconds before each synthesis's first audio byte.")
@click.option("--reply-sentences", type=click.IntRange(0, 100), default=2, show_default=True,
              help="Sentences in each LLM reply (after the echo of what was said).")
def sim(stt_latency: float, llm_ttft: float, token_interval: float, tts_ttfb: float,
        reply_sentences: int) -> None:
    """Run the provider simulators alone, until Ctrl-C.

    OpenAI, Anthropic, Sarvam and ElevenLabs, each a real HTTP server on 127.0.0.1 that
    speaks its provider's API with deterministic replies and synthetic audio. Prints the
    environment (KEY=VALUE, dotenv style) that points voiceops, or your own client, at
    them; `voiceops run --sim` does the same inside the daemon.

    \b
    Examples:
      voiceops sim > sims.env                  # then, in another shell:
      env $(cat sims.env) voiceops run support_hi
      voiceops sim --llm-ttft 0.3 --tts-ttfb 0.2 --stt-latency 0.15
    """
    from voiceops.sim.stack import SimStack, serve_until_stopped

    stack = SimStack()
    stack.latency(stt=stt_latency, llm_ttft=llm_ttft, tts_ttfb=tts_ttfb,
                  llm_token_interval=token_interval)
    stack.reply_sentences(reply_sentences)
    serve_until_stopped(stack, click.echo, lambda line: click.echo(line, err=True))


@cli.command()
@click.argument("url", default="ws://127.0.0.1:8765/v1/sessions")
@click.option("--profile", "-p", help="Profile to talk to (default: the daemon's).")
@click.option("--say", "said", multiple=True, metavar="TEXT",
              help="A typed turn (repeatable); without it, lines are read from stdin.")
@click.option("--wav", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Send this WAV file (16-bit mono) as an audio turn first.")
@click.option("--rate", default=16000, show_default=True, help="Sample rate of --wav.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A prompt variable for this session (repeatable).")
@click.option("--save-audio", type=click.Path(path_type=Path, dir_okay=False),
              help="Write everything the agent said to this WAV file.")
@click.option("--token", envvar="VOICEOPS_TOKEN", help="[env: VOICEOPS_TOKEN]")
def talk(url: str, profile: str | None, said: tuple[str, ...], wav: Path | None, rate: int,
         variables: tuple[str, ...], save_audio: Path | None, token: str | None) -> None:
    """Talk to a running daemon from the terminal: typed turns, or a WAV as audio.

    Prints the agent's replies and, per turn, the latency of each stage.

    \b
    Examples:
      voiceops talk --profile support_hi
      voiceops talk --say "What are your hours?" --say "Thanks"
      voiceops talk --wav question.wav --save-audio answer.wav
    """
    import asyncio

    from voiceops.client import save_audio as write_audio
    from voiceops.client import talk as converse

    values = dict(_assignment(v) for v in variables)
    lines = said or (_stdin_lines() if not sys.stdin.isatty() else _prompted_lines())
    conversation = asyncio.run(converse(url, profile=profile, turns=lines, token=token,
                                        wav=wav, rate=rate, echo=click.echo,
                                        variables=values))
    if save_audio:
        write_audio(conversation, save_audio)
        click.echo(f"saved {save_audio}")
    if any(turn.errors for turn in conversation.turns):
        sys.exit(EXIT_INVALID)


def _stdin_lines() -> list[str]:
    return sys.stdin.read().splitlines()


def _prompted_lines() -> Any:
    while True:
        try:
            line = input("you> ")
        except EOFError:
            return
        if line.strip() in ("/quit", "/exit"):
            return
        yield line


def _assignment(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    if not sep or not name:
        raise UsageError(f"--set/--var takes NAME=VALUE, not {text!r}")
    import yaml

    try:
        value = yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError:
        value = raw
    return name.strip(), value


@cli.command()
@click.argument("profile")
@click.option("--text", help="What to say (default: the profile's first message).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="WAV file to write (default: PROFILE-preview.wav).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Override a TTS setting, e.g. tuning.pace=1.2 or voice=vidya.")
@click.option("--rate", default=22050, show_default=True,
              type=click.Choice(["8000", "16000", "22050", "24000"]), help="Sample rate.")
@click.option("--play/--no-play", default=True, help="Play it when a player is found.")
@_env_option
def preview(profile: str, text: str | None, output: Path | None, settings: tuple[str, ...],
            rate: str, play: bool, overlay: str | None) -> None:
    """Hear a profile's voice: synthesize its first message (or --text) to a WAV file.

    Uses the profile's TTS provider, voice and tuning with real API keys (set
    SARVAM_API_KEY or ELEVENLABS_API_KEY), or any server named by <PROVIDER>_BASE_URL.

    \b
    Examples:
      voiceops preview support_hi
      voiceops preview sales_en --text "Hi there" --set tuning.speed=1.1 -o hi.wav
    """
    import asyncio

    from voiceops.preview import apply_settings
    from voiceops.preview import preview as synthesize
    from voiceops.providers.registry import ProviderPool, resolve_target
    from voiceops.render import effective_profile

    checked, library = effective_profile(profile, overlay)
    _print_problems(checked.diagnostics)
    if not checked.valid or checked.profile is None:
        _fail(f"{profile} has errors; fix them to preview it")
    from voiceops.prompts.render import render_prompt

    data = checked.profile.data
    words = text or render_prompt(checked.profile.name, data, library).first_message
    if not words:
        raise UsageError(f"{profile} has no first_message; pass --text")
    section = apply_settings(data.get("tts") or {}, dict(_assignment(s) for s in settings))

    async def make() -> bytes:
        async with ProviderPool() as pool:
            return await synthesize(section, words, providers=pool, resolve=resolve_target,
                                    env=os.environ, sample_rate=int(rate),
                                    language=data.get("language"))

    wav = asyncio.run(make())
    target = output or Path(f"{checked.profile.name}-preview.wav")
    target.write_bytes(wav)
    seconds = (len(wav) - 44) / (int(rate) * 2)
    click.echo(f"wrote {target} ({seconds:.1f} s, {section.get('provider')} voice "
               f"{section.get('voice')})")
    if play:
        _play(target)


def _play(path: Path) -> None:
    import shutil
    import subprocess

    for player in (["aplay", "-q"], ["afplay"], ["paplay"], ["ffplay", "-nodisp", "-autoexit",
                                                             "-loglevel", "quiet"]):
        if shutil.which(player[0]):
            subprocess.run([*player, str(path)], check=False, timeout=120)
            return


@cli.command()
@click.argument("revs", nargs=-1, metavar="[REV] [REV2]")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True,
              help="text for people; markdown for a pull-request comment; json for tools.")
@click.option("--exit-code", is_flag=True,
              help="Exit 1 when any profile changed (like `git diff --exit-code`).")
@_env_option
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
    from voiceops.reporters import report
    from voiceops.review.legacy.importer import import_sessions

    outcome = import_sessions(files, force=force, prompt_templates=prompt_templates)
    _warn(outcome.warnings)
    if len(outcome.problems) == 1:
        _fail(f"{outcome.problems[0]}; nothing imported")
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(f"error: {problem}", err=True)
        _fail(f"nothing imported: {len(outcome.problems)} problems")
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
    _warn(exported.warnings)
    for note in exported.notes:
        click.echo(f"note: {note}", err=True)
    text = json.dumps(exported.record, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from exc
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
    from voiceops.scaffold import scaffold

    written, kept = scaffold(directory, force=force)
    for path in written:
        click.echo(f"  created {path}")
    for path in kept:
        click.echo(f"  kept    {path} (exists; --force to overwrite)")
    project = Project(directory)
    if not project.lock.exists():
        import asyncio

        from voiceops.locking import lock_project

        outcome = asyncio.run(lock_project(project, _cache(None), live=False))
        if outcome.written:
            click.echo(f"  created {project.lock} (offline; `voiceops lock` pins live data)")
    step = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"\nNext: {step}voiceops validate")


def main() -> None:
    """Entry point of the `voiceops` console script."""
    cli()


if __name__ == "__main__":
    main()
