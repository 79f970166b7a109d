import http from 'node:http';
import { Server } from 'socket.io';

/**
 * The Socket.IO baseline: the chat server a Node team would write with rooms. A client names
 * itself and its groups in the handshake `auth` ({user, groups}); it joins the room `u:<id>` and
 * one `g:<id>` room per group. `send {to, text}` emits `message` to the room `to` (the sender's
 * own socket excluded) and answers the sender through the acknowledgement callback.
 * Usage: node --import tsx bench/servers/socketio.ts  (PORT env, prints "ready <port>")
 */
const server = http.createServer();
const io = new Server(server, {
  transports: ['websocket'],
  perMessageDeflate: false,
  maxHttpBufferSize: 64 * 1024,
  serveClient: false,
});

io.on('connection', (socket) => {
  const auth = socket.handshake.auth as { user?: string; groups?: string[] };
  if (!auth.user) {
    socket.disconnect(true);
    return;
  }
  socket.join(`u:${auth.user}`);
  for (const g of auth.groups ?? []) socket.join(`g:${g}`);
  socket.on('send', (m: { to: string; text: string }, ack?: (r: unknown) => void) => {
    if (!m || typeof m.to !== 'string') return;
    socket.to(m.to).emit('message', { from: auth.user, to: m.to, text: m.text });
    if (typeof ack === 'function') ack({ ok: true });
  });
});

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`ready ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
});
process.on('SIGTERM', () => process.exit(0));
