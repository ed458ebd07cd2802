// The contract of issue 12 as a page writes it, type-checked against dist/wsroute.d.ts by
// build.mjs (tsc --noEmit): a change to the declarations that breaks it fails the build.
import { connect, type CloseInfo, type ReconnectInfo, type Socket, type State } from '../../dist/wsroute.js';

declare function fetchToken(): Promise<string>;

export async function usage(): Promise<void> {
  const ws: Socket = connect('/chat/room1/', { autoReconnect: true, shared: false, token: () => fetchToken() });
  const onMessage = (m: { type: string }) => console.log(m.type);
  ws.on('open', () => console.log('open'))
    .on('message', onMessage)
    .on('close', (e: CloseInfo) => console.log(e.code, e.reason))
    .on('error', (e: Error) => console.log(e.message))
    .on('reconnecting', (e: ReconnectInfo) => console.log(e.attempt, e.delay))
    .on('msg', (m: { from: string }) => console.log(m.from));
  ws.off('message', onMessage);
  ws.send({ body: 'hi' });
  ws.send('text');
  ws.send(new Uint8Array([1]));
  const reply = await ws.request<{ sum: number }>({ type: 'sum', a: 1, b: 2 }, { timeout: 5000 });
  const sum: number = reply.sum;
  const connected: boolean = ws.connected;
  const state: State = ws.state;
  console.log(sum, connected, state);
  ws.close(1000, 'bye');
  connect('wss://example.com/x/', {
    token: 'abc',
    reconnectDelay: 500,
    maxReconnectDelay: 20000,
    maxReconnectAttempts: Infinity,
    requestTimeout: 5000,
    bufferLimit: 10,
  }).close();
}
