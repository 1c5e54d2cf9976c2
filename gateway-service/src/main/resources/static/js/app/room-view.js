// One room on screen: its people, the message log (history paging, reactions, edits, deletes,
// replies and threads, read receipts), who is typing, and the composer (mentions autocomplete,
// reply and edit modes, typing notices). Keyboard: Enter sends, Shift+Enter breaks the line,
// ↑ in an empty box edits your last message, Esc cancels a reply/edit or closes a popup.
import { h, clear, time, dateTime, throttle, toast } from './dom.js';

/** What each list item looked like when drawn (a popup opened inside it does not count as a change). */
const DRAWN = new WeakMap();

export const EMOJI = ['👍', '👎', '❤️', '😂', '😮', '😢', '😡', '🎉'];
const TYPING_IDLE_MS = 4000;

export class RoomView {
  constructor(chat) {
    this.chat = chat;
    this.room = null;
    this.drafts = new Map();
    this.mode = null; // {kind: 'reply'|'edit', message}
    this.threadRoot = null;
    this.build();
  }

  get me() {
    return this.chat.me;
  }

  build() {
    this.title = h('h2.room-title', { id: 'room-title' });
    this.meta = h('span.room-meta');
    this.people = h('ul.people', { id: 'people', 'aria-label': 'People in this room' });
    this.leaveButton = h('button.subtle', { type: 'button', onclick: () => this.leave() }, 'Leave');
    const back = h('button.icon.back', {
      type: 'button', 'aria-label': 'Back to rooms',
      onclick: () => { this.chat.el.classList.remove('room-open'); this.chat.sidebar.querySelector('button')?.focus(); },
    }, '←');
    this.head = h('header.room-head', {}, back, h('div.room-heading', {}, this.title, this.meta), this.people, this.leaveButton);
    this.older = h('button.older', { type: 'button', onclick: () => this.loadOlder() }, 'Load older messages');
    this.list = h('ol.messages', { id: 'messages' });
    this.log = h('div.log', { role: 'log', 'aria-labelledby': 'room-title', tabindex: '0' }, this.older, this.list);
    this.typing = h('div.typing', { id: 'typing', 'aria-live': 'polite' });
    this.buildComposer();
    this.threadList = h('ol.messages.thread-messages');
    this.thread = h('aside.thread', {
      id: 'thread', hidden: true, 'aria-label': 'Thread',
      onkeydown: (e) => { if (e.key === 'Escape' && !e.defaultPrevented) { this.closeThread(); this.input.focus(); } },
    },
      h('header.thread-head', {}, h('h3', {}, 'Thread'),
        h('button.icon', { type: 'button', 'aria-label': 'Close the thread', onclick: () => this.closeThread() }, '✕')),
      this.threadList,
      h('button', { type: 'button', onclick: () => this.replyTo(this.room.messages.get(this.threadRoot)) }, 'Reply in thread'));
    this.el = h('section.room', { 'aria-labelledby': 'room-title' },
      h('div.room-main', {}, this.head, this.log, this.typing, this.composer), this.thread);
  }

  // ---- rendering ----------------------------------------------------------------------------

  render(room) {
    const chat = this.chat;
    if (this.room !== room) {
      if (this.room) this.drafts.set(this.room.id, this.input.value);
      this.room = room;
      this.input.value = this.drafts.get(room.id) || '';
      this.setMode(null);
      this.closeThread();
      this.list.replaceChildren();
      if (!this.el.isConnected) clear(chat.main, this.el);
    }
    this.title.textContent = chat.title(room);
    const direct = chat.isDirect(room);
    this.renderMeta(room);
    this.leaveButton.hidden = direct || !room.joined;
    clear(this.people, [...room.people].filter((id) => id !== this.me.id).slice(0, 30).map((id) =>
      h('li', {}, chat.presence.dot(id), h('span', {}, chat.presence.nameOf(id)))));
    this.older.hidden = !room.hasMore || room.virtual;
    const stick = this.nearBottom();
    this.renderList(room);
    this.renderTyping(room);
    if (this.threadRoot) this.renderThread();
    if (stick) this.log.scrollTop = this.log.scrollHeight;
  }

