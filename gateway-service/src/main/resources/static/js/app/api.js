// HTTP calls to the gateway's /api/** with the current access token; problem+json errors become Errors with a code.
// A FormData body goes as multipart; `{blob: true}` answers with the body as a Blob (a download).
export function apiClient(session) {
  return async function api(path, { method = 'GET', body, blob = false } = {}) {
    const token = await session.getToken();
    const headers = { Authorization: `Bearer ${token}` };
    const form = body instanceof FormData;
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined || form ? body : JSON.stringify(body) });
    if (blob && res.ok) return res.blob();
    const text = await res.text();
    const json = text ? JSON.parse(text) : null;
    if (!res.ok) {
      const error = new Error(json?.detail || json?.title || `${method} ${path} answered ${res.status}`);
      error.code = json?.code;
      error.status = res.status;
      throw error;
    }
    return json;
  };
}
