"""The HTTP layer under every provider request: catalog fetches and voice-turn calls alike.

    policy     RetryPolicy: attempts, backoff with jitter, Retry-After honoured, a wait cap;
               CATALOG_RETRY (a command can wait) and ONE_RETRY (a caller is on the line)
    retryable  which failures are worth another try (408, 429, 5xx but 501, no connection;
               timeouts only where the policy says so)
    wording    `Call`: every failure as a `voiceops.errors` exception, one wording for all
    sdk        the `openai` / `anthropic` SDK exceptions (and `httpx2`'s) mapped the same way
    rest       one streaming request over httpx, retried only before its first byte
    endpoint   the API root a call goes to

It imports nothing of `catalog`, `config` or `runtime`: they sit above it.
Nothing is imported here, so each user pays only for the modules it needs.
"""
