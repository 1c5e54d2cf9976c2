// The web client: login, then the views (chat today; the quiz and notification views register
// themselves the same way), a connection banner and my presence in the header.
import { MeshClient } from '../mesh-client.js';
import { $, h, clear, throttle, toast } from './dom.js';
import { clientConfig, demoUsers, devLogin, oidcCallback, oidcRedirect, resumeSession } from './auth.js';
import { apiClient } from './api.js';
import { Presence, statusControl } from './presence.js';
import { Chat } from './chat.js';
import { Quiz } from './quiz.js';
import { NotificationBell } from './notifications.js';
import { adminView } from './admin.js';

/**
 * The views of the app, in the order of the header's tabs: each is {id, label, mount(context, host)},
 * and visible(me) if only some users see it.
 * context = {client, api, me, presence, session, headerSlots}.
 */
export const views = [
  { id: 'chat', label: 'Chat', mount: (context, host) => {
    const chat = new Chat({ ...context, host });
    chat.start().catch((e) => toast(`Could not load the rooms: ${e.message}`, 'error'));
    return chat;
  } },
  { id: 'quiz', label: 'Quiz', mount: (context, host) => {
    const quiz = new Quiz({ ...context, host });
    quiz.start();
    return quiz;
  } },
  adminView, // admins only: its visible(me) says so
];

const BANNER = {
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  resuming: 'reconnecting…',
  closed: 'disconnected',
};

async function boot() {
  const config = await clientConfig();
  try {
    const session = (config.oidc?.issuer && !config.devTokenIssuer ? await oidcCallback(config.oidc) : null)
      || await resumeSession(config);
    if (session) return start(session);
  } catch (e) {
    $('#login-error').textContent = `Login failed: ${e.message}`;
  }
  showLogin(config);
}

async function showLogin(config) {
  const hint = $('#login-hint');
  if (config.devTokenIssuer) {
    hint.textContent = 'Development mesh: pick a demo user (any student-<n> or instructor-<n> works too).';
    const form = $('#dev-login');
    form.hidden = false;
    const users = await demoUsers(config);
    clear($('#dev-users'), users.map((u) => h('option', { value: u.name }, u.roles.join(', '))));
    clear($('#demo-users'), users.map((u) => h('button', {
      type: 'button', dataset: { user: u.name }, onclick: () => { $('#dev-user').value = u.name; form.requestSubmit(); },
    }, u.name, h('small', {}, ` ${u.roles.join(', ')}`))));
    form.onsubmit = async (e) => {
      e.preventDefault();
      $('#login-error').textContent = '';
      try {
        start(await devLogin(config, $('#dev-user').value.trim()));
      } catch (err) {
        $('#login-error').textContent = err.message;
      }
    };
    $('#dev-user').focus();
  } else if (config.oidc?.issuer) {
    hint.textContent = 'Log in with your organisation account.';
    const button = $('#oidc-login');
    button.hidden = false;
    button.onclick = () => oidcRedirect(config.oidc).catch((e) => { $('#login-error').textContent = e.message; });
    button.focus();
  } else {
    hint.textContent = 'No login is configured for this gateway (mesh.gateway.oidc.issuer).';
  }
}

