"""`models`, `voices` and `preview`: browse the providers' catalogs and hear a voice."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from voiceops.cli.app import (
    assignment,
    cache_options,
    cli,
    env_option,
    fail,
    open_catalog_cache,
    print_problems,
    warn,
    write_file,
)
from voiceops.cli.spinner import Spinner
from voiceops.errors import UsageError

_LISTING_FORMATS = click.Choice(["table", "json"])


@cli.command()
@click.option("--provider", "-p", "providers", multiple=True, metavar="NAME",
              help="openai, anthropic, sarvam or elevenlabs (repeatable; default: all).")
@click.option("--kind", type=click.Choice(["chat", "realtime", "stt", "tts"]),
              help="Only models of this kind.")
@click.option("--all", "show_all", is_flag=True, help="Include retired models.")
@click.option("--live", is_flag=True, help="Ask the providers' APIs (through the cache).")
@click.option("--format", "fmt", type=_LISTING_FORMATS, default="table", show_default=True)
@cache_options
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
    rows = [model_row(m) for name in sorted(names)
            for m in sorted(catalog.models(name), key=lambda m: m.id)
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
@cache_options
def voices(providers: tuple[str, ...], custom: bool, gender: str | None, language: str | None,
           search: str | None, live: bool, fmt: str, cache_url: str | None,
           refresh: bool) -> None:
    """Browse TTS voices; copy an id or name into a profile's `tts.voice`.

    \b
    Examples:
      voiceops voices --provider sarvam --gender female
      voiceops voices --live --custom --format json
    """
    from voiceops.catalog.listing import empty_hints, filter_voices, table, voice_row

    catalog, names = _browse(providers or ("sarvam", "elevenlabs"), live, cache_url, refresh)
    picked = filter_voices((v for name in names for v in catalog.voices(name)), custom=custom,
                           gender=gender, language=language, search=search)
    rows = [voice_row(v) for v in picked]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(table(rows, ["provider", "id", "name", "category", "gender", "accent",
                                "languages"]))
        click.echo(f"{len(rows)} voices", err=True)
    for hint in empty_hints(catalog, names, rows=len(rows), custom=custom,
                            language=language, live=live):
        click.echo(f"hint: {hint}", err=True)


def _browse(providers: tuple[str, ...], live: bool, cache_url: str | None,
            refresh: bool) -> tuple[Any, list[str]]:
    from voiceops.catalog.sources import browse_catalog
    from voiceops.project import find_project
    from voiceops.provider_facts import PROVIDERS
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
            find_project(), names, live=live, cache=open_catalog_cache(cache_url) if live else None,
            force=refresh, progress=spin.update))
    warn(warnings)
    return catalog, names



@cli.command()
@click.argument("profile")
@click.option("--text", help="What to say (default: the profile's first message).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="WAV file to write (default: PROFILE-preview.wav).")
@click.option("--set", "settings", multiple=True, metavar="KEY=VALUE",
              help="Override a TTS setting, e.g. tuning.pace=1.2 or voice=vidya.")
@click.option("--rate", default="22050", show_default=True,
              type=click.Choice(["8000", "16000", "22050", "24000"]), help="Sample rate.")
@click.option("--play/--no-play", default=True, help="Play it when a player is found.")
@click.option("--sim", is_flag=True,
              help="Synthesize with the simulated providers (synthetic audio): no keys, no "
                   "internet; checks the settings end to end.")
@env_option
def preview(profile: str, text: str | None, output: Path | None, settings: tuple[str, ...],
            rate: str, play: bool, sim: bool, overlay: str | None) -> None:
    """Hear a profile's voice: synthesize its first message (or --text) to a WAV file.

    Uses the profile's TTS provider, voice and tuning with real API keys (set
    SARVAM_API_KEY or ELEVENLABS_API_KEY), or any server named by <PROVIDER>_BASE_URL, or
    the simulators with --sim. Voices may be named as in profiles ("Sarah").

    \b
    Examples:
      voiceops preview support_hi
      voiceops preview sales_en --text "Hi there" --set tuning.speed=1.1 -o hi.wav
      voiceops preview sales_en --sim --set voice=George --no-play
    """
    import asyncio

    from voiceops.catalog.sources import offline_catalog
    from voiceops.project import find_project
    from voiceops.prompts.render import render_prompt
    from voiceops.providers.preview import apply_settings
    from voiceops.providers.preview import preview as synthesize
    from voiceops.providers.registry import ProviderPool, resolve_target
    from voiceops.validation.render import effective_profile

    checked, library = effective_profile(profile, overlay)
    print_problems(checked.diagnostics)
    if not checked.valid or checked.profile is None:
        fail(f"{profile} has errors; fix them to preview it")
    data = checked.profile.data
    words = text or render_prompt(checked.profile.name, data, library).first_message
    if not words:
        raise UsageError(f"{profile} has no first_message; pass --text")
    section = apply_settings(data.get("tts") or {}, dict(assignment(s) for s in settings))
    catalog = offline_catalog(find_project())

    async def make(env: Mapping[str, str]) -> bytes:
        async with ProviderPool() as pool:
            return await synthesize(section, words, providers=pool, resolve=resolve_target,
                                    env=env, sample_rate=int(rate),
                                    language=data.get("language"), catalog=catalog)

    if sim:
        from voiceops.sim.stack import SimStack

        with SimStack() as sims:
            wav = asyncio.run(make({**os.environ, **sims.env()}))
    else:
        wav = asyncio.run(make(os.environ))
    target = output or Path(f"{checked.profile.name}-preview.wav")
    write_file(target, wav)
    seconds = (len(wav) - 44) / (int(rate) * 2)
    click.echo(f"wrote {target} ({seconds:.1f} s, {section.get('provider')} voice "
               f"{section.get('voice')}{', simulated' if sim else ''})")
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
