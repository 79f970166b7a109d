import http from 'node:http';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * The bare baseline: a minimal `ws` server with no IM logic, i.e. what Node can do on this
 * machine. A client names itself and its groups in upgrade headers (`x-user`, `x-groups`).
 * A text frame is `<to>\n<payload>` where `<to>` is `u:<userId>` or `g:<groupId>`:
 * one-to-one forwards the frame to the addressed user's socket; group fan-out writes the same
 * Buffer to every other member's socket with a plain `send` per member.
 * Usage: node --import tsx bench/servers/bare-ws.ts  (PORT env, prints "ready <port>")
 */
const users = new Map<string, WebSocket>();
const groups = new Map<string, Set<WebSocket>>();

const server = http.createServer((_req, res) => {
  res.writeHead(200).end('ok');
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });

server.on('upgrade', (req, socket, head) => {
  const user = String(req.headers['x-user'] ?? '');
  if (!user) {
    socket.destroy();
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => {
    const mine = String(req.headers['x-groups'] ?? '')
      .split(',')
      .filter(Boolean);
    users.set(user, ws);
    for (const g of mine) {
      let set = groups.get(g);
      if (!set) groups.set(g, (set = new Set()));
      set.add(ws);
    }
    ws.on('message', (data: Buffer, isBinary) => {
      const nl = data.indexOf(10);
      if (nl < 3) return;
      const to = data.toString('latin1', 0, nl);
      if (to.startsWith('u:')) {
        users.get(to.slice(2))?.send(data, { binary: isBinary });
      } else if (to.startsWith('g:')) {
        const set = groups.get(to.slice(2));
        if (set) for (const peer of set) if (peer !== ws) peer.send(data, { binary: isBinary });
      }
    });
    ws.on('close', () => {
      if (users.get(user) === ws) users.delete(user);
      for (const g of mine) groups.get(g)?.delete(ws);
    });
    ws.on('error', () => {});
  });
});

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`ready ${typeof addr === 'object' && addr ? addr.port : ''}\n`);
});
process.on('SIGTERM', () => process.exit(0));
