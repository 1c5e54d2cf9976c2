// HTTP calls to the gateway's /api/** with the current access token; problem+json errors become Errors with a code.
export function apiClient(session) {
  return async function api(path, { method = 'GET', body } = {}) {
    const token = await session.getToken();
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
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
