// Unit tests of the web client's library (gateway-service/src/main/resources/static/js/mesh-client.js)
// with Node's built-in runner and a scripted WebSocket: `node --test mesh-dev/src/test/js/`.
// Run by BrowserClientLibraryTest; the same library is driven end to end in Chromium by the Browser*Test classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

// The library is a browser ES module in a folder without package.json: import its text as a module.
const source = await readFile(new URL('../../../../gateway-service/src/main/resources/static/js/mesh-client.js', import.meta.url), 'utf8');
const { MeshClient, SeqTracker, backoffDelay, tokenExpiry } = await import(`data:text/javascript,${encodeURIComponent(source)}`);

/** A WebSocket the test plays the server of. */
class FakeSocket {
  static all = [];

  constructor(url) {
    this.url = url;
    this.sent = [];
    this.closed = null;
    FakeSocket.all.push(this);
    queueMicrotask(() => this.onopen?.());
  }

  send(text) {
    this.sent.push(JSON.parse(text));
  }

  close(code = 1000, reason = '') {
    if (this.closed) return;
    this.closed = { code, reason };
    queueMicrotask(() => this.onclose?.({ code, reason }));
  }

  /** The server sends a frame. */
  push(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  /** The server closes (a drain, a crash seen by the client). */
  drop(code = 1006) {
    this.closed = { code };
    this.onclose?.({ code, reason: '' });
  }

  frames(type) {
    return this.sent.filter((f) => f.type === type);
  }
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition, what, timeoutMs = 2000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await tick(2);
  }
}

const welcome = (overrides = {}) => ({
  type: 'welcome',
  data: { sessionId: 's', userId: 'alan', instanceId: 'g1', serverTime: Date.now(), heartbeatMs: 25000,
    tokenExpiresAt: Date.now() + 15 * 60000, ...overrides },
});

function newClient(options = {}) {
  FakeSocket.all = [];
  return new MeshClient({
    url: 'ws://test/ws', getToken: async () => 'token-1', WebSocket: FakeSocket,
    backoff: { initialMs: 10, maxMs: 40 }, notifications: false, ...options,
  });
}

/** Answers every chat:join on a socket with an ack (recovered, lastSeq given). */
function answerJoins(socket, lastSeq, from = 0) {
  for (const join of socket.frames('chat:join').slice(from)) {
    socket.push({ type: 'ack', ref: join.id, data: { lastSeq, recovered: true, messages: [] } });
  }
}

test('backoff grows exponentially, is capped, and is jittered within the upper half', () => {
  const options = { initialMs: 500, maxMs: 15000, factor: 2 };
  assert.equal(backoffDelay(0, options, () => 0), 250);
  assert.equal(backoffDelay(0, options, () => 1), 500);
  assert.equal(backoffDelay(3, options, () => 1), 4000);
  assert.equal(backoffDelay(10, options, () => 1), 15000);
  assert.equal(backoffDelay(10, options, () => 0), 7500);
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(4, options)));
  assert.ok(spread.size > 10, 'random jitter spreads the clients');
});

test('a seq at or below the last one of its topic is a duplicate; topics are independent', () => {
  const seqs = new SeqTracker();
  assert.equal(seqs.accept('chat:room:a', 5), true);
  assert.equal(seqs.accept('chat:room:a', 5), false);
  assert.equal(seqs.accept('chat:room:a', 4), false);
  assert.equal(seqs.accept('chat:room:b', 1), true);
  assert.equal(seqs.accept('chat:room:a', 6), true);
  assert.equal(seqs.accept(null, null), true, 'frames without a topic are never duplicates');
  seqs.advance('chat:room:a', 3);
  assert.equal(seqs.get('chat:room:a'), 6, 'advance never moves back');
});

test('the token expiry is read from the JWT', () => {
  const payload = Buffer.from(JSON.stringify({ sub: 'alan', exp: 1795391165 })).toString('base64url');
  assert.equal(tokenExpiry(`h.${payload}.s`), 1795391165000);
  assert.equal(tokenExpiry('not a token'), null);
});

