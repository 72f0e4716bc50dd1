"""Where a call's media stream is. Twilio: POST the signed voice webhook and read the
`<Connect><Stream>` of its TwiML. Exotel: the Voicebot applet's URL, `?sample-rate=` and
custom parameters, with the daemon's token as Basic auth (or `?token=`)."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit, urlunsplit

from voiceops.errors import DaemonConnectionError
from voiceops.harness.phone import webhook
from voiceops.harness.phone.options import PhoneOptions
from voiceops.telephony.types import CallInfo

if TYPE_CHECKING:
    import httpx

__all__ = ["EXOTEL_PATH", "stream_address"]

EXOTEL_PATH = "/v1/telephony/exotel/stream"


async def stream_address(options: PhoneOptions, call: CallInfo, client: httpx.AsyncClient,
                         ) -> tuple[str | None, dict[str, str], webhook.Answer | None]:
    """(stream URL, headers to open it with, Twilio's TwiML answer). The URL is None when
    the TwiML opens no stream (a refusal). Raises DaemonConnectionError when the webhook
    cannot be posted or is not answered with 200."""
    base = options.base_url.rstrip("/")
    if options.carrier == "exotel":
        query = {"sample-rate": str(8000 if options.mulaw else options.rate),
                 **options.custom}
        headers = {}
        if options.token and options.token_in == "query":
            query["token"] = options.token
        elif options.token:
            basic = base64.b64encode(f"exotel:{options.token}".encode()).decode()
            headers["Authorization"] = f"Basic {basic}"
        return _ws(base + EXOTEL_PATH) + "?" + urlencode(query), headers, None
    url = base + webhook.WEBHOOK_PATH
    signed = (options.public_url.rstrip("/") + webhook.WEBHOOK_PATH
              if options.public_url else url)
    form = webhook.call_form(call_sid=call.call_sid, account_sid=call.account_sid,
                             from_number=call.from_number, to_number=call.to_number)
    status, body = await webhook.post_webhook(client, url, options.auth_token, form,
                                              signed_url=signed)
    if status != 200:
        raise DaemonConnectionError(f"the voice webhook answered HTTP {status}: "
                                    f"{body.strip()[:200]}")
    answer = webhook.parse_twiml(body)
    return answer.stream_url, {}, answer


def _ws(url: str) -> str:
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
