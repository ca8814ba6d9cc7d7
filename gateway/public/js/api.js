/** An error response of the gateway, `{error: {code, message, details?}}`, or a failed connection. */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, or 0 when the request got no response
   * @param {string} code
   * @param {string} message
   * @param {unknown} [details]
   */
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Called on any 401, so the page can show the sign-in form. */
let onUnauthorized = () => {};

export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

/**
 * Sends a request to the gateway with the session cookie and returns the parsed JSON body, or
 * null for an empty one. Error responses throw `ApiError`.
 * @param {string} method
 * @param {string} path
 * @param {{ json?: unknown, text?: string, signal?: AbortSignal, quietUnauthorized?: boolean }} [options]
 */
export async function api(method, path, options = {}) {
  const init = { method, credentials: 'same-origin', headers: {}, signal: options.signal };
  if (options.json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.json);
  } else if (options.text !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = options.text;
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'the gateway sent no response; check that it is running and try again');
  }

  const text = await response.text();
  let body = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (response.ok) return body;

  if (response.status === 401 && !options.quietUnauthorized) onUnauthorized();
  const error = body && typeof body === 'object' && body.error ? body.error : null;
  throw new ApiError(
    response.status,
    error?.code ?? `http_${response.status}`,
    error?.message ?? `the gateway answered ${response.status} ${response.statusText}`,
    error?.details,
  );
}

/** Words for an error next to the control that caused it. */
export function describeError(error, action) {
  if (!(error instanceof ApiError)) {
    return `${action} failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  const fields = Array.isArray(error.details)
    ? error.details
        .filter((detail) => detail && typeof detail.message === 'string')
        .map((detail) =>
          detail.path && detail.path !== '(body)' ? `${detail.path}: ${detail.message}` : detail.message,
        )
    : [];
  const detailText = fields.length > 0 ? ` (${fields.join('; ')})` : '';

  switch (error.status) {
    case 0:
      return `${action} failed: ${error.message}.`;
    case 404:
      return `${action} failed: not found (404): ${error.message}.`;
    case 501:
      return `${action} is not available on this gateway yet (501): ${error.message}.`;
    case 401:
      // A 401 on sign-in means the token itself was wrong; elsewhere the session ended.
      return action === 'Signing in'
        ? `${action} failed: the token is not valid (401). Check it and try again.`
        : `${action} failed: you are signed out (401). Sign in again.`;
    case 403:
      return `${action} was refused (403): ${error.message}.`;
    case 409:
      return `${action} failed because the draft changed (409): ${error.message}.`;
    case 413:
      return `${action} failed: the request is too large (413).`;
    case 429:
      return `${action} failed: too many requests (429): ${error.message}.`;
    case 503:
      return `${action} failed: the service is unavailable (503): ${error.message}. Try again shortly.`;
    default:
      return `${action} failed (${error.status}): ${error.message}${detailText}.`;
  }
}