test('connects with an auth frame, answers pings, and resolves commands by their ref', async () => {
  const client = newClient();
  const states = [];
  client.on('state', (s) => states.push(s.state));
  const connected = client.connect();
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'the auth frame');
  const socket = FakeSocket.all[0];
  assert.deepEqual(socket.sent[0], { type: 'auth', data: { token: 'token-1' } });
  socket.push(welcome());
  assert.equal((await connected).userId, 'alan');
  assert.deepEqual(states, ['connecting', 'resuming', 'open']);

  socket.push({ type: 'ping' });
  assert.deepEqual(socket.sent.at(-1), { type: 'pong' });

  const reply = client.request('chat:message', { roomId: 'r', content: 'hi' });
  const command = socket.frames('chat:message')[0];
  assert.match(command.id, /^[0-9a-f-]{36}$/);
  socket.push({ type: 'ack', ref: command.id, data: { seq: 3 } });
  assert.deepEqual(await reply, { seq: 3 });

  const refused = client.request('chat:message', { roomId: 'r', content: '' });
  socket.push({ type: 'error', ref: socket.frames('chat:message')[1].id, code: 'VALIDATION', message: 'content must be 1 to 2000 characters' });
  await assert.rejects(refused, (e) => e.code === 'VALIDATION' && /2000/.test(e.message));
  client.close();
});

test('after a cut the client reconnects, resumes its rooms by seq, drops duplicates, then resends the queue with the same ids', async () => {
  const client = newClient();
  const seen = [];
  client.on('chat:message', (data, frame) => seen.push(frame.seq));
  client.connect();
  await until(() => FakeSocket.all.length === 1 && FakeSocket.all[0].sent.length === 1, 'auth');
  const first = FakeSocket.all[0];
  first.push(welcome());
  const joined = client.joinRoom('r1');
  answerJoins(first, 10);
  await joined;
  first.push({ type: 'chat:message', topic: 'chat:room:r1', seq: 11, data: {} });
  first.push({ type: 'chat:message', topic: 'chat:room:r1', seq: 11, data: {} });

  // An unanswered command, then the cut; one more command made while offline.
  const lostReply = client.request('chat:message', { roomId: 'r1', content: 'in flight' });
  const inFlightId = first.frames('chat:message')[0].id;
  const states = [];
  client.on('state', (s) => states.push(s.state));
  first.drop(1006);
  const offline = client.request('chat:message', { roomId: 'r1', content: 'typed offline' });
  assert.deepEqual(client.queued().map((f) => f.data.content), ['in flight', 'typed offline']);

  await until(() => FakeSocket.all.length === 2 && FakeSocket.all[1].sent.length === 1, 'the second socket');
  const second = FakeSocket.all[1];
  second.push(welcome({ instanceId: 'g2' }));
  const rejoin = second.frames('chat:join')[0];
  assert.deepEqual(rejoin.data, { roomId: 'r1', sinceSeq: 11 });
  assert.equal(second.frames('chat:message').length, 0, 'the queue waits for the resume');
  // The missed events come before the join's ack, one of them a duplicate.
  for (const seq of [11, 12, 13]) second.push({ type: 'chat:message', topic: 'chat:room:r1', seq, data: {} });
  second.push({ type: 'ack', ref: rejoin.id, data: { lastSeq: 13, recovered: true } });
  await until(() => second.frames('chat:message').length === 2, 'the queue');
  const resent = second.frames('chat:message');
  assert.equal(resent[0].id, inFlightId, 'the unanswered command keeps its id');
  assert.deepEqual(resent.map((f) => f.data.content), ['in flight', 'typed offline']);
  second.push({ type: 'ack', ref: resent[0].id, data: { seq: 14 } });
  second.push({ type: 'ack', ref: resent[1].id, data: { seq: 15 } });
  assert.deepEqual(await lostReply, { seq: 14 });
  assert.deepEqual(await offline, { seq: 15 });
  assert.deepEqual(seen, [11, 12, 13]);
  assert.deepEqual(states, ['reconnecting', 'reconnecting', 'resuming', 'open']);
  client.close();
});

test('a replay too large to send inline is reported as a gap to page over HTTP', async () => {
  const client = newClient();
  const gaps = [];
  client.on('gap', (g) => gaps.push(g));
  client.connect();
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'auth');
  FakeSocket.all[0].push(welcome());
  const joined = client.joinRoom('r1');
  answerJoins(FakeSocket.all[0], 5);
  await joined;
  FakeSocket.all[0].drop(1012);
  await until(() => FakeSocket.all[1]?.sent.length === 1, 'the second socket');
  const second = FakeSocket.all[1];
  second.push(welcome());
  const rejoin = second.frames('chat:join')[0];
  second.push({ type: 'ack', ref: rejoin.id, data: { lastSeq: 500, recovered: false } });
  await until(() => gaps.length === 1, 'the gap');
  assert.deepEqual(gaps[0], { topic: 'chat:room:r1', roomId: 'r1', afterSeq: 5, lastSeq: 500 });
  assert.equal(client.lastSeq('chat:room:r1'), 500);
  client.close();
});

