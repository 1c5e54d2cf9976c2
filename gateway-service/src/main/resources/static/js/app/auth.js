// Login: the development issuer's demo users (mesh-dev), or OpenID Connect authorization code +
// PKCE against the organisation's IdP (production). Both give the app an object with
// `user` and `getToken({refresh})`, which the client library calls on every connect and refresh.
import { tokenExpiry } from '../mesh-client.js';

const SESSION_KEY = 'mesh.session';

/** What the gateway tells the page before login (GET /client-config.json). */
export async function clientConfig() {
  const res = await fetch('/client-config.json');
  return res.ok ? res.json() : {};
}

/** The demo users of the development issuer, or [] when it cannot be reached. */
export async function demoUsers(config) {
  try {
    const res = await fetch(`${config.devTokenIssuer}/dev/users`);
    return res.ok ? res.json() : [];
  } catch {
    return [];
  }
}

/** Logs in as a demo user of the development issuer (any `student-<n>` or `instructor-<n>` too). */
export async function devLogin(config, userName) {
  const issue = async () => {
    const res = await fetch(`${config.devTokenIssuer}/dev/token`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: userName }),
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.detail || `the development issuer answered ${res.status}`);
    return body;
  };
  const first = await issue();
  sessionStorage.setItem(SESSION_KEY, JSON.stringify({ kind: 'dev', userName }));
  return tokenSource(first.access_token, first.user, async () => (await issue()).access_token);
}

// ---- OpenID Connect, authorization code + PKCE (RFC 7636) --------------------------------------

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomString = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function discovery(issuer) {
  const res = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!res.ok) throw new Error(`the identity provider's discovery answered ${res.status}`);
  return res.json();
}

const redirectUri = () => `${location.origin}/`;

/** Sends the browser to the IdP; it comes back to `/` with ?code=…&state=…. */
export async function oidcRedirect(oidc) {
  const meta = await discovery(oidc.issuer);
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem('mesh.pkce', JSON.stringify({ verifier, state }));
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: oidc.clientId, redirect_uri: redirectUri(), scope: oidc.scope || 'openid profile',
    state, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(url);
}

/** Finishes a login when the page is the IdP's redirect; null otherwise. */
export async function oidcCallback(oidc) {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  history.replaceState(null, '', location.pathname);
  if (params.has('error')) throw new Error(params.get('error_description') || params.get('error'));
  const saved = JSON.parse(sessionStorage.getItem('mesh.pkce') || 'null');
  sessionStorage.removeItem('mesh.pkce');
  if (!saved || saved.state !== params.get('state')) throw new Error('the login answer does not match this page (state)');
  const meta = await discovery(oidc.issuer);
  const tokens = await tokenRequest(meta, {
    grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
    client_id: oidc.clientId, code_verifier: saved.verifier,
  });
  return oidcSession(oidc, meta, tokens);
}

/** A login kept in this tab (sessionStorage) across reloads; null when there is none. */
export async function resumeSession(config) {
  const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  if (!saved) return null;
  try {
    if (saved.kind === 'dev' && config.devTokenIssuer) return await devLogin(config, saved.userName);
    if (saved.kind === 'oidc' && config.oidc?.issuer) {
      const meta = await discovery(config.oidc.issuer);
      const tokens = await tokenRequest(meta, { grant_type: 'refresh_token', refresh_token: saved.refreshToken, client_id: config.oidc.clientId });
      return oidcSession(config.oidc, meta, tokens);
    }
  } catch {
    sessionStorage.removeItem(SESSION_KEY);
  }
  return null;
}

function oidcSession(oidc, meta, tokens) {
  let refreshToken = tokens.refresh_token;
  const remember = () => sessionStorage.setItem(SESSION_KEY, JSON.stringify({ kind: 'oidc', refreshToken }));
  remember();
  const claims = JSON.parse(atob(tokens.access_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  const user = { id: claims.sub, name: claims.name || claims.preferred_username || claims.sub, roles: claims.roles || [] };
  return tokenSource(tokens.access_token, user, async () => {
    const next = await tokenRequest(meta, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: oidc.clientId });
    refreshToken = next.refresh_token || refreshToken;
    remember();
    return next.access_token;
  }, () => meta.end_session_endpoint && `${meta.end_session_endpoint}?${new URLSearchParams({
    client_id: oidc.clientId, post_logout_redirect_uri: redirectUri(),
  })}`);
}

async function tokenRequest(meta, form) {
  const res = await fetch(meta.token_endpoint, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error_description || body.error || `the token endpoint answered ${res.status}`);
  return body;
}

/**
 * The current access token, renewed by `renew()` when asked to refresh or when less than a
 * minute of it is left, so HTTP calls and the socket always carry a live token.
 */
function tokenSource(initial, user, renew, logoutUrl = () => null) {
  let token = initial;
  return {
    user,
    async getToken({ refresh = false } = {}) {
      const expiry = tokenExpiry(token);
      if (refresh || (expiry && expiry - Date.now() < 60000)) token = await renew();
      return token;
    },
    logout() {
      sessionStorage.removeItem(SESSION_KEY);
      return logoutUrl();
    },
  };
}
