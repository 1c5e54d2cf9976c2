#!/usr/bin/env node
// The stock socket.io-client, driven line by line, for SocketIoClientTest (and for trying the
// gateway's /socket.io/ endpoint by hand).
//
//   MESH_SIO_TOKEN=<jwt> node client.mjs --url http://localhost:8080 [--room <roomId>] [--scenario basic|resume|noauth]
//
// Options (each also as an environment variable): --url (MESH_SIO_URL), --token (MESH_SIO_TOKEN;
// prefer the variable: arguments are visible to every user of the machine), --room (MESH_SIO_ROOM:
// joined with an ack callback on the first welcome), --scenario (MESH_SIO_SCENARIO), --max-seconds
// (MESH_SIO_MAX_SECONDS, default 60: the client exits by itself after that).
//
// Scenarios: "basic" (default) connects once, no automatic reconnection; "resume" lets
// socket.io-client reconnect (short delays) and re-joins every joined room with sinceSeq on each
// new welcome; "noauth" connects without an auth payload.
//
// stdout: one JSON object per line for everything observed:
//   {"kind":"connect","sid":…}                       {"kind":"connect_error","message":…,"data":…}
//   {"kind":"disconnect","reason":…}                  {"kind":"reconnect_attempt","attempt":n}
//   {"kind":"event","event":"chat:message","args":[{topic,seq,data}],"dup":false}
//   {"kind":"emit","event":…,"data":…,"ack":true}     (what this client sent, also for re-joins)
//   {"kind":"ack","event":…,"id":<data.id>,"reply":{type,ref,data|code,message}}
//   {"kind":"ack_error","event":…,"id":…,"message":…} (no ack in time, or disconnected meanwhile)
//   {"kind":"rejoin","roomId":…,"sinceSeq":…}         {"kind":"ready"} {"kind":"exit","reason":…}
//   {"kind":"bad_command","line":…,"message":…}
// stdin: one JSON command per line:
//   {"emit":"chat:message","data":{"roomId":…,"content":…,"id":…},"ack":true}  (id added if missing)
//   {"emit":"chat:message","data":{…},"binary":true}   (adds a binary attachment: refused by the gateway)
//   {"join":"<roomId>"}                                (chat:join with ack, sinceSeq when known)
//   {"auth":"<fresh token>"}                           (token refresh; also used by later reconnects)
//   {"close":true}                                     (disconnect and exit)
// The client exits when stdin closes, on {"close":true}, or after --max-seconds.

import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string", default: process.env.MESH_SIO_URL ?? "http://localhost:8080" },
    token: { type: "string", default: process.env.MESH_SIO_TOKEN },
    room: { type: "string", default: process.env.MESH_SIO_ROOM },
    scenario: { type: "string", default: process.env.MESH_SIO_SCENARIO ?? "basic" },
    "max-seconds": { type: "string", default: process.env.MESH_SIO_MAX_SECONDS ?? "60" },
    "ack-timeout-ms": { type: "string", default: process.env.MESH_SIO_ACK_TIMEOUT_MS ?? "30000" },
  },
  strict: true,
});

const SCENARIOS = ["basic", "resume", "noauth"];
if (!SCENARIOS.includes(opts.scenario)) {
  process.stderr.write(`unknown scenario ${opts.scenario}; one of ${SCENARIOS.join(", ")}\n`);
  process.exit(2);
}
const resume = opts.scenario === "resume";
const ackTimeoutMs = Number(opts["ack-timeout-ms"]);
let token = opts.token;

function out(object) {
  // Writes to a pipe are synchronous on Linux and macOS, so nothing is lost at exit.
  process.stdout.write(JSON.stringify(object) + "\n");
}

// What a real client keeps to resume: the rooms it joined and the last seq it saw per topic.
const joinedRooms = new Set();
const lastSeq = new Map();
const topicOf = (roomId) => `chat:room:${roomId}`;

const socket = io(opts.url, {
  transports: ["websocket"], // the gateway has no long-polling (no sticky sessions behind the balancer)
  // A function, so every (re)connection sends the current token, also after an in-band refresh.
  auth: opts.scenario === "noauth" ? undefined : (cb) => cb({ token }),
  reconnection: resume,
  reconnectionDelay: 200,
  reconnectionDelayMax: 2000,
  randomizationFactor: 0.3,
  timeout: 10000,
});