async function start(session) {
  const me = session.user;
  $('#login').remove();
  document.title = `mesh — ${me.name}`;
  const client = new MeshClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`,
    getToken: (options) => session.getToken(options),
  });
  window.meshClient = client; // for the console and for tests that look at the connection
  const api = apiClient(session);
  const presence = new Presence(client, me);
  presence.names.set(me.id, me.name);
  connectionBanner(client);
  header(client, me, presence, session, api);

  const mounted = new Map(); // view id → what its mount() returned
  const context = { client, api, me, presence, session, headerSlots: $('#header-slots'),
    navigate: (link) => navigate(link, show, mounted) };
  // Before connecting: the library's notification:sync on connect brings the first unread count.
  new NotificationBell(context);
  const nav = $('#views');
  const hosts = new Map();
  const shown = views.filter((view) => !view.visible || view.visible(me));
  for (const view of shown) {
    const host = h('div.view', { id: `view-${view.id}`, hidden: true });
    $('#app').append(host);
    hosts.set(view.id, host);
    nav.append(h('button.tab', { type: 'button', dataset: { view: view.id }, onclick: () => show(view.id) }, view.label));
  }
  nav.hidden = shown.length < 2;
  const show = (id) => {
    for (const [viewId, host] of hosts) host.hidden = viewId !== id;
    for (const tab of nav.children) tab.setAttribute('aria-current', tab.dataset.view === id ? 'page' : 'false');
  };
  show(shown[0].id);

  // Activity keeps me "online" rather than "away" while I read without writing.
  const active = throttle(() => client.notify('presence:activity'), 60000);
  for (const type of ['keydown', 'pointerdown', 'focus']) window.addEventListener(type, active, { passive: true });
  window.addEventListener('online', () => client.reconnectNow());

  try {
    await client.connect();
  } catch (e) {
    toast(`Could not connect: ${e.message}`, 'error');
    return;
  }
  for (const view of shown) mounted.set(view.id, view.mount(context, hosts.get(view.id)));
}

/**
 * Opens what a notification's link points at: `/rooms/<id>[?message=<id>]` (the room, scrolled to
 * the message) or `/quiz/sessions/<id>[/results]` (the quiz view, joined to the session).
 */
function navigate(link, show, mounted) {
  const url = new URL(link || '/', location.origin);
  const room = /^\/rooms\/([^/]+)$/.exec(url.pathname);
  const session = /^\/quiz\/sessions\/([^/]+)/.exec(url.pathname);
  if (room && mounted.get('chat')) {
    show('chat');
    return mounted.get('chat').openAt(decodeURIComponent(room[1]), url.searchParams.get('message'));
  }
  if (session && mounted.get('quiz')) {
    show('quiz');
    return mounted.get('quiz').openSession(decodeURIComponent(session[1]));
  }
  return Promise.resolve();
}

function connectionBanner(client) {
  const banner = $('#connection');
  const draw = ({ state, retryInMs, resumed }) => {
    document.body.dataset.connection = state;
    banner.hidden = state === 'open' || state === 'idle';
    banner.className = `connection ${state}`;
    const queued = client.queued().filter((f) => f.type === 'chat:message').length;
    clear(banner, state === 'resuming' && !resumed ? BANNER.connecting : BANNER[state] || state,
      queued ? h('small', {}, ` ${queued} waiting to send`) : null,
      state === 'reconnecting' && retryInMs > 1500 ? h('button.subtle', { type: 'button', onclick: () => client.reconnectNow() }, 'Retry now') : null,
      state === 'closed' ? h('button.subtle', { type: 'button', onclick: () => location.reload() }, 'Log in again') : null);
  };
  client.on('state', draw);
  client.on('queue', () => draw({ state: client.state }));
}

function header(client, me, presence, session, api) {
  const host = $('#me');
  host.hidden = false;
  let mine = { status: 'online' };
  const status = statusControl(client, me, presence, host, (p) => { mine = p; });
  host.append(h('button.subtle', {
    type: 'button', id: 'logout',
    onclick: () => {
      client.close('logged out');
      const next = session.logout();
      if (next) location.assign(next); else location.reload();
    },
  }, 'Log out'));
  // Connected means online unless I set away or busy; others learn it from presence:changed.
  api('/api/presence/me').then((p) => {
    mine = { status: p.setStatus || 'online', text: p.text, emoji: p.emoji };
    if (client.state === 'open') status.show(mine);
  }).catch(() => {});
  client.on('state', ({ state }) => status.show(state === 'open' ? mine : { ...mine, status: 'offline' }));
  client.on('presence:changed', (p) => { if (p.userId === me.id) mine = p; });
}

boot();