  renderMeta(room) {
    if (room !== this.room) return;
    this.meta.textContent = this.chat.isDirect(room) ? 'direct conversation'
      : [room.info?.type?.replace('_', ' '), room.memberCount != null ? `${room.memberCount} members` : null,
        room.online != null ? `${room.online} online` : null].filter(Boolean).join(' · ');
  }

  nearBottom() {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
  }

  /**
   * Reconciles the list with the room — messages by seq, joins/leaves among them, then pending
   * sends — touching only the items that changed, so focus stays put and the log announces only
   * what is new.
   */
  renderList(room) {
    const focusKey = document.activeElement?.closest?.('#messages [data-key]')?.dataset.key;
    const focusAction = document.activeElement?.dataset?.action;
    const items = [
      ...this.chat.sorted(room).map((m) => ({ key: `m:${m.messageId}`, seq: m.seq, el: () => this.message(room, m) })),
      ...room.system.map((s) => ({ key: `s:${s.seq}`, seq: s.seq, el: () => h('li.system', {}, s.text) })),
    ].sort((a, b) => a.seq - b.seq);
    for (const p of room.pending.values()) items.push({ key: `p:${p.id}`, el: () => this.pending(room, p) });
    const existing = new Map([...this.list.children].map((el) => [el.dataset.key, el]));
    let replacedFocus = false;
    items.forEach((item, i) => {
      const fresh = item.el();
      fresh.dataset.key = item.key;
      const drawn = fresh.outerHTML;
      let el = existing.get(item.key);
      if (!el || DRAWN.get(el) !== drawn) {
        DRAWN.set(fresh, drawn);
        if (el) {
          // An open emoji picker moves into the new drawing (next to its React button), focus and all.
          const picker = el.querySelector('.emoji-picker');
          const inPicker = picker?.contains(document.activeElement) ? document.activeElement : null;
          if (picker) {
            picker.dataset.moving = 'true';
            fresh.querySelector('[data-action="react"]')?.after(picker);
          }
          replacedFocus ||= item.key === focusKey && !inPicker;
          el.replaceWith(fresh);
          inPicker?.focus();
          if (picker) delete picker.dataset.moving;
        }
        el = fresh;
      }
      existing.delete(item.key);
      if (this.list.children[i] !== el) this.list.insertBefore(el, this.list.children[i] || null);
    });
    for (const stale of existing.values()) stale.remove();
    if (replacedFocus) {
      const again = this.list.querySelector(`[data-key="${CSS.escape(focusKey)}"]`);
      (again?.querySelector(`[data-action="${focusAction}"]`) || again)?.focus();
    }
  }

  upsert(room, messageId) {
    if (room !== this.room) return;
    const stick = this.nearBottom();
    this.renderList(room);
    if (this.threadRoot) this.renderThread();
    if (stick) this.log.scrollTop = this.log.scrollHeight;
    this.older.hidden = !room.hasMore;
    void messageId;
  }

