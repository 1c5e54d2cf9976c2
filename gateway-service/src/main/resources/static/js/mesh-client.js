// mesh-client.js — the client library of the mesh's native WebSocket protocol (docs/client.md).
//
// No DOM, no dependencies: it needs a WebSocket constructor, crypto.randomUUID and timers, so it
// runs in any current browser and in Node 22+ (or Node 20 with a WebSocket passed in).
//
//   const client = new MeshClient({ url: 'wss://host/ws', getToken: async () => token });
//   client.on('state', ({ state }) => …);            // connecting | open | reconnecting | closed
//   client.on('chat:message', (data, frame) => …);   // every event type, each seq once per topic
//   await client.connect();
//   const room = await client.joinRoom('r1');         // resumed by seq after every reconnect
//   await client.request('chat:message', { roomId: 'r1', content: 'hi' }); // queued while offline

/** A command's refusal: the error frame's code, sentence and data. */
export class MeshError extends Error {
  constructor(code, message, data = null) {
    super(message);
    this.name = 'MeshError';
    this.code = code;
    this.data = data;
  }
}

/** Codes a command may be retried with, with the same id (docs/protocol.md). */
const RETRYABLE = new Set(['UNAVAILABLE', 'RATE_LIMITED']);

/**
 * The delay before reconnect attempt number `attempt` (0-based): exponential growth from
 * `initialMs` by `factor`, capped at `maxMs`, with "equal jitter" — a random point in the upper
 * half — so that clients cut off together do not come back together, yet none retries at once.
 */
export function backoffDelay(attempt, { initialMs = 500, maxMs = 15000, factor = 2 } = {}, random = Math.random) {
  const ceiling = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Per-topic sequence tracking: `accept(topic, seq)` is true once per seq and false for any seq at
 * or below the last accepted one (a duplicate after a resume, or a replay of what was seen).
 */
export class SeqTracker {
  constructor() {
    this.last = new Map();
  }

  accept(topic, seq) {
    if (seq == null || topic == null) return true;
    const last = this.last.get(topic);
    if (last != null && seq <= last) return false;
    this.last.set(topic, seq);
    return true;
  }

  get(topic) {
    return this.last.get(topic);
  }

  /** Moves the mark forward only: a join's lastSeq never un-sees an event that arrived first. */
  advance(topic, seq) {
    const last = this.last.get(topic);
    if (last == null || seq > last) this.last.set(topic, seq);
  }

  set(topic, seq) {
    this.last.set(topic, seq);
  }
}

/** The `exp` claim of a JWT in epoch ms, or null when it cannot be read. */
export function tokenExpiry(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(atob(payload.padEnd(payload.length + ((4 - (payload.length % 4)) % 4), '=')));
    return typeof json.exp === 'number' ? json.exp * 1000 : null;
  } catch {
    return null;
  }
}

const DEFAULTS = {
  backoff: { initialMs: 500, maxMs: 15000, factor: 2 },
  requestTimeoutMs: 15000,
  queueLimit: 100,
  maxRetries: 5,
  // Refresh when this share of the token's remaining life is left, but at least this many ms before.
  refreshAheadMs: 60000,
  notifications: true, // send notification:sync {sinceSeq} after every connect
  // A socket silent for this many heartbeats is taken as dead (a cut cable sends no close).
  missedHeartbeats: 2,
};

export class MeshClient {
  /**
   * @param {object} options
   * @param {string} options.url                 the gateway's `/ws` address
   * @param {() => Promise<string>} options.getToken  a valid access token (called on every connect and refresh)
   * @param {Function} [options.WebSocket]       a WebSocket constructor (default: the global one)
   * @param {object} [options.backoff]          `{initialMs, maxMs, factor}` of reconnects
   * @param {number} [options.requestTimeoutMs] how long a sent command waits for its reply
   * @param {number} [options.queueLimit]       commands held while offline (more are refused)
   * @param {number} [options.maxRetries]       retries of UNAVAILABLE / RATE_LIMITED replies
   * @param {number} [options.refreshAheadMs]   refresh the token this long before it expires
   * @param {() => number} [options.random]     for tests
   */
  constructor(options) {
    this.options = { ...DEFAULTS, ...options, backoff: { ...DEFAULTS.backoff, ...(options.backoff || {}) } };
    this.WebSocket = options.WebSocket || globalThis.WebSocket;
    this.random = options.random || Math.random;
    this.state = 'idle';
    this.welcome = null;
    this.seqs = new SeqTracker();
    this.listeners = new Map();
    /** id → {frame, resolve, reject, timer, retries}: sent, waiting for a reply. */
    this.inFlight = new Map();
    /** Commands waiting for an open socket, in the order they were made. */
    this.queue = [];
    /** topic → async (sinceSeq) => void: how to attach again after a reconnect or a resync. */
    this.resumers = new Map();
    this.ws = null;
    this.attempt = 0;
    this.timers = { reconnect: null, refresh: null, liveness: null };
    this.clockSkew = 0;
    this.wanted = false;
  }

