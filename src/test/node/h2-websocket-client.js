'use strict';
// A raw RFC 8441 client (WebSocket over one HTTP/2 stream) on Node's built-in http2 module, no
// npm dependency: it sends what a test tells it to, byte for byte, and reports everything it got.
//
//   node h2-websocket-client.js < plan.json      (the plan on standard input)
//
// plan: {
//   url: "http://127.0.0.1:8080" (h2c, prior knowledge) or "https://localhost:8443" (TLS, ALPN h2),
//   ca: "/path/cert.pem"            trusted certificate for https (the test's self-signed one),
//   path: "/echo",
//   headers: {"origin": "..."}      added to (or, with a null value, removed from) the defaults:
//                                    sec-websocket-version 13,
//   steps: [                         run in order:
//     {text: "hi"} | {binary: "hex"} sends one masked frame (fin, the opcode given)
//     {raw: "hex"}                   sends bytes as they are (an unmasked frame, a bad opcode ...)
//     {close: 1000, reason: "bye"}   sends a masked close frame
//     {read: 2}                      waits until 2 frames in all have arrived (5 s at most)
//     {waitEnd: 5000}                waits until the server ends or resets the stream
//     {reset: 8}                     resets the stream with that HTTP/2 error code (8 = CANCEL)
//     {endStream: true}              ends our side of the stream
//     {sleep: 200}
//   ]
// }
// Prints one JSON line: {enableConnectProtocol, status, headers, frames: [{fin, rsv, opcode, text,
// hex, code, reason}], end: "end" | "reset <code>" | "open", error}.

const http2 = require('http2');
const fs = require('fs');
const crypto = require('crypto');

const plan = JSON.parse(fs.readFileSync(0, 'utf8'));
const result = { enableConnectProtocol: null, status: null, headers: {}, frames: [], end: 'open', error: null };
let finished = false;

function finish() {
  if (finished) return;
  finished = true;
  // Exit only once the line is out: a pipe takes a large write asynchronously.
  process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
}
setTimeout(() => { result.error = result.error || 'client timed out'; finish(); }, plan.timeoutMs || 20000);

function frame(opcode, payload) {
  const mask = crypto.randomBytes(4);
  const len = payload.length;
  let head;
  if (len < 126) {
    head = Buffer.from([0x80 | opcode, 0x80 | len]);
  } else if (len < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode; head[1] = 0x80 | 126; head.writeUInt16BE(len, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(len), 2);
  }
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i] ^ mask[i & 3];
  return Buffer.concat([head, mask, masked]);
}

// Frames from the server, parsed as they come, whatever the DATA frame boundaries.
let pending = Buffer.alloc(0);
function parse() {
  for (;;) {
    if (pending.length < 2) return;
    const b0 = pending[0], b1 = pending[1];
    let len = b1 & 0x7f, at = 2;
    if (len === 126) { if (pending.length < 4) return; len = pending.readUInt16BE(2); at = 4; }
    else if (len === 127) { if (pending.length < 10) return; len = Number(pending.readBigUInt64BE(2)); at = 10; }
    const masked = (b1 & 0x80) !== 0;
    if (masked) at += 4;
    if (pending.length < at + len) return;
    let payload = pending.subarray(at, at + len);
    if (masked) {
      const key = pending.subarray(at - 4, at);
      payload = Buffer.from(payload.map((b, i) => b ^ key[i & 3]));
    }
    const f = { fin: (b0 & 0x80) !== 0, rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, length: len };
    if (f.opcode === 1) f.text = payload.toString('utf8');
    else f.hex = payload.toString('hex');
    if (f.opcode === 8 && len >= 2) { f.code = payload.readUInt16BE(0); f.reason = payload.subarray(2).toString('utf8'); }
    result.frames.push(f);
    pending = pending.subarray(at + len);
    wake();
  }
}

let waiter = null;
function wake() { if (waiter) { const w = waiter; waiter = null; w(); } }
function until(condition, ms, what) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const check = () => {
      if (condition()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out waiting for ' + what));
      waiter = check;
      setTimeout(() => { if (waiter === check) { waiter = null; check(); } }, 50);
    };
    check();
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const options = {};
  if (plan.url.startsWith('https:')) {
    options.ca = plan.ca ? fs.readFileSync(plan.ca) : undefined;
    options.servername = 'localhost';
  }
  const session = http2.connect(plan.url, options);
  session.on('error', (e) => { result.error = result.error || ('session: ' + e.message); finish(); });
  await new Promise((resolve) => session.once('remoteSettings', resolve));
  result.enableConnectProtocol = session.remoteSettings.enableConnectProtocol === true;
  if (!result.enableConnectProtocol) { result.error = 'server did not send SETTINGS_ENABLE_CONNECT_PROTOCOL'; finish(); return; }

  const headers = {
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': plan.url.startsWith('https:') ? 'https' : 'http',
    ':path': plan.path,
    ':authority': new URL(plan.url).host,
    'sec-websocket-version': '13',
  };
  for (const [name, value] of Object.entries(plan.headers || {})) {
    if (value === null) delete headers[name]; else headers[name] = value;
  }
  const stream = session.request(headers, { endStream: false });
  stream.on('response', (h) => {
    result.status = h[':status'];
    for (const [k, v] of Object.entries(h)) if (!k.startsWith(':')) result.headers[k] = v;
    wake();
  });
  stream.on('data', (chunk) => { pending = Buffer.concat([pending, chunk]); parse(); });
  stream.on('end', () => { if (result.end === 'open') result.end = 'end'; wake(); });
  stream.on('close', () => {
    if (result.end === 'open' || stream.rstCode) {
      result.end = stream.rstCode ? 'reset ' + stream.rstCode : 'end';
    }
    wake();
  });
  stream.on('error', (e) => { result.streamError = e.message; wake(); });

  await until(() => result.status !== null || result.end !== 'open', 5000, 'the response');
  if (result.status !== 200) {
    // A refusal: the body says why.
    let body = '';
    stream.setEncoding('utf8');
    stream.removeAllListeners('data');
    stream.on('data', (c) => { body += c; });
    await until(() => result.end !== 'open', 3000, 'the refusal body').catch(() => {});
    result.body = body;
    session.close();
    finish();
    return;
  }

  for (const step of plan.steps || []) {
    if (step.text !== undefined) stream.write(frame(1, Buffer.from(step.text, 'utf8')));
    else if (step.binary !== undefined) stream.write(frame(2, Buffer.from(step.binary, 'hex')));
    else if (step.raw !== undefined) stream.write(Buffer.from(step.raw, 'hex'));
    else if (step.close !== undefined) {
      const reason = Buffer.from(step.reason || '', 'utf8');
      const payload = Buffer.alloc(2 + reason.length);
      payload.writeUInt16BE(step.close, 0);
      reason.copy(payload, 2);
      stream.write(frame(8, payload));
    } else if (step.read !== undefined) await until(() => result.frames.length >= step.read, step.ms || 5000, step.read + ' frames');
    else if (step.waitEnd !== undefined) await until(() => result.end !== 'open', step.waitEnd, 'the stream to end');
    else if (step.reset !== undefined) { stream.close(step.reset); await sleep(100); }
    else if (step.endStream) stream.end();
    else if (step.sleep !== undefined) await sleep(step.sleep);
  }
  session.close();
  finish();
}

main().catch((e) => { result.error = e.message; finish(); });