  message(room, m, inThread = false) {
    const chat = this.chat;
    const mine = m.userId === this.me.id;
    const mentionsMe = m.mentions?.includes(this.me.id);
    const parent = m.replyTo ? room.messages.get(m.replyTo) : null;
    const replies = inThread ? 0 : [...room.messages.values()].filter((x) => x.replyTo === m.messageId).length;
    const li = h(`li.msg${mine ? '.mine' : ''}${m.deleted ? '.deleted' : ''}${mentionsMe ? '.mentions-me' : ''}`, {
      id: inThread ? null : `m-${m.messageId}`, tabindex: '-1',
      dataset: { messageId: m.messageId, seq: String(m.seq), author: m.userId },
    });
    li.append(h('div.meta', {}, chat.presence.dot(m.userId), h('b.author', {}, m.userName || m.userId),
      h('time', { dateTime: new Date(m.createdAt).toISOString(), title: dateTime(m.createdAt) }, time(m.createdAt)),
      m.editedAt && !m.deleted ? h('span.edited', { title: `edited ${dateTime(m.editedAt)}` }, '(edited)') : null));
    if (m.replyTo && !inThread) {
      li.append(h('button.reply-to', {
        type: 'button', dataset: { action: 'open-parent' }, onclick: () => this.openThread(m.messageId),
        'aria-label': `In reply to ${parent ? parent.userName : 'an earlier message'}: open the thread`,
      }, '↪ ', parent ? h('b', {}, parent.userName) : 'an earlier message', parent ? ` ${snippet(parent)}` : ''));
    }
    li.append(m.deleted ? h('p.body.tombstone', {}, 'This message was deleted.') : h('p.body', {}, ...withMentions(m.content || '', chat)));
    if (m.attachment && !m.deleted) {
      const a = m.attachment;
      if (a.contentType?.startsWith('image/')) li.append(this.preview(room, a));
      li.append(h('button.attachment', {
        type: 'button', dataset: { attachment: a.id },
        onclick: () => chat.download(a).catch((e) => toast(`Could not download ${a.name}: ${e.message}`, 'error')),
      }, '📎 ', a.name, h('small.muted', {}, ` ${fileSize(a.size)}`)));
    }
    const counts = Object.entries(m.reactions || {}).filter(([, n]) => n > 0);
    if (counts.length && !m.deleted) {
      const myReactions = room.mine.get(m.messageId) || new Set();
      li.append(h('div.reactions', {}, counts.map(([emoji, n]) => h('button.reaction', {
        type: 'button', dataset: { emoji, action: `reaction-${emoji}` }, 'aria-pressed': String(myReactions.has(emoji)),
        'aria-label': `${emoji} ${n}, toggle yours`, onclick: () => this.react(m, emoji),
      }, `${emoji} ${n}`))));
    }
    if (!m.deleted && !room.virtual) {
      const actions = h('div.actions', {},
        h('button', { type: 'button', dataset: { action: 'react' }, 'aria-haspopup': 'true', onclick: (e) => this.picker(e.currentTarget, m) }, 'React'),
        h('button', { type: 'button', dataset: { action: 'reply' }, onclick: () => this.replyTo(m) }, 'Reply'),
        replies ? h('button', { type: 'button', dataset: { action: 'thread' }, onclick: () => this.openThread(m.messageId) },
          `${replies} ${replies === 1 ? 'reply' : 'replies'}`) : null,
        mine ? h('button', { type: 'button', dataset: { action: 'edit' }, onclick: () => this.edit(m) }, 'Edit') : null,
        mine ? h('button', { type: 'button', dataset: { action: 'delete' }, onclick: () => this.remove(m) }, 'Delete') : null);
      li.append(actions);
    }
    if (mine && !inThread) {
      const seenBy = [...room.receipts.values()].filter((r) => r.upToSeq >= m.seq && r.name !== this.me.name);
      const later = this.chat.sorted(room).some((x) => x.userId === this.me.id && x.seq > m.seq);
      if (seenBy.length && !later) li.append(h('p.receipts', {}, `Seen by ${seenBy.map((r) => r.name).join(', ')}`));
    }
    return li;
  }

  /**
   * An image attachment's preview: fetched once with the bearer token (tokens never go in URLs),
   * shown from an object URL; until it is there, an empty frame of the same size.
   */
  preview(room, a) {
    const url = this.chat.previewUrl(a, () => this.upsert(room));
    return h('img.preview', {
      alt: a.name, src: url || null, loading: 'lazy', decoding: 'async', dataset: { preview: a.id },
      width: 240, height: 160,
    });
  }

  pending(room, p) {
    const label = { sending: 'sending…', queued: 'waiting for the connection…', failed: `not sent: ${p.error}` }[p.state];
    return h(`li.msg.mine.pending.${p.state}`, { dataset: { clientRef: p.id } },
      h('div.meta', {}, h('b.author', {}, this.me.name), h('span.pending-state', {}, label)),
      h('p.body', {}, p.content),
      p.state === 'failed' ? h('div.actions', {},
        h('button', { type: 'button', onclick: () => this.chat.retry(room, p.id) }, 'Retry'),
        h('button', { type: 'button', onclick: () => this.chat.discard(room, p.id) }, 'Discard')) : null);
  }

