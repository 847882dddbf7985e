/*
 * socketlet demo: the echo console. Sends text, or a blob of random bytes of a chosen size, to
 * the echo endpoint, which returns each message unchanged; shows the round-trip time and checks
 * that what came back is what went out. Echoes come back in order, so a queue of what was sent
 * pairs each answer with its question.
 */
(function () {
  'use strict';
  const demo = window.SocketletDemo;
  const ui = demo.ui;
  const MAX_BYTES = 16 * 1024 * 1024; // the echo endpoint's maxMessageSize
  const MAX_LOG = 60;

  function randomBytes(n) {
    const data = new Uint8Array(n);
    // getRandomValues fills at most 65536 bytes a call.
    for (let i = 0; i < n; i += 65536) {
      crypto.getRandomValues(data.subarray(i, Math.min(n, i + 65536)));
    }
    return data;
  }

  function sameBytes(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (a[i] !== b[i]) return false;
    }
    return true;
  }

  demo.startEcho = function (model, changed) {
    const log = document.getElementById('echo-log');
    const rttLabel = document.getElementById('echo-rtt');
    const textInput = document.getElementById('echo-text');
    const sizeInput = document.getElementById('echo-size');
    const buttons = [document.getElementById('echo-send'), document.getElementById('echo-send-binary')];
    let pending = [];

    function line(className, text) {
      ui.append(log, ui.el('li', className, text), MAX_LOG);
    }

    function sendText(text) {
      const t0 = performance.now();
      if (!socket.send(text)) return false;
      pending.push({ kind: 'text', text: text, t0: t0 });
      line('', '→ text "' + (text.length > 60 ? text.slice(0, 60) + '…' : text) + '"');
      return true;
    }

    function sendBinary(size) {
      const n = Math.max(0, Math.min(MAX_BYTES, Math.floor(size)));
      const data = randomBytes(n);
      const t0 = performance.now();
      if (!socket.send(data)) return false;
      pending.push({ kind: 'binary', data: data, t0: t0 });
      line('', '→ ' + ui.bytes(n) + ' of random bytes');
      return true;
    }

    function received(data) {
      const now = performance.now();
      const sent = pending.shift();
      const binary = typeof data !== 'string';
      const bytes = binary ? new Uint8Array(data) : null;
      if (!sent) {
        line('error', '← unexpected ' + (binary ? ui.bytes(bytes.length) + ' binary' : 'text'));
        return;
      }
      const rtt = now - sent.t0;
      const ok = binary ? sent.kind === 'binary' && sameBytes(sent.data, bytes)
                        : sent.kind === 'text' && sent.text === data;
      const size = binary ? bytes.length : new TextEncoder().encode(data).length;
      model.echoResults.push({ kind: binary ? 'binary' : 'text', bytes: size, rttMs: rtt, ok: ok });
      if (model.echoResults.length > 200) model.echoResults.shift();
      line(ok ? 'ok' : 'mismatch', '← ' + (binary ? ui.bytes(size) + ' binary' : 'text, ' + ui.bytes(size))
          + ' in ' + ui.ms(rtt));
      rttLabel.textContent = 'round trip: ' + ui.ms(rtt);
      changed();
    }

    const socket = new demo.ReconnectingSocket('echo', {
      binaryType: 'arraybuffer',
      onOpen: function () {
        pending = []; // whatever was in flight went down with the old connection
        const ws = socket.ws;
        model.connections.echo.protocol = '13'; // a browser speaks RFC 6455 only
        model.connections.echo.subprotocol = ws.protocol;
        model.connections.echo.extensions = ws.extensions ? [ws.extensions] : [];
        model.connections.echo.welcomed = true; // the echo says nothing first: open is ready
        changed();
      },
      onMessage: received,
      onChange: function () {
        buttons.forEach(function (b) { b.disabled = !socket.isOpen; });
        changed();
      }
    });

    document.getElementById('echo-form').addEventListener('submit', function (event) {
      event.preventDefault();
      if (!sendText(textInput.value)) line('error', 'not connected');
    });
    document.getElementById('echo-binary-form').addEventListener('submit', function (event) {
      event.preventDefault();
      const kib = Number(sizeInput.value);
      if (!Number.isFinite(kib) || kib < 0 || kib * 1024 > MAX_BYTES) {
        line('error', 'size: 0 to 16384 KiB');
        return;
      }
      if (!sendBinary(kib * 1024)) line('error', 'not connected');
    });

    model.echoText = sendText;
    model.echoBinary = sendBinary;
    return socket.start();
  };
})();