test('quiz sessions, hosted or joined, are joined again with sinceSeq after a reconnect; every join ack is emitted as quiz:joined', async () => {
  const client = newClient();
  const questions = [];
  const joins = [];
  client.on('quiz:question', (data, frame) => questions.push(frame.seq));
  client.on('quiz:joined', (ack) => joins.push(ack.sessionId));
  client.connect();
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'auth');
  const first = FakeSocket.all[0];
  first.push(welcome());
  await until(() => client.state === 'open', 'open');
  const hosted = client.hostQuiz('quiz-1');
  const host = first.frames('quiz:host')[0];
  assert.deepEqual(host.data, { quizId: 'quiz-1' });
  first.push({ type: 'ack', ref: host.id, data: { sessionId: 'h', joinCode: '123456', state: 'lobby', lastSeq: 1 } });
  assert.equal((await hosted).joinCode, '123456');
  const played = client.joinQuiz('p');
  const join = first.frames('quiz:join')[0];
  assert.deepEqual(join.data, { sessionId: 'p' });
  first.push({ type: 'ack', ref: join.id, data: { sessionId: 'p', lastSeq: 4, recovered: true } });
  await played;
  first.push({ type: 'quiz:question', topic: 'quiz:session:p', seq: 5, data: { index: 0 } });

  first.drop(1006);
  await until(() => FakeSocket.all[1]?.sent.length === 1, 'the second socket');
  const second = FakeSocket.all[1];
  second.push(welcome());
  const rejoins = second.frames('quiz:join');
  assert.deepEqual(rejoins.map((f) => f.data), [{ sessionId: 'h', sinceSeq: 1 }, { sessionId: 'p', sinceSeq: 5 }]);
  second.push({ type: 'quiz:question', topic: 'quiz:session:p', seq: 5, data: { index: 0 } });
  second.push({ type: 'quiz:question', topic: 'quiz:session:p', seq: 6, data: { index: 1 } });
  for (const f of rejoins) second.push({ type: 'ack', ref: f.id, data: { sessionId: f.data.sessionId, lastSeq: 6, recovered: true } });
  await until(() => joins.length === 3, 'the rejoins');
  assert.deepEqual(joins, ['p', 'h', 'p']);
  assert.deepEqual(questions, [5, 6], 'the replayed question is delivered once');
  client.leaveQuiz('p');
  second.push({ type: 'resync', data: { topic: 'quiz:session:p' } });
  assert.equal(second.frames('quiz:join').length, 2, 'a left session is not joined again');
  client.close();
});

test('notification:sync goes out after every connect with the last seq; the queue waits for it', async () => {
  const client = newClient({ notifications: true });
  const synced = [];
  const news = [];
  client.on('notification:synced', (ack) => synced.push(ack));
  client.on('notification:new', (data, frame) => news.push(frame.seq));
  client.connect();
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'auth');
  const first = FakeSocket.all[0];
  first.push(welcome());
  const sync = first.frames('notification:sync')[0];
  assert.deepEqual(sync.data, {});
  first.push({ type: 'ack', ref: sync.id, data: { lastSeq: 3, recovered: true, unread: 1 } });
  await until(() => client.state === 'open', 'open');
  first.push({ type: 'notification:new', topic: 'notifications:user:alan', seq: 4, data: {} });
  first.drop(1006);
  const offline = client.request('notification:read_all');
  await until(() => FakeSocket.all[1]?.sent.length === 1, 'the second socket');
  const second = FakeSocket.all[1];
  second.push(welcome());
  const resync = second.frames('notification:sync')[0];
  assert.deepEqual(resync.data, { sinceSeq: 4 });
  assert.equal(second.frames('notification:read_all').length, 0, 'the queue waits for the sync');
  second.push({ type: 'notification:new', topic: 'notifications:user:alan', seq: 4, data: {} });
  second.push({ type: 'notification:new', topic: 'notifications:user:alan', seq: 5, data: {} });
  second.push({ type: 'ack', ref: resync.id, data: { lastSeq: 5, recovered: true, unread: 2 } });
  await until(() => second.frames('notification:read_all').length === 1, 'the queued command');
  second.push({ type: 'ack', ref: second.frames('notification:read_all')[0].id, data: { updated: 2, unread: 0 } });
  assert.deepEqual(await offline, { updated: 2, unread: 0 });
  assert.deepEqual(news, [4, 5]);
  assert.deepEqual(synced.map((s) => [s.unread, s.resumed]), [[1, false], [2, true]]);
  client.close();
});

