// The notification bell in the header: the unread count (`notification:unread`, and each
// `notification:sync` ack the library makes after a connect), a list of the latest notifications
// (`GET /api/notifications`, then `notification:new` live), read all. A click on one marks it
// read and opens what it points at (its `link`: a room at a message, a quiz session).
import { h, clear, time, toast } from './dom.js';

const PAGE = 20;

export class NotificationBell {
  constructor({ client, api, headerSlots, navigate }) {
    Object.assign(this, { client, api, navigate });
    this.items = new Map(); // id → notification, newest first by seq
    this.loaded = false;
    this.count = h('span.badge', { id: 'bell-count', hidden: true });
    this.button = h('button.subtle.bell', {
      type: 'button', id: 'bell', 'aria-haspopup': 'true', 'aria-expanded': 'false', 'aria-label': 'Notifications',
      onclick: () => this.toggle(),
    }, '🔔', this.count);
    this.list = h('ul.notification-list', { id: 'notification-list' });
    this.more = h('button.subtle', { type: 'button', hidden: true, onclick: () => this.load(true) }, 'Older');
    this.panel = h('div.popover.notifications', { id: 'notifications', hidden: true, role: 'dialog', 'aria-label': 'Notifications' },
      h('div.row', {}, h('strong', {}, 'Notifications'),
        h('button.subtle', { type: 'button', id: 'read-all', onclick: () => this.readAll() }, 'Mark all read')),
      this.list, this.more);
    const host = h('div.bell-host', {
      onkeydown: (e) => { if (e.key === 'Escape' && !this.panel.hidden) { this.toggle(false); this.button.focus(); } },
    }, this.button, this.panel);
    // A click elsewhere closes the list, as a menu does.
    document.addEventListener('pointerdown', (e) => { if (!this.panel.hidden && !host.contains(e.target)) this.toggle(false); });
    headerSlots.append(host);

    client.on('notification:unread', ({ count }) => this.setCount(count));
    client.on('notification:synced', (ack) => {
      this.setCount(ack.unread ?? 0);
      if (ack.resumed && !ack.recovered) this.reload(); // too much missed to replay: page it
    });
    client.on('notification:new', (n) => {
      this.items.set(n.id, n);
      this.draw();
    });
  }

  setCount(count) {
    this.unread = count;
    this.count.textContent = count > 99 ? '99+' : String(count);
    this.count.hidden = !count;
    this.button.setAttribute('aria-label', count ? `Notifications, ${count} unread` : 'Notifications');
  }

  toggle(open = this.panel.hidden) {
    this.panel.hidden = !open;
    this.button.setAttribute('aria-expanded', String(open));
    if (open && !this.loaded) this.reload();
    if (open) this.panel.querySelector('button')?.focus();
  }

  reload() {
    this.items.clear();
    this.loaded = false;
    return this.load(false);
  }

  async load(older) {
    const seqs = [...this.items.values()].map((n) => n.seq);
    const before = older && seqs.length ? `&beforeSeq=${Math.min(...seqs)}` : '';
    try {
      const page = await this.api(`/api/notifications?limit=${PAGE}${before}`);
      for (const n of page.items) this.items.set(n.id, n);
      this.loaded = true;
      this.more.hidden = !page.hasMore;
      this.draw();
    } catch (e) {
      toast(`Could not load the notifications: ${e.message}`, 'error');
    }
  }

  draw() {
    const sorted = [...this.items.values()].sort((a, b) => b.seq - a.seq);
    clear(this.list, sorted.length ? sorted.map((n) => h('li.notification', {
      class: n.readAt ? 'read' : 'unread', dataset: { id: n.id, kind: n.kind, priority: n.priority },
    }, h('button.subtle', { type: 'button', onclick: () => this.open(n), title: n.link ? 'Open' : null },
      h('strong', {}, n.title), n.body ? h('span.muted', {}, ` ${n.body}`) : null,
      h('time', {}, ` ${time(n.createdAt)}`))))
      : h('li.muted', {}, 'Nothing yet.'));
  }

  /** Marks it read and goes where it points; the list closes. */
  open(n) {
    this.read(n);
    if (!n.link || !this.navigate) return;
    this.toggle(false);
    this.navigate(n.link).catch((e) => toast(`Could not open it: ${e.message}`, 'error'));
  }

  async read(n) {
    if (n.readAt) return;
    try {
      await this.client.request('notification:read', { ids: [n.id] });
      n.readAt = Date.now();
      this.draw();
    } catch (e) {
      toast(e.message, 'error');
    }
  }

  async readAll() {
    try {
      const ack = await this.client.request('notification:read_all');
      for (const n of this.items.values()) n.readAt ??= Date.now();
      this.setCount(ack.unread ?? 0);
      this.draw();
    } catch (e) {
      toast(e.message, 'error');
    }
  }
}
