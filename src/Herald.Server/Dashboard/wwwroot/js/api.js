// The dashboard is a client of Herald's public API: the same routes, the same keys, the same tenant scoping.

const keyName = 'herald.key';

export const session = {
  get key() { return sessionStorage.getItem(keyName); },
  signIn(key) { sessionStorage.setItem(keyName, key); },
  signOut() { sessionStorage.removeItem(keyName); },
};

/** An error object from the API ({code, message, source}) with its HTTP status. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? 'http_error';
    this.source = body?.source ?? null;
  }
}

/**
 * Calls the API. Empty query values are left out. Returns the parsed JSON, or the exact text with raw: true
 * (event envelopes are shown byte for byte as endpoints receive them).
 */
export async function api(path, { method = 'GET', query, body, raw = false, key } = {}) {
  const url = new URL(path, window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, value);
  }

  const headers = { Accept: 'application/json', Authorization: `Bearer ${key ?? session.key ?? ''}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'omit' });
  } catch {
    throw new ApiError(0, { code: 'network_error', message: 'Herald did not answer. Check that the server is running and reachable.' });
  }

  const text = await response.text();
  if (!response.ok) {
    let parsed = null;
    try { parsed = JSON.parse(text); } catch { /* not JSON: shown as text */ }
    throw new ApiError(response.status, parsed?.code ? parsed : { code: 'http_error', message: text || response.statusText });
  }

  return raw ? text : (text ? JSON.parse(text) : null);
}