  // ---- events -------------------------------------------------------------------------------

  /** Listens to an event type (`chat:message`, …), or `state`, `welcome`, `gap`, `frame`, `error`. Returns an unsubscribe function. */
  on(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(listener);
    return () => this.listeners.get(type)?.delete(listener);
  }

  emit(type, ...args) {
    for (const listener of [...(this.listeners.get(type) || [])]) {
      try {
        listener(...args);
      } catch (e) {
        console.error(`mesh-client: a '${type}' listener failed`, e);
      }
    }
  }

  setState(state, detail = {}) {
    this.state = state;
    this.emit('state', { state, ...detail });
  }

  // ---- connection ---------------------------------------------------------------------------

  /** Opens the socket (and keeps it open until close()). Resolves with the first welcome's data. */
  connect() {
    this.wanted = true;
    const welcomed = new Promise((resolve, reject) => {
      const offWelcome = this.on('welcome', (data) => { offWelcome(); offClosed(); resolve(data); });
      const offClosed = this.on('state', ({ state, reason }) => {
        if (state === 'closed') { offWelcome(); offClosed(); reject(new MeshError('UNAUTHENTICATED', reason || 'closed')); }
      });
    });
    if (!this.ws) this.open();
    return welcomed;
  }

  /** Closes for good (logout): pending commands are refused, nothing reconnects. */
  close(reason = 'closed by the application') {
    this.wanted = false;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = null;
      try { ws.close(1000); } catch { /* already closed */ }
    }
    const refused = new MeshError('UNAVAILABLE', reason);
    for (const pending of [...this.inFlight.values(), ...this.queue]) pending.reject(refused);
    this.inFlight.clear();
    this.queue = [];
    this.setState('closed', { reason });
  }

  /** Skips the remaining backoff (e.g. when the browser says it is online again). */
  reconnectNow() {
    if (this.wanted && !this.ws && !this.opening) {
      clearTimeout(this.timers.reconnect);
      this.open();
    }
  }

  /** For tests and for the UI's "drop connection" action: closes the socket as a network cut would. */
  dropConnection() {
    if (this.ws) this.ws.close(4000, 'dropped by the client');
  }

  async open() {
    if (this.opening) return;
    this.opening = true;
    this.setState(this.attempt === 0 && !this.welcome ? 'connecting' : 'reconnecting', { attempt: this.attempt });
    let token;
    try {
      token = await this.options.getToken({ refresh: Boolean(this.tokenRejected) });
    } catch (e) {
      this.opening = false;
      this.close(`no token: ${e.message}`);
      return;
    }
    this.opening = false;
    if (!this.wanted || this.ws) return;
    const ws = new this.WebSocket(this.options.url);
    this.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', data: { token } }));
    ws.onmessage = (event) => this.onFrame(ws, event.data);
    ws.onerror = () => { /* onclose follows and decides */ };
    ws.onclose = (event) => this.onClose(ws, event.code, event.reason);
  }

  onClose(ws, code, reason) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.clearTimers();
    // What was sent but not answered goes back to the front of the queue, same ids: the service
    // answers a repeat with the first result, so nothing is applied twice.
    const unanswered = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const pending of unanswered) clearTimeout(pending.timer);
    // A resume's own join is made afresh after the next welcome.
    const lost = new MeshError('UNAVAILABLE', 'the connection closed while resuming');
    unanswered.filter((p) => p.resuming).forEach((p) => p.reject(lost));
    this.queue.unshift(...unanswered.filter((p) => !p.resuming));
    if (!this.wanted) return;
    if (code === 4003) {
      this.close('this session was ended by the server (4003)');
      return;
    }
    let delay;
    if (this.reconnectAfterMs != null) {
      // A draining gateway chose our pause (already jittered) — the next instance is healthy.
      delay = this.reconnectAfterMs;
      this.reconnectAfterMs = null;
    } else {
      delay = backoffDelay(this.attempt, this.options.backoff, this.random);
    }
    this.attempt++;
    if (code === 4001) this.tokenRejected = true;
    this.setState('reconnecting', { attempt: this.attempt, code, reason, retryInMs: delay });
    this.timers.reconnect = setTimeout(() => this.open(), delay);
  }

  clearTimers() {
    clearTimeout(this.timers.reconnect);
    clearTimeout(this.timers.refresh);
    clearTimeout(this.timers.liveness);
  }

  /** True once the socket is authenticated (resuming or open). */
  get welcomed() {
    return Boolean(this.ws) && (this.state === 'open' || this.state === 'resuming');
  }

  send(frame) {
    if (this.welcomed) {
      this.ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  onFrame(ws, text) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    this.armLiveness();
    switch (frame.type) {
      case 'welcome': return this.onWelcome(frame.data);
      case 'ping': return void ws.send('{"type":"pong"}');
      case 'reconnect': this.reconnectAfterMs = frame.data?.afterMs ?? 0; return;
      case 'ack': case 'error': return this.onReply(frame);
      case 'resync': return void this.resume(frame.data?.topic).catch((e) => this.emit('error', e));
      default: return this.onEvent(frame);
    }
  }

  async onWelcome(data) {
    const first = !this.welcome;
    this.welcome = data;
    this.clockSkew = (data.serverTime ?? Date.now()) - Date.now();
    this.attempt = 0;
    this.tokenRejected = false;
    this.scheduleRefresh(data.tokenExpiresAt);
    const socket = this.ws;
    this.setState('resuming', { instanceId: data.instanceId, resumed: !first });
    if (this.options.notifications && data.userId) this.trackNotifications(data.userId);
    // Every topic first (their missed events arrive before each join's ack), then the queue.
    const topics = [...this.resumers.keys()];
    await Promise.all(topics.map((topic) => this.resume(topic).catch((e) => this.emit('error', e))));
    if (socket !== this.ws) return; // cut again while resuming: the next welcome starts over
    this.setState('open', { instanceId: data.instanceId, resumed: !first });
    this.emit('welcome', data);
    this.flushQueue();
  }

  armLiveness() {
    clearTimeout(this.timers.liveness);
    const heartbeat = this.welcome?.heartbeatMs;
    if (!heartbeat) return;
    this.timers.liveness = setTimeout(() => this.dropConnection(),
      heartbeat * this.options.missedHeartbeats + 5000);
  }

  // ---- token refresh ------------------------------------------------------------------------

  scheduleRefresh(serverExpiresAt) {
    clearTimeout(this.timers.refresh);
    if (!serverExpiresAt || serverExpiresAt > 8.64e15) return;
    const localExpiry = serverExpiresAt - this.clockSkew;
    const remaining = localExpiry - Date.now();
    const ahead = Math.min(this.options.refreshAheadMs, remaining / 2);
    this.timers.refresh = setTimeout(() => this.refreshToken(), Math.max(1000, remaining - ahead));
  }

  /** Sends a fresh token in band (an `auth` frame on the open socket; the server does not answer it). */
  async refreshToken() {
    let token;
    try {
      token = await this.options.getToken({ refresh: true });
    } catch (e) {
      this.emit('error', new MeshError('UNAUTHENTICATED', `token refresh failed: ${e.message}`));
      this.timers.refresh = setTimeout(() => this.refreshToken(), 5000);
      return;
    }
    if (!this.ws || this.state !== 'open') return;
    this.ws.send(JSON.stringify({ type: 'auth', data: { token } }));
    const expiry = tokenExpiry(token);
    this.emit('token', { expiresAt: expiry });
    if (expiry) this.scheduleRefresh(expiry + this.clockSkew);
  }

  // ---- commands -----------------------------------------------------------------------------

  /**
   * Sends a command and resolves with its ack's data, or rejects with a MeshError. While the
   * socket is down the command waits in the bounded offline queue; a command whose reply was
   * lost is sent again with the same id. UNAVAILABLE and RATE_LIMITED are retried (same id).
   */
  request(type, data = {}, { id = crypto.randomUUID(), timeoutMs = this.options.requestTimeoutMs, resuming = false } = {}) {
    return new Promise((resolve, reject) => {
      const pending = { frame: { type, id, data }, resolve, reject, timer: null, retries: 0, timeoutMs, resuming };
      if (resuming) {
        // Part of a resume: goes out on this socket before the queue, and dies with it.
        if (this.welcomed) this.transmit(pending);
        else reject(new MeshError('UNAVAILABLE', 'the connection closed while resuming'));
      } else if (this.state === 'open') {
        this.transmit(pending);
      } else if (this.queue.length >= this.options.queueLimit) {
        reject(new MeshError('UNAVAILABLE', `offline and ${this.options.queueLimit} commands are already waiting`));
      } else {
        this.queue.push(pending);
        this.emit('queue', { size: this.queue.length });
      }
    });
  }

  /**
   * A command that attaches a topic, for `track()` callbacks: during a resume it goes out before
   * the offline queue (and is made afresh if the socket closes first); otherwise it is a request.
   */
  attachRequest(type, data) {
    return this.request(type, data, { resuming: this.state === 'resuming' });
  }

  /** An ephemeral frame (typing, activity): sent only when connected, never queued, no reply. */
  notify(type, data) {
    return this.send(data === undefined ? { type } : { type, data });
  }

  /** The commands waiting for a connection, oldest first (their ids and data). */
  queued() {
    return this.queue.map((p) => p.frame);
  }

  transmit(pending) {
    this.inFlight.set(pending.frame.id, pending);
    pending.timer = setTimeout(() => {
      this.inFlight.delete(pending.frame.id);
      pending.reject(new MeshError('UNAVAILABLE', `no reply to ${pending.frame.type} within ${pending.timeoutMs} ms`));
    }, pending.timeoutMs);
    this.send(pending.frame);
  }

  flushQueue() {
    const waiting = this.queue;
    this.queue = [];
    for (const pending of waiting) this.transmit(pending);
    this.emit('queue', { size: 0 });
  }

  onReply(frame) {
    const pending = this.inFlight.get(frame.ref);
    if (!pending) return;
    this.inFlight.delete(frame.ref);
    clearTimeout(pending.timer);
    if (frame.type === 'ack') {
      pending.resolve(frame.data ?? {});
      return;
    }
    if (RETRYABLE.has(frame.code) && pending.retries < this.options.maxRetries) {
      pending.retries++;
      const wait = frame.data?.retryAfterMs ?? backoffDelay(pending.retries, this.options.backoff, this.random);
      setTimeout(() => {
        if (pending.resuming ? this.welcomed : this.state === 'open') this.transmit(pending);
        else if (pending.resuming) pending.reject(new MeshError(frame.code, frame.message, frame.data));
        else this.queue.push(pending);
      }, wait);
      return;
    }
    pending.reject(new MeshError(frame.code, frame.message, frame.data));
  }

  // ---- events and resume --------------------------------------------------------------------

  onEvent(frame) {
    if (frame.topic && frame.seq != null && !this.seqs.accept(frame.topic, frame.seq)) return;
    this.emit('frame', frame);
    this.emit(frame.type, frame.data ?? {}, frame);
  }

  /** The last seq seen on a topic (undefined before any). */
  lastSeq(topic) {
    return this.seqs.get(topic);
  }

  /**
   * Keeps a topic resumable: after every reconnect (and on `resync`) `attach(sinceSeq)` is
   * called with the last seq seen, and must re-attach the session from there.
   */
  track(topic, attach, lastSeq) {
    this.resumers.set(topic, attach);
    if (lastSeq != null) this.seqs.advance(topic, lastSeq);
  }

  untrack(topic) {
    this.resumers.delete(topic);
  }

  resume(topic) {
    const attach = this.resumers.get(topic);
    return attach ? attach(this.seqs.get(topic)) : Promise.resolve();
  }

  /**
   * Joins a chat room and keeps it joined: resolves with the join's ack data (room, members,
   * lastSeq, and the last messages). After a reconnect the room is joined again with `sinceSeq`;
   * its missed events come as ordinary events, each once. When the gap is too large to replay,
   * a `gap` event `{topic, roomId, afterSeq, lastSeq}` asks the application to page history.
   */
  async joinRoom(roomId) {
    const topic = `chat:room:${roomId}`;
    const attach = async (sinceSeq) => {
      const data = sinceSeq == null ? { roomId } : { roomId, sinceSeq };
      const ack = await this.attachRequest('chat:join', data);
      if (sinceSeq != null && !ack.recovered) {
        this.emit('gap', { topic, roomId, afterSeq: sinceSeq, lastSeq: ack.lastSeq });
        this.seqs.set(topic, ack.lastSeq);
      } else {
        this.seqs.advance(topic, ack.lastSeq);
      }
      return ack;
    };
    this.resumers.set(topic, attach);
    return attach(this.seqs.get(topic));
  }

  /**
   * Joins a live quiz session (as a player, or as its host again) and keeps it joined: resolves
   * with the `quiz:join` ack (state, open question with its `deadline`, score, answers…). After a
   * reconnect it sends `quiz:join {sessionId, sinceSeq}` again: the missed events come first, each
   * once; every join's ack is also emitted as `quiz:joined` so the page can redraw from the
   * snapshot (it stands in when `recovered` is false).
   */
  async joinQuiz(sessionId) {
    const attach = this.quizAttach(sessionId);
    return attach(this.seqs.get(`quiz:session:${sessionId}`));
  }

  /**
   * Opens a session of one of my quizzes (`quiz:host`): resolves with `{sessionId, joinCode,
   * state, title, total, lastSeq}`. The session is resumed like `joinQuiz` (the host's own
   * join re-attaches the host-only topic too).
   */
  async hostQuiz(quizId, roomId) {
    const ack = await this.request('quiz:host', roomId ? { quizId, roomId } : { quizId });
    this.seqs.advance(`quiz:session:${ack.sessionId}`, ack.lastSeq);
    this.quizAttach(ack.sessionId);
    return ack;
  }

  quizAttach(sessionId) {
    const topic = `quiz:session:${sessionId}`;
    const attach = async (sinceSeq) => {
      const data = sinceSeq == null ? { sessionId } : { sessionId, sinceSeq };
      const ack = await this.attachRequest('quiz:join', data);
      if (sinceSeq != null && !ack.recovered) this.seqs.set(topic, ack.lastSeq);
      else this.seqs.advance(topic, ack.lastSeq);
      this.emit('quiz:joined', ack);
      return ack;
    };
    this.resumers.set(topic, attach);
    return attach;
  }

  /** Stops resuming a quiz session (the page left it). */
  leaveQuiz(sessionId) {
    this.untrack(`quiz:session:${sessionId}`);
  }

  /**
   * My notification stream `notifications:user:<id>`: `notification:sync {sinceSeq}` after every
   * connect, so missed `notification:new` frames come first (each once), then the unread count.
   * Each ack `{lastSeq, recovered, unread}` is emitted as `notification:synced`; `recovered:
   * false` after a cut means the page should reload its list over HTTP.
   */
  trackNotifications(userId) {
    const topic = `notifications:user:${userId}`;
    if (this.resumers.has(topic)) return;
    this.resumers.set(topic, async (sinceSeq) => {
      const ack = await this.attachRequest('notification:sync', sinceSeq == null ? {} : { sinceSeq });
      if (sinceSeq != null && !ack.recovered) this.seqs.set(topic, ack.lastSeq);
      else this.seqs.advance(topic, ack.lastSeq);
      this.emit('notification:synced', { ...ack, resumed: sinceSeq != null });
      return ack;
    });
  }

  /** Leaves a room (the membership ends) and stops resuming it. */
  async leaveRoom(roomId) {
    this.untrack(`chat:room:${roomId}`);
    return this.request('chat:leave', { roomId });
  }
}
