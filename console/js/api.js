// The public API, as the console calls it: every request carries the session's token; errors
// arrive as ApiError with the API's code, message, field errors and request id.
import { current, expire } from './session.js';

const root = new URL('../', location.href.split('#')[0]);

export class ApiError extends Error {
  constructor(status, body, requestId) {
    const e = body?.error || {};
    super(e.message || `The request failed (${status})`);
    this.status = status;
    this.code = e.code || 'ERROR';
    this.requestId = body?.requestId || requestId || '';
    this.fields = {};
    for (const f of e.details?.errors || []) this.fields[f.field] = f.message;
    this.details = e.details || {};
  }
}

// "/v1.0/tenants/x" (an API link) or "tenants/x" -> an absolute URL under the API's root.
export function apiUrl(path) {
  const relative = path.replace(/^\/+/, '').replace(/^v1\.0\//, '');
  return new URL(`v1.0/${relative}`, root).toString();
}

export async function request(method, path, body) {
  const session = current();
  if (!session) throw new ApiError(401, { error: { code: 'UNAUTHORIZED', message: 'Not signed in' } });
  const headers = { Authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(apiUrl(path), {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { error: { code: 'NETWORK', message: 'The server could not be reached' } });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data, response.headers.get('X-Request-Id'));
    if (response.status === 401) expire('Your session is no longer valid. Sign in again to continue.');
    throw error;
  }
  return data;
}

export const get = (path) => request('GET', path);
export const post = (path, body = {}) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const patch = (path, body) => request('PATCH', path, body);
export const del = (path, body) => request('DELETE', path, body);

// The link `name` of a resource, or null: an action without its link is not offered.
export function link(resource, name) {
  return resource?._links?.[name]?.href || null;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