  renderTyping(room) {
    if (room !== this.room) return;
    const names = [...room.typing.values()].map((t) => t.name);
    this.typing.textContent = names.length === 0 ? ''
      : names.length === 1 ? `${names[0]} is typing…`
        : names.length <= 3 ? `${names.join(', ')} are typing…` : 'Several people are typing…';
  }

  async loadOlder() {
    const room = this.room;
    const before = this.log.scrollHeight;
    try {
      await this.chat.loadOlder(room);
    } catch (e) {
      toast(e.message, 'error');
      return;
    }
    if (room !== this.room) return;
    this.render(room);
    this.log.scrollTop = this.log.scrollHeight - before;
  }

  /** Scrolls to a message of the open room, focuses it and highlights it for a moment. */
  reveal(messageId) {
    const el = this.list.querySelector(`[data-message-id="${CSS.escape(messageId)}"]`);
    if (!el) {
      toast('That message is no longer in the room.');
      return;
    }
    el.scrollIntoView({ block: 'center' });
    el.classList.add('highlight');
    el.focus();
    setTimeout(() => el.classList.remove('highlight'), 3000);
  }

  // ---- threads ------------------------------------------------------------------------------

  rootOf(messageId) {
    let m = this.room.messages.get(messageId);
    for (let hops = 0; m?.replyTo && this.room.messages.has(m.replyTo) && hops < 100; hops++) m = this.room.messages.get(m.replyTo);
    return m?.messageId || messageId;
  }

  openThread(messageId) {
    this.threadRoot = this.rootOf(messageId);
    this.thread.hidden = false;
    this.renderThread();
    this.thread.querySelector('button')?.focus();
  }

  closeThread() {
    this.threadRoot = null;
    this.thread.hidden = true;
  }

  renderThread() {
    const room = this.room;
    const inThread = this.chat.sorted(room).filter((m) => this.rootOf(m.messageId) === this.threadRoot);
    clear(this.threadList, inThread.map((m) => this.message(room, m, true)));
  }

  // ---- actions ------------------------------------------------------------------------------

  react(m, emoji) {
    this.chat.command('chat:react', { roomId: this.room.id, messageId: m.messageId, emoji }).catch(() => {});
  }

