"""`voiceops phone`: call a daemon the way Twilio or Exotel would, and check the protocol."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from voiceops.cli.app import EXIT_INVALID, assignment, cli, write_file

_DEFAULT_URL = "http://127.0.0.1:8765"


@cli.command()
@click.argument("url", default=_DEFAULT_URL)
@click.option("--twilio/--exotel", "twilio", default=True,
              help="The carrier to play: Twilio Media Streams (the default; the signed voice "
                   "webhook first) or Exotel AgentStream (the Voicebot applet's stream).")
@click.option("--say", "said", multiple=True, metavar="TEXT",
              help="A caller turn, spoken by espeak-ng (the simulators' tone speech when it "
                   "is not installed). Repeatable.")
@click.option("--wav", "wavs", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A caller turn from a 16-bit WAV file (any rate; resampled). Repeatable; "
                   "WAV turns come before --say turns.")
@click.option("--dtmf", "keys", multiple=True, metavar="KEYS",
              help="Keys the caller presses (0-9 * # A-D), one DTMF event each, after the "
                   "spoken turns. Repeatable: each is a turn.")
@click.option("--from", "from_number", default="+14155550123", show_default=True,
              help="The caller's number.")
@click.option("--to", "to_number", default="+14155550100", show_default=True,
              help="The number dialled (routing picks the profile by it).")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Exotel: a custom parameter on the stream URL (up to 3).")
@click.option("--rate", type=click.Choice(["8000", "16000", "24000"]), default="8000",
              show_default=True, help="Exotel: the stream's ?sample-rate=.")
@click.option("--mulaw", is_flag=True,
              help="Exotel: μ-law 8 kHz media (a format one Exotel guide describes) instead "
                   "of 16-bit PCM.")
@click.option("--barge-in", "barge_in_ms", type=click.IntRange(0, 60_000), metavar="MS",
              help="Speak each turn after the first this many ms into the agent's reply "
                   "(a barge-in: the daemon must send clear).")
@click.option("--wait-hangup", is_flag=True,
              help="After the last turn, stay silent until the daemon ends the call "
                   "(silence reminders, max_duration_s); for Twilio, check it hung up "
                   "through the REST API.")
@click.option("--rest-url", metavar="URL",
              help="Twilio: the REST API (or its simulator) to ask whether the daemon hung "
                   "up [env: TWILIO_BASE_URL]. Exotel has no hang-up API: closing its stream "
                   "hands the call to the flow's next applet.")
@click.option("--record", type=click.Path(path_type=Path, dir_okay=False),
              help="Save the call as a stereo WAV: caller left, agent right, one timeline.")
@click.option("--auth-token", envvar="TWILIO_AUTH_TOKEN",
              help="Twilio: the auth token that signs the webhook (default: the simulated "
                   "account's, which `voiceops run --sim` uses) [env: TWILIO_AUTH_TOKEN; "
                   "TWILIO_ACCOUNT_SID likewise names the account].")
@click.option("--public-url", metavar="URL",
              help="Twilio: the URL the daemon was told it is reached at (voiceops run "
                   "--public-url); the webhook is signed for it.")
@click.option("--token", envvar="VOICEOPS_TOKEN",
              help="Exotel: the daemon's token, sent as the Basic auth password "
                   "[env: VOICEOPS_TOKEN].")
def phone(url: str, twilio: bool, said: tuple[str, ...], wavs: tuple[Path, ...],
          keys: tuple[str, ...], from_number: str, to_number: str, params: tuple[str, ...],
          rate: str, mulaw: bool, barge_in_ms: int | None, wait_hangup: bool, rest_url: str | None,
          record: Path | None, auth_token: str | None, public_url: str | None,
          token: str | None) -> None:
    """Call a daemon as the phone network would: Twilio or Exotel, from their docs.

    URL is the daemon's (default http://127.0.0.1:8765). The caller's turns go out as
    real-time media frames (Twilio: 20 ms of μ-law 8 kHz; Exotel: 100 ms of 16-bit PCM);
    the agent's audio plays on a simulated clock, so marks come back when their audio has
    played and clear drops what is queued. Prints each reply's audio and its timing at the
    wire (end of caller speech to first agent media), then any protocol violation; exits 1
    when there is one (missing or wrong streamSid, extra fields, Exotel chunk sizes, media
    after clear for the interrupted reply, a stream closed without a REST hang-up).

    The words are not on the phone wire: they are read from the daemon's /v1/calls while
    the call is live.

    \b
    Examples:
      voiceops phone --exotel --say "What plans do you have?"
      voiceops phone --exotel --rate 16000 --say "Namaste" --dtmf 1 --record call.wav
      voiceops phone http://127.0.0.1:8765 --exotel --wav question.wav --say "Thanks, bye"
    """
    import asyncio

    from voiceops.harness.phone import PhoneOptions, from_text, from_wav, place_call, stereo_wav
    from voiceops.harness.phone import keys as pressed
    from voiceops.harness.phone.rest import hangup_check
    from voiceops.harness.phone.sim import default_account_sid, default_auth_token
    from voiceops.telephony.types import Carrier

    carrier: Carrier = "twilio" if twilio else "exotel"
    line_rate = 8000 if twilio or mulaw else int(rate)
    turns = [from_wav(path, line_rate) for path in wavs]
    turns += [from_text(text, line_rate) for text in said]
    turns += [pressed(k) for k in keys]
    custom = {name: str(value) for name, value in map(assignment, params)}
    password = auth_token or default_auth_token()
    rest = rest_url or os.environ.get("TWILIO_BASE_URL")
    account = os.environ.get("TWILIO_ACCOUNT_SID") or default_account_sid()
    options = PhoneOptions(
        base_url=url, carrier=carrier, turns=turns, rate=line_rate, from_number=from_number,
        account_sid=account, mulaw=mulaw and not twilio,
        to_number=to_number, custom=custom, auth_token=password, public_url=public_url,
        token=token, barge_in_ms=barge_in_ms, hangup="daemon" if wait_hangup else "caller",
        check_hangup=hangup_check(rest, password) if rest and twilio else None)
    report = asyncio.run(place_call(options))
    for line in report.lines():
        click.echo(line)
    if record is not None:
        write_file(record, stereo_wav(bytes(report.caller_track), bytes(report.agent_track),
                                      report.rate))
        click.echo(f"saved {record}")
    if not report.ok:
        sys.exit(EXIT_INVALID)
