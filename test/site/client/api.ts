import type { FailureJson, PageConfig } from '../post-json.js';

/** Raised when a GraphQL query fails, including the empty body of an expired session. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

/** Sends a persisted GraphQL query the way the real page does: a form body and `x-fb-friendly-name`. */
export async function graphqlQuery<T>(
  config: PageConfig,
  friendlyName: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const docId = config.docIds[friendlyName];
  if (!docId) {
    throw new QueryError(`No doc_id for ${friendlyName} in the page config`);
  }
  const body = new URLSearchParams({
    lsd: config.lsd,
    fb_api_caller_class: 'RelayModern',
    fb_api_req_friendly_name: friendlyName,
    variables: JSON.stringify(variables),
    server_timestamps: 'true',
    doc_id: docId,
  });
  const response = await fetch('/graphql/query', {
    method: 'POST',
    headers: { 'x-fb-friendly-name': friendlyName, 'x-fb-lsd': config.lsd },
    body,
  });

  const text = await response.text();
  if (text === '') {
    throw new QueryError(`${friendlyName} returned an empty body: the session has expired`);
  }
  const json = JSON.parse(text) as { data: unknown; errors?: { message: string }[] };
  if (json.errors || json.data === null) {
    throw new QueryError(`${friendlyName} failed: ${json.errors?.[0]?.message ?? 'no data'}`);
  }
  return json as T;
}

export type ApiResult<T> = { ok: true; body: T } | { ok: false; status: number; body: FailureJson | null };

/** Posts JSON to one of the site's own endpoints. */
export async function postJson<T>(url: string, payload: unknown): Promise<ApiResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (response.ok) {
    return { ok: true, body: body as T };
  }
  return { ok: false, status: response.status, body: body as FailureJson | null };
}