  picker(anchor, m) {
    document.querySelector('.emoji-picker')?.remove();
    // Chromium sends focusout while it removes a focused element: removing the picker from there
    // again would throw, so every removal goes through drop(), once.
    let dropped = false;
    const drop = () => {
      if (dropped || !picker.isConnected) return;
      dropped = true;
      picker.remove();
    };
    // The picker sits right after its React button, which a redraw may have replaced: focus the one
    // beside it first (the focus leaving the picker then closes it), then make sure it is gone.
    const close = () => {
      (picker.previousElementSibling || anchor).focus();
      drop();
    };
    const picker = h('div.popover.emoji-picker', {
      role: 'group', 'aria-label': 'Choose a reaction',
      onkeydown: (e) => {
        if (e.key === 'Escape') close();
        const buttons = [...picker.querySelectorAll('button')];
        const i = buttons.indexOf(document.activeElement);
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          e.preventDefault();
          buttons[(i + (e.key === 'ArrowRight' ? 1 : buttons.length - 1)) % buttons.length].focus();
        }
      },
      onfocusout: (e) => { if (!picker.dataset.moving && !picker.contains(e.relatedTarget)) drop(); },
    }, EMOJI.map((emoji) => h('button', {
      type: 'button', dataset: { emoji }, 'aria-label': `React with ${emoji}`,
      onclick: () => { this.react(m, emoji); close(); },
    }, emoji)));
    anchor.after(picker);
    picker.querySelector('button').focus();
  }

  replyTo(m) {
    if (!m) return;
    this.setMode({ kind: 'reply', message: m });
    this.input.focus();
  }

  edit(m) {
    this.setMode({ kind: 'edit', message: m });
    this.input.value = m.content;
    this.input.focus();
  }

  async remove(m) {
    if (!confirm('Delete this message?')) return;
    await this.chat.command('chat:delete', { roomId: this.room.id, messageId: m.messageId }).catch(() => {});
  }

  async leave() {
    if (!confirm(`Leave ${this.chat.title(this.room)}?`)) return;
    await this.chat.leave(this.room).catch((e) => toast(e.message, 'error'));
  }

  focusComposer() {
    if (matchMedia('(min-width: 720px)').matches) this.input.focus();
  }

  // ---- composer -----------------------------------------------------------------------------

  /** 📎: pick a file; it is uploaded and sent at once, with what the box holds as its text. */
  fileButton() {
    const input = h('input', { type: 'file', id: 'composer-file', class: 'sr', 'aria-label': 'Attach a file' });
    input.addEventListener('change', () => {
      const file = input.files[0];
      input.value = '';
      if (!file || !this.room) return;
      const text = this.input.value.trim();
      this.chat.sendFile(this.room, file, text).then(() => {
        if (text) this.input.value = '';
      }).catch((e) => toast(`Could not send ${file.name}: ${e.message}`, 'error'));
    });
    return h('label.button.attach', { title: 'Attach a file' }, '📎', input);
  }

  buildComposer() {
    this.input = h('textarea', {
      id: 'composer-input', rows: 1, maxLength: 2000, placeholder: 'Message', 'aria-label': 'Message',
      autocomplete: 'off', 'aria-autocomplete': 'list', 'aria-controls': 'mention-list', 'aria-expanded': 'false',
    });
    this.modeBar = h('div.mode', { hidden: true });
    this.mentionList = h('ul.popover.mentions', { id: 'mention-list', role: 'listbox', hidden: true, 'aria-label': 'People to mention' });
    this.composer = h('form.composer', { id: 'composer', 'aria-label': 'Write a message', onsubmit: (e) => { e.preventDefault(); this.submit(); } },
      this.modeBar, this.mentionList,
      h('div.row', {}, this.fileButton(), this.input, h('button.primary', { type: 'submit', id: 'send' }, 'Send')));
    this.mentioned = new Map(); // name → userId, chosen from the list
    this.typingSince = 0;
    const startTyping = throttle(() => this.sendTyping(true), 2000);
    this.input.addEventListener('input', () => {
      this.input.style.height = 'auto';
      this.input.style.height = `${Math.min(this.input.scrollHeight, 160)}px`;
      if (this.mode?.kind !== 'edit' && this.input.value.trim()) {
        startTyping();
        clearTimeout(this.typingTimer);
        this.typingTimer = setTimeout(() => this.sendTyping(false), TYPING_IDLE_MS);
      }
      this.updateMentions();
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    // Leaving the box closes the list (a moment later, so a click on an option still lands) — unless focus came back.
    this.input.addEventListener('blur', () => setTimeout(() => {
      if (document.activeElement !== this.input) this.hideMentions();
    }, 150));
  }

  sendTyping(isTyping) {
    const room = this.room;
    if (!room || room.virtual) return;
    if (!isTyping && !this.typingOn) return;
    this.typingOn = isTyping;
    this.chat.client.notify('chat:typing', { roomId: room.id, isTyping });
  }

  onKey(e) {
    if (!this.mentionList.hidden) {
      const options = [...this.mentionList.children];
      const i = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.selectMention((i + (e.key === 'ArrowDown' ? 1 : options.length - 1)) % options.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        this.chooseMention(options[Math.max(0, i)]);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.hideMentions();
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'Escape' && this.mode) {
      e.preventDefault();
      if (this.mode.kind === 'edit') this.input.value = '';
      this.setMode(null);
    } else if (e.key === 'ArrowUp' && !this.input.value) {
      const last = this.chat.sorted(this.room).filter((m) => m.userId === this.me.id && !m.deleted).at(-1);
      if (last) {
        e.preventDefault();
        this.edit(last);
      }
    }
  }

  setMode(mode) {
    this.mode = mode;
    if (!mode) {
      this.modeBar.hidden = true;
      return;
    }
    const what = mode.kind === 'edit' ? 'Editing your message' : `Replying to ${mode.message.userName}: ${snippet(mode.message)}`;
    clear(this.modeBar, h('span', {}, what),
      h('button.icon', { type: 'button', 'aria-label': 'Cancel (Esc)', onclick: () => { if (mode.kind === 'edit') this.input.value = ''; this.setMode(null); this.input.focus(); } }, '✕'));
    this.modeBar.hidden = false;
  }

  async submit() {
    const content = this.input.value.trim();
    const room = this.room;
    if (!content || !room) return;
    clearTimeout(this.typingTimer);
    this.sendTyping(false);
    const mode = this.mode;
    this.input.value = '';
    this.input.style.height = 'auto';
    this.setMode(null);
    this.hideMentions();
    if (mode?.kind === 'edit') {
      if (content !== mode.message.content) {
        await this.chat.command('chat:edit', { roomId: room.id, messageId: mode.message.messageId, content }).catch(() => {});
      }
      return;
    }
    const mentions = [...this.mentioned.entries()].filter(([name]) => content.includes(`@${name}`)).map(([, id]) => id);
    this.mentioned.clear();
    await this.chat.send(room, content, { replyTo: mode?.kind === 'reply' ? mode.message.messageId : null, mentions });
    this.log.scrollTop = this.log.scrollHeight;
  }

  // ---- mentions autocomplete ----------------------------------------------------------------

  mentionQuery() {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const match = /(^|\s)@([\w.-]*)$/.exec(before);
    return match ? match[2].toLowerCase() : null;
  }

  updateMentions() {
    const query = this.mentionQuery();
    if (query == null) {
      this.hideMentions();
      return;
    }
    const room = this.room;
    const candidates = [...new Set([...room.people, ...this.chat.presence.people().map((p) => p.id)])]
      .filter((id) => id !== this.me.id)
      .map((id) => ({ id, name: this.chat.presence.nameOf(id) }))
      .filter((p) => p.name.toLowerCase().startsWith(query) || p.id.toLowerCase().startsWith(query))
      .slice(0, 8);
    if (!candidates.length) {
      this.hideMentions();
      return;
    }
    clear(this.mentionList, candidates.map((p, i) => h('li', {
      role: 'option', id: `mention-${i}`, dataset: { userId: p.id, name: p.name }, 'aria-selected': String(i === 0),
      onmousedown: (e) => { e.preventDefault(); this.chooseMention(e.currentTarget); },
    }, this.chat.presence.dot(p.id), p.name)));
    this.mentionList.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.input.setAttribute('aria-activedescendant', 'mention-0');
  }

  selectMention(index) {
    [...this.mentionList.children].forEach((o, i) => o.setAttribute('aria-selected', String(i === index)));
    this.input.setAttribute('aria-activedescendant', `mention-${index}`);
  }

  chooseMention(option) {
    if (!option) return;
    const { userId, name } = option.dataset;
    const caret = this.input.selectionStart;
    const before = this.input.value.slice(0, caret).replace(/@([\w.-]*)$/, `@${name} `);
    this.input.value = before + this.input.value.slice(caret);
    this.input.setSelectionRange(before.length, before.length);
    this.mentioned.set(name, userId);
    this.hideMentions();
    this.input.focus();
  }

  hideMentions() {
    this.mentionList.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }
}

function snippet(m) {
  if (m.deleted) return '(deleted)';
  const text = m.content || '';
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/** The content as text nodes, with @name of known people highlighted. */
function withMentions(content, chat) {
  const names = new Set(chat.presence.people().map((p) => p.name).concat(chat.me.name));
  return (content || '').split(/(@[\w.-]+)/).map((part) => {
    if (part.startsWith('@') && names.has(part.slice(1))) {
      return h(`span.mention${part.slice(1) === chat.me.name ? '.self' : ''}`, {}, part);
    }
    return part;
  });
}

function fileSize(bytes) {
  if (bytes == null) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
