"""`run`, `sim` and `talk`: serve sessions, run the simulators, talk to a daemon."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from voiceops.cli.app import (
    EXIT_INVALID,
    assignment,
    cli,
    env_option,
)


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
@env_option
@click.option("--allow-origin", "allow_origins", multiple=True, metavar="ORIGIN",
              help="A web origin (https://console.example) whose pages may open sessions and "
                   "post; the console's own origin and loopback origins always may.")
@click.option("--max-connections", default=2000, show_default=True,
              type=click.IntRange(1, 1_000_000),
              help="Open sockets at most (sessions included); more are closed at once.")
@click.option("--header-timeout", default=10.0, show_default=True, metavar="S",
              type=click.FloatRange(0.1, 300),
              help="Seconds a connection has to finish its request headers.")
@click.option("--public-url", metavar="URL",
              help="The daemon's address as phone carriers reach it through a tunnel or "
                   "proxy (https://abc.ngrok.app): Twilio's webhook signatures are checked "
                   "against it and stream URLs are built on it.")
def run(profile: str | None, host: str, port: int, sim: bool, no_reload: bool,
        log_level: str, overlay: str | None, allow_origins: tuple[str, ...],
        max_connections: int, header_timeout: float, public_url: str | None) -> None:
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
      voiceops run support_hi --public-url https://abc.ngrok.app  # take phone calls
    Then: voiceops talk --profile support_hi
    """
    from voiceops.server.serve import ServeOptions, serve

    serve(ServeOptions(profile=profile, host=host, port=port, simulated=sim,
                       reload=not no_reload, log_level=log_level, overlay=overlay,
                       allow_origins=allow_origins, max_connections=max_connections,
                       header_timeout_s=header_timeout, public_url=public_url),
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
              help="Send this WAV file (16-bit mono, at its own rate) as an audio turn "
                   "first, at the pace it plays.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE",
              help="A prompt variable for this session (repeatable).")
@click.option("--save-audio", type=click.Path(path_type=Path, dir_okay=False),
              help="Write everything the agent said to this WAV file.")
@click.option("--token", envvar="VOICEOPS_TOKEN", help="[env: VOICEOPS_TOKEN]")
def talk(url: str, profile: str | None, said: tuple[str, ...], wav: Path | None,
         variables: tuple[str, ...], save_audio: Path | None, token: str | None) -> None:
    """Talk to a running daemon from the terminal: typed turns, or a WAV as audio.

    URL is the daemon's (default ws://127.0.0.1:8765/v1/sessions, where `voiceops run`
    listens); http://host:port and host:port work too. Prints the agent's replies and, per
    turn, the latency of each stage. Typed lines end with Ctrl-D or /quit.

    \b
    Examples:
      voiceops talk --profile support_hi
      voiceops talk --say "What are your hours?" --say "Thanks"
      voiceops talk http://127.0.0.1:8765 --wav question.wav --save-audio answer.wav
    """
    import asyncio

    from voiceops.cli.talk import StdinLines
    from voiceops.cli.talk import save_audio as write_audio
    from voiceops.cli.talk import talk as converse

    values = dict(assignment(v) for v in variables)
    typed = sys.stdin.isatty()
    lines = said or StdinLines("you> " if typed else None)
    conversation = asyncio.run(converse(url, profile=profile, turns=lines, token=token,
                                        wav=wav, echo=click.echo, variables=values,
                                        echo_turns=not (typed and not said)))
    if save_audio:
        write_audio(conversation, save_audio)
        click.echo(f"saved {save_audio}")
    if any(turn.errors for turn in conversation.turns):
        sys.exit(EXIT_INVALID)
