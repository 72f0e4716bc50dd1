// The daemon's HTTP API and WebSocket URL, with the token when one is needed.
//
// Errors: OfflineError (fetch failed: the daemon is down or unreachable) and ApiError (an HTTP
// error with the daemon's {error: {code, message, hint}} body). A 401 also fires `unauthorized`
// on `events`, so the page can ask for a token whatever request hit it.

const TOKEN_KEY = 'voiceops.token';

export const events = new EventTarget();

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY) || '',
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class OfflineError extends Error {
  constructor() {
    super(`The daemon at ${location.host} is not answering. Is \`voiceops run\` still running?`);
    this.name = 'OfflineError';
  }
}

export class ApiError extends Error {
  constructor(status, code, message, hint) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.hint = hint || null;
  }
}

/** GET (or POST with `body`) a path relative to the page; JSON back, or a Blob with as='blob'. */
export async function api(path, { method = 'GET', body, as = 'json', signal } = {}) {
  const headers = {};
  const secret = token.get();
  if (secret) headers.Authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method, headers, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new OfflineError();
  }
  if (!response.ok) {
    let detail = {};
    try {
      detail = (await response.json()).error || {};
    } catch {
      // not a JSON error body (a proxy's page, say): the status says enough
    }
    if (response.status === 401) events.dispatchEvent(new Event('unauthorized'));
    throw new ApiError(response.status, detail.code || `http_${response.status}`,
      detail.message || response.statusText || `HTTP ${response.status}`, detail.hint);
  }
  return as === 'blob' ? response.blob() : response.json();
}

/** The session WebSocket URL; browsers cannot set headers there, so the token rides as ?token=. */
export function sessionUrl() {
  const url = new URL('v1/sessions', location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const secret = token.get();
  if (secret) url.searchParams.set('token', secret);
  return url.href;
}

/** One line for a person: what went wrong and, when the daemon gave one, the hint. */
export function describe(err) {
  if (err instanceof OfflineError) return err.message;
  if (err instanceof ApiError) {
    if (err.status === 401) return 'The daemon refused the token (401 unauthorized).';
    return `${err.message} (${err.code})${err.hint ? `. ${err.hint}` : ''}`;
  }
  return `Unexpected error: ${err?.message || err}`;
}
