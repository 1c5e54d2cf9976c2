// The Socket.IO 4 baseline of mesh-bench: the Socket.IO tutorial's chat server (every
// "chat message" goes to everyone with io.emit), websocket transport only, on loopback.
// Protocol with the benchmark: one line "@@ {json}" with the port; each stdin line is a
// request answered with one such line; stdin closing stops the server.
const { createServer } = require('node:http');
const { Server } = require('socket.io');
const readline = require('node:readline');

const server = createServer();
const io = new Server(server, { transports: ['websocket'], serveClient: false });

io.on('connection', (socket) => {
  socket.on('chat message', (msg) => {
    io.emit('chat message', msg);
  });
});

server.listen(0, '127.0.0.1', () => {
  console.log('@@ ' + JSON.stringify({ port: server.address().port }));
});

const version = require('socket.io/package.json').version;
const lines = readline.createInterface({ input: process.stdin });
lines.on('line', () => console.log('@@ ' + JSON.stringify({ ok: true, version })));
lines.on('close', () => process.exit(0));
