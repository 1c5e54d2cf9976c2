// The chat view: the rooms list (unread counts, direct conversations with presence dots) and
// the open room. State lives here; room-view.js draws a room and its composer.
import { h, clear, toast } from './dom.js';
import { RoomView } from './room-view.js';

const PAGE = 50;
/** Image previews kept as object URLs at once. */
const PREVIEWS = 100;

/** The id of the direct conversation of two users, as chat-service makes it. */
export const directRoomId = (a, b) => (a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`);

export class Chat {
  constructor({ client, api, me, presence, host }) {
    this.client = client;
    this.api = api;
    this.me = me;
    this.presence = presence;
    this.rooms = new Map();
    this.current = null;
    this.readSupported = true;
    this.joinedKey = `mesh.rooms.${me.id}`;
    this.readKey = `mesh.read.${me.id}`;
    this.lastRead = JSON.parse(localStorage.getItem(this.readKey) || '{}');

    this.sidebar = h('nav.sidebar', { id: 'sidebar', 'aria-label': 'Rooms and conversations' });
    this.main = h('div.room-host');
    this.view = new RoomView(this);
    this.el = h('div.chat', {}, this.sidebar, this.main);
    host.append(this.el);
    this.listen();
    this.renderSidebar();
    this.showEmpty();
  }

  // ---- state --------------------------------------------------------------------------------

  room(id, info) {
    let room = this.rooms.get(id);
    if (!room) {
      room = {
        id, info: info || null, joined: false, joining: null, messages: new Map(), pending: new Map(),
        system: [], hasMore: true, unread: 0, typing: new Map(), receipts: new Map(), mine: new Map(),
        people: new Set(), memberCount: null, lastSeq: 0,
      };
      this.rooms.set(id, room);
    }
    if (info) room.info = info;
    return room;
  }

  isDirect(room) {
    return room.id.startsWith('dm:') || room.info?.type === 'direct';
  }

  peerOf(room) {
    const [, a, b] = room.id.split(':');
    return a === this.me.id ? b : a;
  }

  title(room) {
    if (this.isDirect(room)) return this.presence.nameOf(this.peerOf(room));
    return room.info?.name || room.id;
  }

  joinedIds() {
    return new Set(JSON.parse(localStorage.getItem(this.joinedKey) || '[]'));
  }

  rememberJoined(id, joined) {
    const ids = this.joinedIds();
    if (joined) ids.add(id); else ids.delete(id);
    localStorage.setItem(this.joinedKey, JSON.stringify([...ids]));
  }

  addMessage(room, m) {
    const previous = room.messages.get(m.messageId);
    room.messages.set(m.messageId, previous ? { ...previous, ...m } : m);
    room.lastSeq = Math.max(room.lastSeq, m.seq || 0);
    if (m.userId) {
      room.people.add(m.userId);
      this.presence.see(m.userId, m.userName);
    }
  }

  sorted(room) {
    return [...room.messages.values()].sort((a, b) => a.seq - b.seq);
  }

  // ---- start and rooms ----------------------------------------------------------------------

  /** Lists the rooms, then joins (and so keeps resumable) the ones this user was in and every direct conversation. */
  async start() {
    await this.loadRooms();
    const joined = this.joinedIds();
    for (const room of this.rooms.values()) {
      if (joined.has(room.id) || this.isDirect(room)) {
        if (this.isDirect(room)) this.presence.see(this.peerOf(room));
        await this.join(room).catch(() => this.rememberJoined(room.id, false));
      }
    }
    this.renderSidebar();
  }

  async loadRooms() {
    const [{ items }, unread] = await Promise.all([this.api('/api/chat/rooms'),
      this.api('/api/chat/rooms/unread').catch(() => ({ items: [] }))]);
    for (const info of items) this.room(info.id, info);
    for (const mark of unread.items || []) this.serverUnread(mark);
    this.renderSidebar();
  }

  /** chat-service's read marker and count for a room (`/rooms/unread`, `chat:read`'s ack, `chat:unread` from my other sockets). */
  serverUnread({ roomId, lastReadSeq, unreadCount }) {
    if (roomId == null) return;
    const room = this.room(roomId);
    if (lastReadSeq != null && lastReadSeq > (this.lastRead[roomId] ?? -1)) {
      this.lastRead[roomId] = lastReadSeq;
      localStorage.setItem(this.readKey, JSON.stringify(this.lastRead));
    }
    if (unreadCount != null) room.unread = room === this.current && !document.hidden ? 0 : unreadCount;
    this.renderSidebar();
  }

  join(room) {
    if (room.joined) return Promise.resolve();
    if (!room.joining) {
      room.joining = this.client.joinRoom(room.id).then(async (ack) => {
        room.joined = true;
        room.info = ack.room || room.info;
        room.memberCount = ack.members ?? room.memberCount;
        room.people.add(this.me.id);
        const firstSight = !(room.id in this.lastRead);
        const unreadLive = room.unread; // counted from events that came before this join (a new conversation)
        for (const m of ack.messages || []) this.addMessage(room, m);
        if (ack.messages) room.hasMore = ack.messages.length >= PAGE;
        room.lastSeq = Math.max(room.lastSeq, ack.lastSeq || 0);
        // The history of a room joined for the first time is not "unread".
        if (firstSight && ack.messages) this.markRead(room, false);
        room.unread = Math.max(unreadLive, ack.unreadCount || 0, this.countUnread(room));
        if (!ack.messages && room.messages.size === 0) await this.loadLatest(room);
        this.rememberJoined(room.id, true);
        this.renderSidebar();
        if (room === this.current) this.view.render(room);
      }).finally(() => { room.joining = null; });
    }
    return room.joining;
  }

  countUnread(room) {
    const read = this.lastRead[room.id];
    if (read == null) return 0;
    return [...room.messages.values()].filter((m) => m.seq > read && m.userId !== this.me.id && !m.deleted).length;
  }

  async loadLatest(room) {
    const page = await this.api(`/api/chat/rooms/${encodeURIComponent(room.id)}/messages?limit=${PAGE}`);
    page.items.forEach((m) => this.addMessage(room, m));
    room.hasMore = page.hasMore;
  }

  /** Older messages, before the oldest one shown. */
  async loadOlder(room) {
    const oldest = this.sorted(room)[0];
    const query = oldest ? `beforeSeq=${oldest.seq}&limit=${PAGE}` : `limit=${PAGE}`;
    const page = await this.api(`/api/chat/rooms/${encodeURIComponent(room.id)}/messages?${query}`);
    page.items.forEach((m) => this.addMessage(room, m));
    room.hasMore = page.hasMore;
    return page.items.length;
  }

  /** A resume too large to replay inline: the missed messages' current state, page by page. */
  async fillGap({ roomId, afterSeq, lastSeq }) {
    const room = this.room(roomId);
    let after = afterSeq;
    while (after < lastSeq) {
      const page = await this.api(`/api/chat/rooms/${encodeURIComponent(roomId)}/messages?afterSeq=${after}&limit=200`);
      page.items.forEach((m) => this.addMessage(room, m));
      if (!page.hasMore || !page.items.length) break;
      after = page.items.at(-1).seq;
    }
    if (room === this.current) this.view.render(room);
  }

  async open(roomId) {
    const room = this.room(roomId);
    this.current = room;
    this.el.classList.add('room-open');
    this.view.render(room);
    this.renderSidebar();
    if (!room.joined && !room.virtual) {
      try {
        await this.join(room);
      } catch (e) {
        toast(`Cannot open ${this.title(room)}: ${e.message}`, 'error');
        return;
      }
    }
    this.markRead(room);
    this.refreshOnline(room);
    this.view.focusComposer();
  }

  /**
   * Opens a room at one of its messages (a notification's link): older pages are loaded until the
   * message is there (at most 10), then it is scrolled to, focused and briefly highlighted.
   */
  async openAt(roomId, messageId) {
    if (this.current?.id !== roomId) await this.open(roomId);
    const room = this.room(roomId);
    if (!messageId || room !== this.current) return;
    for (let pages = 0; !room.messages.has(messageId) && room.hasMore && pages < 10; pages++) {
      if (!await this.loadOlder(room)) break;
      this.view.render(room);
    }
    if (room === this.current) this.view.reveal(messageId);
  }

  /** The room's online count (presence-service); refreshed when someone in it changes status. */
  async refreshOnline(room) {
    if (this.isDirect(room) || room.virtual || !room.joined) return;
    try {
      const { online } = await this.api(`/api/presence/rooms/${encodeURIComponent(room.id)}/online`);
      room.online = online;
      this.view.renderMeta(room);
    } catch {
      // Presence learns of a new member a moment after chat: the next change will ask again.
    }
  }

  /** A conversation with someone, created by its first message. */
  openDirect(userId) {
    if (!userId || userId === this.me.id) return;
    const id = directRoomId(this.me.id, userId);
    const room = this.room(id);
    if (!room.joined && !room.info) room.virtual = true;
    this.presence.see(userId);
    this.open(id);
  }

  async createRoom(name, type) {
    const info = await this.api('/api/chat/rooms', { method: 'POST', body: { name, type } });
    this.room(info.id, info);
    await this.open(info.id);
  }

  async leave(room) {
    await this.client.leaveRoom(room.id);
    room.joined = false;
    this.rememberJoined(room.id, false);
    room.messages.clear();
    this.current = null;
    this.el.classList.remove('room-open');
    this.showEmpty();
    this.renderSidebar();
  }

  markRead(room, send = true) {
    room.unread = 0;
    if (room.lastSeq <= (this.lastRead[room.id] ?? -1)) {
      this.renderSidebar();
      return;
    }
    this.lastRead[room.id] = room.lastSeq;
    localStorage.setItem(this.readKey, JSON.stringify(this.lastRead));
    // A read marker is not worth a place in the offline queue: the next look at the room sends a newer one.
    if (send && this.readSupported && room.lastSeq > 0 && !room.virtual && this.client.state === 'open') {
      this.client.request('chat:read', { roomId: room.id, upToSeq: room.lastSeq }).then((ack) => this.serverUnread(ack)).catch((e) => {
        // Until chat-service has read markers it answers "… is not available yet": stop asking.
        if (e.code === 'VALIDATION') this.readSupported = false;
      });
    }
    this.renderSidebar();
  }

  // ---- sending ------------------------------------------------------------------------------

  /** Posts a message: shown at once as pending, replaced by the room's event (matched by its id). */
  async send(room, content, { replyTo, mentions, attachment } = {}) {
    const id = crypto.randomUUID();
    const data = content ? { content } : {};
    if (attachment) data.attachmentId = attachment.id;
    if (room.virtual) data.recipientId = this.peerOf(room); else data.roomId = room.id;
    if (replyTo) data.replyTo = replyTo;
    if (mentions?.length) data.mentions = mentions;
    room.pending.set(id, { id, content, replyTo, state: this.client.state === 'open' ? 'sending' : 'queued', data });
    this.view.render(room);
    return this.deliver(room, id);
  }

  /** Uploads a file to the room (multipart part `file`), then posts a message that carries it. */
  async sendFile(room, file, content = '') {
    if (room.virtual) throw new Error('Send a first message to start the conversation, then the file');
    const form = new FormData();
    form.append('file', file, file.name);
    const attachment = await this.api(`/api/chat/rooms/${encodeURIComponent(room.id)}/attachments`, { method: 'POST', body: form });
    return this.send(room, content, { attachment });
  }

  /**
   * The object URL of an image attachment's bytes, or null while they load (then `loaded` is
   * called once). At most PREVIEWS are kept; the oldest is revoked when a new one comes.
   */
  previewUrl(attachment, loaded) {
    this.previews ??= new Map();
    const known = this.previews.get(attachment.id);
    if (known) return typeof known === 'string' ? known : null;
    this.previews.set(attachment.id, this.api(`/api/chat/attachments/${encodeURIComponent(attachment.id)}`, { blob: true })
      .then((blob) => {
        this.previews.set(attachment.id, URL.createObjectURL(blob));
        while (this.previews.size > PREVIEWS) {
          const [oldest, url] = this.previews.entries().next().value;
          this.previews.delete(oldest);
          if (typeof url === 'string') URL.revokeObjectURL(url);
        }
        loaded();
      })
      .catch(() => this.previews.set(attachment.id, '')));
    return null;
  }

  /** Downloads an attachment with the bearer token and hands it to the browser as an object URL. */
  async download(attachment) {
    const blob = await this.api(`/api/chat/attachments/${encodeURIComponent(attachment.id)}`, { blob: true });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = attachment.name || 'file';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return blob;
  }

  async deliver(room, id) {
    const pending = room.pending.get(id);
    try {
      const ack = await this.client.request('chat:message', pending.data, { id });
      if (room.virtual) {
        room.virtual = false;
        await this.loadRooms().catch(() => {});
        await this.join(room);
      }
      if (room.messages.has(ack.messageId)) room.pending.delete(id);
    } catch (e) {
      pending.state = 'failed';
      pending.error = e.message;
    }
    if (room === this.current) this.view.render(room);
  }

  retry(room, id) {
    const pending = room.pending.get(id);
    pending.state = 'sending';
    this.view.render(room);
    this.deliver(room, id);
  }

  discard(room, id) {
    room.pending.delete(id);
    this.view.render(room);
  }

  command(type, data) {
    return this.client.request(type, data).catch((e) => {
      toast(e.message, 'error');
      throw e;
    });
  }

  // ---- events -------------------------------------------------------------------------------

  listen() {
    const c = this.client;
    c.on('chat:message', (m) => {
      const room = this.room(m.roomId);
      if (room.virtual) room.virtual = false;
      if (!room.info && !room.joined) {
        // A conversation someone else started: list it and keep it resumable.
        this.loadRooms().then(() => this.join(room)).catch(() => {});
      }
      this.addMessage(room, m);
      if (m.clientRef) room.pending.delete(m.clientRef);
      room.typing.delete(m.userId);
      const seen = room === this.current && document.visibilityState === 'visible';
      if (m.userId !== this.me.id && !seen) room.unread++;
      if (seen) this.markRead(room);
      this.changed(room, m.messageId);
      if (m.userId !== this.me.id && m.mentions?.includes(this.me.id) && !seen) {
        toast(`${m.userName} mentioned you in ${this.title(room)}`);
      }
    });
    c.on('chat:message_edited', (e) => this.patch(e.roomId, e.messageId, { content: e.content, editedAt: e.editedAt }));
    c.on('chat:message_deleted', (e) => this.patch(e.roomId, e.messageId, { deleted: true, content: null, reactions: {} }));
    c.on('chat:reaction_updated', (e) => {
      const room = this.room(e.roomId);
      if (e.userId === this.me.id) {
        const mine = room.mine.get(e.messageId) || new Set();
        if (e.added) mine.add(e.emoji); else mine.delete(e.emoji);
        room.mine.set(e.messageId, mine);
      }
      this.patch(e.roomId, e.messageId, { reactions: e.counts });
    });
    c.on('chat:typing_update', (t) => {
      const room = this.room(t.roomId);
      if (t.isTyping) room.typing.set(t.userId, { name: t.name, until: Date.now() + 5000 });
      else room.typing.delete(t.userId);
      this.presence.see(t.userId, t.name);
      if (room === this.current) this.view.renderTyping(room);
    });
    c.on('chat:user_joined', (e, frame) => this.membership(e, frame, true));
    c.on('chat:user_left', (e, frame) => this.membership(e, frame, false));
    c.on('chat:unread', (u) => this.serverUnread(u));
    c.on('chat:read_receipt', (r) => {
      const room = this.room(r.roomId);
      room.receipts.set(r.userId, { name: r.name || this.presence.nameOf(r.userId), upToSeq: r.upToSeq });
      if (room === this.current) this.view.render(room);
    });
    c.on('chat:moderated', (e) => {
      const room = this.room(e.roomId);
      const text = { mute: `You are muted in ${this.title(room)}${e.until ? ` until ${new Date(e.until).toLocaleTimeString()}` : ''}`,
        unmute: `You may speak again in ${this.title(room)}`, kick: `You were removed from ${this.title(room)}` }[e.action];
      toast(text || `${e.action} in ${this.title(room)}`, e.action === 'unmute' ? 'info' : 'error');
      if (e.action === 'kick') {
        room.joined = false;
        this.client.untrack(`chat:room:${room.id}`);
        this.rememberJoined(room.id, false);
      }
    });
    c.on('presence:changed', (p) => {
      const room = this.current;
      if (!room || !room.people.has(p.userId)) return;
      clearTimeout(this.onlineTimer);
      this.onlineTimer = setTimeout(() => this.refreshOnline(room), 500);
    });
    c.on('gap', (g) => this.fillGap(g).catch((e) => toast(`Could not load missed messages: ${e.message}`, 'error')));
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible' && this.current) this.markRead(this.current);
    });
    setInterval(() => this.expireTypists(), 1000);
  }

  membership(e, frame, joined) {
    const room = this.room(e.roomId);
    room.memberCount = e.memberCount;
    if (joined) {
      room.people.add(e.userId);
      this.presence.see(e.userId, e.name);
    } else {
      room.people.delete(e.userId);
    }
    room.system.push({ seq: frame.seq, text: `${e.name || e.userId} ${joined ? 'joined' : 'left'}` });
    if (room === this.current) setTimeout(() => this.refreshOnline(room), 2000);
    room.lastSeq = Math.max(room.lastSeq, frame.seq || 0);
    if (room === this.current) this.view.render(room);
  }

  patch(roomId, messageId, fields) {
    const room = this.room(roomId);
    const m = room.messages.get(messageId);
    if (!m) return;
    room.messages.set(messageId, { ...m, ...fields });
    this.changed(room, messageId);
  }

  changed(room, messageId) {
    if (room === this.current) this.view.upsert(room, messageId);
    this.renderSidebar();
  }

  expireTypists() {
    const now = Date.now();
    for (const room of this.rooms.values()) {
      let changed = false;
      for (const [id, t] of room.typing) if (t.until < now) { room.typing.delete(id); changed = true; }
      if (changed && room === this.current) this.view.renderTyping(room);
    }
  }

  // ---- sidebar ------------------------------------------------------------------------------

  renderSidebar() {
    const rooms = [...this.rooms.values()].filter((r) => !this.isDirect(r) && r.info);
    const directs = [...this.rooms.values()].filter((r) => this.isDirect(r) && (r.info || r.virtual || r.messages.size));
    const item = (room) => {
      const current = room === this.current;
      return h('li', {},
        h('button.room-item', {
          type: 'button', dataset: { roomId: room.id }, 'aria-current': current ? 'page' : false,
          onclick: () => this.open(room.id),
        },
        this.isDirect(room) ? this.presence.dot(this.peerOf(room)) : h('span.hash', { 'aria-hidden': 'true' }, '#'),
        h('span.room-name', {}, this.title(room)),
        room.unread > 0 ? h('span.badge', { 'aria-label': `${room.unread} unread` }, String(room.unread)) : null));
    };
    if (!this.lists) {
      const canCreate = this.me.roles.some((r) => r === 'instructor' || r === 'admin');
      this.lists = { rooms: h('ul.room-list', { id: 'room-list' }), directs: h('ul.room-list', { id: 'dm-list' }),
        people: h('datalist', { id: 'people' }) };
      clear(this.sidebar,
        h('h2', {}, 'Rooms'), this.lists.rooms, canCreate ? this.newRoomForm() : null,
        h('h2', {}, 'Direct messages'), this.lists.directs, this.newDirectForm());
    }
    const focused = document.activeElement?.dataset?.roomId;
    clear(this.lists.rooms, rooms.map(item));
    clear(this.lists.directs, directs.map(item));
    clear(this.lists.people, this.presence.people().filter((p) => p.id !== this.me.id)
      .map((p) => h('option', { value: p.id }, p.name)));
    if (focused) this.sidebar.querySelector(`[data-room-id="${CSS.escape(focused)}"]`)?.focus();
  }

  newRoomForm() {
    const name = h('input', { id: 'new-room-name', name: 'name', required: true, maxLength: 100, placeholder: 'Room name' });
    const type = h('select', { id: 'new-room-type', name: 'type', 'aria-label': 'Room type' },
      ...['public', 'private', 'study_group'].map((t) => h('option', { value: t }, t.replace('_', ' '))));
    return h('form.inline-form', {
      'aria-label': 'New room',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          await this.createRoom(name.value.trim(), type.value);
          name.value = '';
        } catch (err) {
          toast(err.message, 'error');
        }
      },
    }, h('label.sr', { for: 'new-room-name' }, 'New room name'), name, type, h('button', { type: 'submit' }, 'Create'));
  }

  newDirectForm() {
    const who = h('input', { id: 'new-dm-user', name: 'user', list: 'people', required: true, placeholder: 'User id' });
    return h('form.inline-form', {
      'aria-label': 'New direct conversation',
      onsubmit: (e) => { e.preventDefault(); this.openDirect(who.value.trim()); },
    }, h('label.sr', { for: 'new-dm-user' }, 'User to message'), who, this.lists.people, h('button', { type: 'submit' }, 'Message'));
  }

  showEmpty() {
    clear(this.main, h('div.empty', {}, h('p', {}, 'Choose a room, or start a conversation.')));
  }
}
