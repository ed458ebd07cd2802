// client.mjs is the Node side of TestNodeWS (stream_test.go): Node's ws package, an
// implementation that shares no code with wsroute or gws, receives a wsroute server's
// compressed, batched stream and checks every message against the manifest the Go test
// wrote. Beside ws it reads the same TCP bytes with a frame parser of its own, to report
// what is on the wire: which messages were compressed (RSV1), the close frame, and any
// frame a server must not send.
//
//	node client.mjs MANIFEST.json
//
// It prints one line of JSON, the report, and exits 0; the Go test asserts on it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import WebSocket from 'ws';

const manifest = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// rawReader parses the server-to-client byte stream: the HTTP response, then frames.
class rawReader {
  constructor() {
    this.buf = Buffer.alloc(0);
    this.inHTTP = true;
    this.bytes = 0; // frame bytes after the HTTP response
    this.reads = 0;
    this.frames = 0;
    this.maxFramesPerRead = 0;
    this.compressed = []; // per data message: 1 when its first frame has RSV1
    this.wireSizes = []; // per data message: payload bytes on the wire, all its frames
    this.inMessage = false;
    this.close = null;
    this.problems = [];
  }

  toJSON() {
    const { buf, inHTTP, inMessage, ...rest } = this;
    return { ...rest, pending: buf.length };
  }

  problem(s) {
    if (this.problems.length < 10) this.problems.push(s);
  }

  feed(chunk) {
    this.reads++;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.inHTTP) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.buf = this.buf.subarray(end + 4);
      this.inHTTP = false;
    }
    let n = 0;
    for (;;) {
      const f = this.frame();
      if (!f) break;
      n++;
    }
    this.maxFramesPerRead = Math.max(this.maxFramesPerRead, n);
  }

  // frame takes one complete frame off the buffer, or returns false.
  frame() {
    const b = this.buf;
    if (b.length < 2) return false;
    const fin = (b[0] & 0x80) !== 0;
    const rsv1 = (b[0] & 0x40) !== 0;
    const rsv23 = b[0] & 0x30;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    let len = b[1] & 0x7f;
    let off = 2;
    if (len === 126) {
      if (b.length < 4) return false;
      len = b.readUInt16BE(2);
      off = 4;
      if (len < 126) this.problem(`frame ${this.frames}: length ${len} in the 16-bit form`);
    } else if (len === 127) {
      if (b.length < 10) return false;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) {
        this.problem(`frame ${this.frames}: length ${big}`);
        this.buf = Buffer.alloc(0);
        return false;
      }
      len = Number(big);
      off = 10;
      if (len < 65536) this.problem(`frame ${this.frames}: length ${len} in the 64-bit form`);
    }
    if (masked) off += 4;
    if (b.length < off + len) return false;
    const payload = b.subarray(off, off + len);
    this.buf = b.subarray(off + len);
    this.bytes += off + len;
    this.frames++;
    if (masked) this.problem(`frame ${this.frames - 1}: masked (a server must not mask)`);
    if (rsv23) this.problem(`frame ${this.frames - 1}: RSV2/RSV3 set`);
    if (opcode >= 8) {
      if (!fin || len > 125) this.problem(`control frame ${opcode}: fin ${fin}, length ${len}`);
      if (rsv1) this.problem(`control frame ${opcode} with RSV1`);
      if (opcode === 8) {
        this.close = len >= 2
          ? { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') }
          : { code: 1005, reason: '' };
      }
      return true;
    }
    if (opcode === 0) {
      if (!this.inMessage) this.problem(`frame ${this.frames - 1}: continuation outside a message`);
      if (rsv1) this.problem(`frame ${this.frames - 1}: RSV1 on a continuation frame`);
      this.wireSizes[this.wireSizes.length - 1] += len;
    } else {
      if (this.inMessage) this.problem(`frame ${this.frames - 1}: new message inside a fragmented one`);
      this.compressed.push(rsv1 ? 1 : 0);
      this.wireSizes.push(len);
    }
    this.inMessage = !fin;
    return true;
  }
}

const reports = [];

function runClient(index) {
  return new Promise((resolve) => {
    const stream = manifest.streams[index];
    let raw = new rawReader();
    const r = (reports[index] = {
      client: index,
      negotiated: '',
      extensions: '',
      received: 0,
      payloadBytes: 0,
      errors: [],
      close: null,
      raw,
    });
    const fail = (s) => {
      if (r.errors.length < 10) r.errors.push(s);
    };
    let socket;
    const ws = new WebSocket(`${manifest.url}?client=${index}`, {
      perMessageDeflate: true, // offers "permessage-deflate; client_max_window_bits", as browsers do
      maxPayload: 16 << 20,
      handshakeTimeout: 30000,
      createConnection(opts) {
        opts.path = opts.socketPath;
        socket = net.connect(opts);
        socket.on('data', (chunk) => raw.feed(chunk));
        return socket;
      },
    });
    ws.on('upgrade', (res) => {
      r.negotiated = res.headers['sec-websocket-extensions'] || '';
      // Node's HTTP client hands ws the bytes it read past the response, and ws puts
      // them back into the socket (unshift), so they are read a second time: start
      // again with the frames.
      raw = new rawReader();
      raw.inHTTP = false;
      r.raw = raw;
    });
    ws.on('open', () => {
      r.extensions = ws.extensions;
    });
    ws.on('message', (data, isBinary) => {
      const k = r.received++;
      const want = stream[k];
      if (!want) {
        fail(`message ${k}: not in the manifest (${data.length} bytes)`);
        return;
      }
      r.payloadBytes += data.length;
      const sum = createHash('sha256').update(data).digest('hex');
      if (isBinary !== want.binary || data.length !== want.len || sum !== want.sha256) {
        let seq = '';
        if (!isBinary) {
          const m = /"seq":(\d+)|^#(\d+)/.exec(data.subarray(0, 64).toString('utf8'));
          if (m) seq = ` (its seq is ${m[1] ?? m[2]})`;
        }
        fail(`message ${k}: want seq ${want.seq}, binary ${want.binary}, ${want.len} bytes, sha256 ${want.sha256.slice(0, 12)}; ` +
          `got binary ${isBinary}, ${data.length} bytes, sha256 ${sum.slice(0, 12)}${seq}`);
      }
      if (want.ack) {
        // A compressible pad, so that the server also inflates what a ws client deflates.
        ws.send(JSON.stringify({ type: 'ack', client: index, burst: want.burst, pad: 'ack '.repeat(400) }));
      }
    });
    ws.on('error', (err) => fail(`error: ${err.message}`));
    ws.on('close', (code, reason) => {
      r.close = { code, reason: reason.toString('utf8') };
      // Frames that arrived in the same read as the close were fed before ws emits
      // close, but let the socket's own events finish first.
      setImmediate(() => resolve(r));
    });
  });
}

const timer = setTimeout(() => {
  console.log(JSON.stringify({ node: process.version, error: `timeout after ${manifest.timeoutMs} ms`, clients: reports }));
  process.exit(0);
}, manifest.timeoutMs);

const clients = await Promise.all(manifest.streams.map((_, i) => runClient(i)));
clearTimeout(timer);
console.log(JSON.stringify({ node: process.version, clients }));
