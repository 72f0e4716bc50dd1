"""Is a webhook request really from Twilio? `X-Twilio-Signature`, checked as Twilio checks it.

Twilio's rule (twilio.com/docs/usage/webhooks/webhooks-security): take the full URL Twilio
requested, query string included; append each POST parameter's name and value, sorted by
name, with no separators; HMAC-SHA1 it with the account's auth token; base64. The official
helpers (twilio-python `twilio/request_validator.py`, `RequestValidator.validate`, which the
tests use as the judge) add what the prose leaves out, and this module follows them:

- the URL is tried both with and without its port (":443" for https, ":80" for http, when
  none is written), "since sig generation on back end is inconsistent";
- a parameter sent several times contributes each distinct value, sorted;
- a JSON body is not in the signature: Twilio adds `bodySHA256=<hex sha256 of the body>` to
  the URL's query instead, and that hash must match the body;
- a request signed with a SharedKey (Webhooks configuration API, public beta) carries
  `X-Twilio-Webhooks-Signature-Settings: key=...,algorithm=HMAC_SHA256`: the same string,
  hashed with that algorithm and the SharedKey's secret instead of the auth token
  (twilio.com/docs/usage/webhooks/webhook-shared-keys; twilio-node's
  examples/WebhookSignatureValidation.md). No such header means HMAC-SHA1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import parse_qs, urlsplit, urlunsplit

__all__ = ["ALGORITHMS", "SETTINGS_HEADER", "SIGNATURE_HEADER", "expected_signatures",
           "signature_algorithm", "signed_by_twilio"]

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
ALGORITHMS: Mapping[str, Callable[[], hashlib._Hash]] = {
    "HMAC_SHA1": hashlib.sha1, "HMAC_SHA256": hashlib.sha256,
}
_DEFAULT_PORTS = {"https": 443, "http": 80}


def signature_algorithm(settings_header: str | None) -> str:
    """The algorithm a signature-settings header names (upper case); HMAC_SHA1 when there is
    no header or it names none. The caller refuses a name missing from ALGORITHMS."""
    for part in (settings_header or "").split(","):
        name, equals, value = part.partition("=")
        if equals and name.strip() == "algorithm" and value.strip():
            return value.strip().upper()
    return "HMAC_SHA1"


def _url_variants(url: str) -> list[str]:
    """`url` with its port written and without it (Twilio signs either way)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal goes back in brackets
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    with_port = f"{prefix}{host}:{port}" if port else f"{prefix}{host}"
    return [urlunsplit(parts._replace(netloc=netloc))
            for netloc in dict.fromkeys((with_port, f"{prefix}{host}"))]


def _signed_string(url: str, params: Mapping[str, Iterable[str]]) -> str:
    return url + "".join(name + value for name in sorted(params)
                         for value in sorted(set(params[name])))


def expected_signatures(secret: str, url: str, params: Mapping[str, Iterable[str]],
                        algorithm: str = "HMAC_SHA1") -> list[str]:
    """Every signature Twilio may have sent for a POST of `params` to `url`: one per form of
    the URL (with and without its port). `algorithm` must be a key of ALGORITHMS."""
    digest = ALGORITHMS[algorithm]
    return [base64.b64encode(hmac.new(secret.encode("utf-8"),
                                      _signed_string(variant, params).encode("utf-8"),
                                      digest).digest()).decode("ascii")
            for variant in _url_variants(url)]


def signed_by_twilio(secret: str, url: str, params: Mapping[str, Iterable[str]], body: bytes,
                     signature: str, algorithm: str = "HMAC_SHA1") -> bool:
    """True when `signature` is Twilio's for this request: `url` is the public URL it was sent
    to (query string included), `params` the form fields by name (empty for a JSON body),
    `body` the raw body (checked against the URL's `bodySHA256` when there is one)."""
    if algorithm not in ALGORITHMS or not signature:
        return False
    query = parse_qs(urlsplit(url).query)
    if "bodySHA256" in query:
        if not hmac.compare_digest(hashlib.sha256(body).hexdigest().encode(),
                                   query["bodySHA256"][0].encode("utf-8")):
            return False
        params = {}  # the hash stands for the body
    given = signature.strip().encode("utf-8")
    # Every candidate is compared (no early exit), so timing says nothing of which matched.
    matches = [hmac.compare_digest(expected.encode("ascii"), given)
               for expected in expected_signatures(secret, url, params, algorithm)]
    return any(matches)