test('a draining gateway chooses the pause; resync re-joins with the last seq', async () => {
  const client = newClient({ backoff: { initialMs: 60000, maxMs: 60000 } });
  client.connect();
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'auth');
  const first = FakeSocket.all[0];
  first.push(welcome());
  const joined = client.joinRoom('r1');
  answerJoins(first, 7);
  await joined;
  first.push({ type: 'resync', data: { topic: 'chat:room:r1' } });
  assert.deepEqual(first.frames('chat:join')[1].data, { roomId: 'r1', sinceSeq: 7 });
  first.push({ type: 'reconnect', data: { afterMs: 5 } });
  first.drop(1012);
  // With the backoff at a minute, only the server's afterMs can bring the socket back this soon.
  await until(() => FakeSocket.all.length === 2, 'a reconnect after afterMs', 1000);
  client.close();
});

test('the offline queue is bounded and a full queue refuses at once', async () => {
  const client = newClient({ queueLimit: 2 });
  client.state = 'reconnecting';
  client.request('chat:message', { content: '1' });
  client.request('chat:message', { content: '2' });
  await assert.rejects(client.request('chat:message', { content: '3' }), (e) => e.code === 'UNAVAILABLE');
  assert.equal(client.queued().length, 2);
});

test('RATE_LIMITED is retried after retryAfterMs with the same id', async () => {
  const client = newClient();
  client.connect();
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'auth');
  const socket = FakeSocket.all[0];
  socket.push(welcome());
  await until(() => client.state === 'open', 'open');
  const reply = client.request('chat:message', { roomId: 'r', content: 'x' });
  const id = socket.frames('chat:message')[0].id;
  socket.push({ type: 'error', ref: id, code: 'RATE_LIMITED', message: 'slow down', data: { retryAfterMs: 5 } });
  await until(() => socket.frames('chat:message').length === 2, 'the retry');
  assert.equal(socket.frames('chat:message')[1].id, id);
  socket.push({ type: 'ack', ref: id, data: { seq: 1 } });
  assert.deepEqual(await reply, { seq: 1 });
  client.close();
});

test('the token is refreshed in band before it expires', async () => {
  let issued = 0;
  const client = newClient({ getToken: async () => `token-${++issued}`, refreshAheadMs: 60000 });
  client.connect();
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'auth');
  const socket = FakeSocket.all[0];
  // Expires in 2.2 s: the refresh is due halfway, at least a second from now.
  socket.push(welcome({ tokenExpiresAt: Date.now() + 2200 }));
  await until(() => socket.frames('auth').length === 2, 'the refresh', 3000);
  assert.deepEqual(socket.frames('auth')[1], { type: 'auth', data: { token: 'token-2' } });
  assert.equal(FakeSocket.all.length, 1, 'on the same socket');
  client.close();
});

test('4003 ends the session for good; 4001 reconnects with a refreshed token', async () => {
  const asked = [];
  const client = newClient({ getToken: async (o) => { asked.push(Boolean(o?.refresh)); return 't'; } });
  client.connect().catch(() => {});
  await until(() => FakeSocket.all[0]?.sent.length === 1, 'auth');
  FakeSocket.all[0].push(welcome());
  FakeSocket.all[0].drop(4001);
  await until(() => FakeSocket.all.length === 2 && FakeSocket.all[1].sent.length === 1, 'reconnect');
  assert.deepEqual(asked, [false, true]);
  FakeSocket.all[1].push(welcome());
  await until(() => client.state === 'open', 'open');
  FakeSocket.all[1].drop(4003);
  await until(() => client.state === 'closed', 'closed');
  await tick(60);
  assert.equal(FakeSocket.all.length, 2, 'no reconnect after 4003');
});