function emit(event, data, { ack = true, binary = false } = {}) {
  const payload = { ...data };
  if (payload.id === undefined) {
    payload.id = randomUUID(); // the idempotency key: reuse it when retrying the same command
  }
  out({ kind: "emit", event, data: payload, ack, binary });
  if (binary) {
    payload.attachment = Buffer.from([1, 2, 3]);
  }
  if (!ack) {
    socket.emit(event, payload);
    return;
  }
  socket.timeout(ackTimeoutMs).emit(event, payload, (err, reply) => {
    if (err) {
      out({ kind: "ack_error", event, id: payload.id, message: err.message });
      return;
    }
    out({ kind: "ack", event, id: payload.id, reply });
    if (event === "chat:join" && reply?.type === "ack") {
      joinedRooms.add(payload.roomId);
      const topic = topicOf(payload.roomId);
      // Without sinceSeq the ack's snapshot brings us up to lastSeq; with sinceSeq the missed
      // events came before the ack, unless the server could not recover them (then page over HTTP).
      if (payload.sinceSeq === undefined || reply.data?.recovered === true) {
        const seq = reply.data?.lastSeq;
        if (typeof seq === "number" && seq > (lastSeq.get(topic) ?? 0)) {
          lastSeq.set(topic, seq);
        }
      }
    }
  });
}

function join(roomId) {
  const since = lastSeq.get(topicOf(roomId));
  emit("chat:join", since === undefined ? { roomId } : { roomId, sinceSeq: since });
}

let welcomes = 0;

socket.on("connect", () => out({ kind: "connect", sid: socket.id, recovered: socket.recovered }));
socket.on("connect_error", (err) => out({ kind: "connect_error", message: err.message, data: err.data ?? null }));
socket.on("disconnect", (reason, details) =>
  out({ kind: "disconnect", reason, description: details?.description?.message ?? details?.description ?? null }));
socket.io.on("reconnect_attempt", (attempt) => out({ kind: "reconnect_attempt", attempt }));
socket.io.on("reconnect", (attempt) => out({ kind: "reconnected", attempt }));

socket.onAny((event, ...args) => {
  const first = args[0];
  let dup = false;
  if (first && typeof first.topic === "string" && typeof first.seq === "number") {
    const seen = lastSeq.get(first.topic) ?? 0;
    dup = first.seq <= seen; // a real client drops these; we report them so the test can see them
    if (!dup) {
      lastSeq.set(first.topic, first.seq);
    }
  }
  out({ kind: "event", event, args, dup });

  if (event === "welcome") {
    welcomes += 1;
    if (welcomes === 1 && opts.room) {
      join(opts.room);
    } else if (welcomes > 1) {
      for (const roomId of joinedRooms) {
        out({ kind: "rejoin", roomId, sinceSeq: lastSeq.get(topicOf(roomId)) ?? null });
        join(roomId);
      }
    }
  } else if (event === "resync") {
    const topic = first?.data?.topic;
    const roomId = typeof topic === "string" && topic.startsWith("chat:room:") ? topic.slice("chat:room:".length) : null;
    if (roomId) {
      out({ kind: "rejoin", roomId, sinceSeq: lastSeq.get(topic) ?? null });
      join(roomId);
    }
  }
});

if (resume) {
  // A server-side DISCONNECT packet ("io server disconnect") is the one case socket.io-client does
  // not reconnect by itself; a drain closes the transport instead, which it does reconnect.
  socket.on("disconnect", (reason) => {
    if (reason === "io server disconnect") {
      setTimeout(() => socket.connect(), 500);
    }
  });
}

let exiting = false;
function exit(reason, code = 0) {
  if (exiting) {
    return;
  }
  exiting = true;
  out({ kind: "exit", reason });
  socket.disconnect();
  setTimeout(() => process.exit(code), 50);
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim() === "") {
    return;
  }
  let command;
  try {
    command = JSON.parse(line);
  } catch (e) {
    out({ kind: "bad_command", line, message: e.message });
    return;
  }
  if (command.close) {
    exit("close command");
  } else if (typeof command.emit === "string") {
    emit(command.emit, command.data ?? {}, { ack: command.ack !== false, binary: command.binary === true });
  } else if (typeof command.join === "string") {
    join(command.join);
  } else if (typeof command.auth === "string") {
    token = command.auth;
    socket.emit("auth", { token });
    out({ kind: "emit", event: "auth", data: { token: "<redacted>" }, ack: false });
  } else {
    out({ kind: "bad_command", line, message: "expected emit, join, auth or close" });
  }
});
lines.on("close", () => exit("stdin closed"));

setTimeout(() => exit(`no more than ${opts["max-seconds"]} s`), Number(opts["max-seconds"]) * 1000).unref();
out({ kind: "ready", url: opts.url, scenario: opts.scenario });
