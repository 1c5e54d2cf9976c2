// Presence: who is online, away, busy or offline, for every user the page shows. Users are
// subscribed in batches as they appear (authors, people joining, direct conversations); the
// subscription is re-made after every reconnect. Dots are any element with data-presence-user.
import { h } from './dom.js';

const LABELS = { online: 'online', away: 'away', busy: 'busy — do not disturb', offline: 'offline' };

export class Presence {
  constructor(client, me) {
    this.client = client;
    this.me = me;
    this.known = new Map(); // userId → {status, text, emoji, lastSeenAt}
    this.subscribed = new Set();
    this.wanted = new Set();
    this.names = new Map(); // userId → display name
    this.timer = null;
    client.on('presence:changed', (p) => this.update(p));
    client.track('presence', () => this.resubscribe());
  }

  /** Remembers a user's name and subscribes to their presence (soon, batched). */
  see(userId, name) {
    if (!userId) return;
    if (name) this.names.set(userId, name);
    if (userId === this.me.id || this.subscribed.has(userId) || this.wanted.has(userId)) return;
    this.wanted.add(userId);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), 250);
  }

  nameOf(userId) {
    return this.names.get(userId) || userId;
  }

  /** Every user the page knows of, for mentions and new conversations. */
  people() {
    return [...this.names.entries()].map(([id, name]) => ({ id, name }));
  }

  async flush() {
    const ids = [...this.wanted];
    this.wanted.clear();
    if (ids.length) await this.subscribe(ids, 0);
  }

  /**
   * presence:subscribe refuses a whole batch if one user shares no room with us; chat's rooms
   * reach presence a moment later than they reach us, so a refused user is tried alone, again
   * after 2.5, 5, 10 and 20 s.
   */
  async subscribe(ids, attempt) {
    for (let i = 0; i < ids.length; i += 100) {
      const batch = ids.slice(i, i + 100);
      try {
        const ack = await this.client.request('presence:subscribe', { userIds: batch });
        batch.forEach((id) => this.subscribed.add(id));
        (ack.presence || []).forEach((p) => this.update(p));
      } catch (e) {
        if (e.code !== 'FORBIDDEN') continue;
        if (batch.length > 1) {
          await Promise.all(batch.map((id) => this.subscribe([id], attempt)));
        } else if (attempt < 4) {
          setTimeout(() => this.subscribe(batch, attempt + 1), 2500 * 2 ** attempt);
        }
      }
    }
  }

  resubscribe() {
    const ids = [...this.subscribed];
    if (!ids.length) return Promise.resolve();
    return this.client.attachRequest('presence:subscribe', { userIds: ids.slice(0, 100) })
      .then((ack) => (ack.presence || []).forEach((p) => this.update(p)))
      .catch(() => {});
  }

  update(p) {
    this.known.set(p.userId, p);
    for (const el of document.querySelectorAll(`[data-presence-user="${CSS.escape(p.userId)}"]`)) paint(el, p);
  }

  statusOf(userId) {
    return this.known.get(userId)?.status || 'unknown';
  }

  /** A dot for a user, kept current by update(). */
  dot(userId) {
    const el = h('span.dot', { dataset: { presenceUser: userId }, role: 'img' });
    paint(el, this.known.get(userId) || { status: 'unknown' });
    return el;
  }
}

function paint(el, p) {
  el.classList.remove('online', 'away', 'busy', 'offline', 'unknown');
  el.classList.add(p.status || 'unknown');
  el.dataset.status = p.status || 'unknown';
  const custom = [p.emoji, p.text].filter(Boolean).join(' ');
  const seen = p.status === 'offline' && p.lastSeenAt ? `, last seen ${new Date(p.lastSeenAt).toLocaleString()}` : '';
  const label = `${LABELS[p.status] || 'presence unknown'}${custom ? ` — ${custom}` : ''}${seen}`;
  el.title = label;
  el.setAttribute('aria-label', label);
}

/** My status: a button that opens a small form (status, custom text, emoji, expiry). */
export function statusControl(client, me, presence, host, onSet = () => {}) {
  const dot = presence.dot(me.id);
  const label = h('span.status-text', {}, '');
  const show = (p) => {
    presence.update({ ...p, userId: me.id });
    label.textContent = [p.emoji, p.text].filter(Boolean).join(' ');
  };
  client.on('presence:changed', (p) => { if (p.userId === me.id) show(p); });
  const status = h('select', { id: 'status-select', name: 'status' },
    ...['online', 'away', 'busy'].map((s) => h('option', { value: s }, s)));
  const text = h('input', { id: 'status-text', name: 'text', maxLength: 100, placeholder: 'What are you up to?' });
  const emoji = h('select', { id: 'status-emoji', name: 'emoji' },
    h('option', { value: '' }, 'no emoji'), ...['📚', '💬', '🎧', '🍵', '🏠', '🤒'].map((e) => h('option', { value: e }, e)));
  const expiry = h('select', { id: 'status-expiry', name: 'expires' },
    h('option', { value: '' }, 'keep'), h('option', { value: '30' }, 'clear in 30 min'),
    h('option', { value: '60' }, 'clear in 1 hour'), h('option', { value: '240' }, 'clear in 4 hours'));
  const form = h('form.popover.status-form', {
    hidden: true,
    onsubmit: async (e) => {
      e.preventDefault();
      const data = { status: status.value, text: text.value.trim() };
      if (emoji.value) data.emoji = emoji.value; else data.emoji = '';
      if (expiry.value) data.expiresAt = Date.now() + Number(expiry.value) * 60000;
      try {
        const ack = await client.request('presence:set', data);
        if (ack.presence) { show(ack.presence); onSet(ack.presence); }
        form.hidden = true;
        button.setAttribute('aria-expanded', 'false');
        button.focus();
      } catch (err) {
        formError.textContent = err.message;
      }
    },
    onkeydown: (e) => { if (e.key === 'Escape') { form.hidden = true; button.setAttribute('aria-expanded', 'false'); button.focus(); } },
  },
  h('label', {}, 'Status ', status), h('label', {}, 'Text ', text), h('label', {}, 'Emoji ', emoji), h('label', {}, 'Then ', expiry),
  h('div.row', {}, h('button.primary', { type: 'submit' }, 'Set status')));
  const formError = h('p.error', { role: 'alert' });
  form.append(formError);
  const button = h('button.me-button', {
    type: 'button', id: 'status-button', 'aria-haspopup': 'true', 'aria-expanded': 'false',
    onclick: () => {
      form.hidden = !form.hidden;
      button.setAttribute('aria-expanded', String(!form.hidden));
      if (!form.hidden) status.focus();
    },
  }, dot, h('span.me-name', {}, me.name), label);
  host.append(button, form);
  // A click elsewhere closes the form, as a menu does.
  document.addEventListener('pointerdown', (e) => {
    if (!form.hidden && !host.contains(e.target)) { form.hidden = true; button.setAttribute('aria-expanded', 'false'); }
  });
  return { show };
}
