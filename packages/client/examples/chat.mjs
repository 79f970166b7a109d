// A minimal Parley chat client on Node: log in over REST, connect the socket, print what arrives,
// send one message and show that a resend with the same clientId is stored once.
//
//   npm install @parley/client ws
//   node chat.mjs http://127.0.0.1:8080 <login> <password> <conversation id> [text]
//
// A direct conversation's id is `dm:<user id>:<user id>` (the two ids sorted), a group's
// `g:<group id>`; `rest.conversations()` lists yours. The last line printed is a JSON summary.
import { ParleyClient, createRest } from '@parley/client';
import WebSocket from 'ws';

const [server, login, password, conversation, text = 'hello from @parley/client'] = process.argv.slice(2);
if (!server || !login || !password || !conversation) {
  console.error('usage: node chat.mjs <server url> <login> <password> <conversation id> [text]');
  process.exit(2);
}

const rest = createRest({ baseUrl: server });
const { user } = await rest.login({ login, password, device: 'chat example' });
console.log(`logged in as ${user.username} (${user.id})`);

const client = new ParleyClient({
  urls: [`${server.replace(/^http/, 'ws')}/ws`],
  // Called on every (re)connect: a real app would refresh an expired session here.
  token: () => rest.token,
  WebSocket,
});
client.on('state', (s) => console.log(`state: ${s}`));
// Every entry of every conversation, exactly once and in seq order, live or caught up by sync.
client.on('message', (e) => console.log(`[${e.conversation} #${e.seq}] ${e.sender}: ${e.text ?? `(${e.kind})`}`));
client.on('unauthorized', ({ code }) => console.error(`the server refused the session (${code}): log in again`));

await client.connect();

// The clientId makes the send idempotent: the client resends it after a reconnect until it is
// acknowledged, and the server stores it once however often it arrives.
const clientId = `example-${Date.now().toString(36)}`;
const ack = await client.send({ to: conversation, kind: 'text', text, clientId });
console.log(`ack: stored as #${ack.seq} (${ack.id})`);

// The same clientId over REST answers the original ack instead of storing a second message.
const again = await rest.send(conversation, { clientId, kind: 'text', text });
console.log(`resent over REST: #${again.seq} (${again.id === ack.id ? 'the same message' : 'a NEW message?!'})`);

const page = await rest.history(conversation, { after: ack.seq - 1 });
client.close();
console.log(JSON.stringify({ ack, again, history: page.items.map((e) => ({ seq: e.seq, text: e.text })) }));
