/*
 * socketlet demo: starts the three connections and keeps the header and the connections table
 * up to date.
 *
 * window.socketlet is the page's state, readable from a test (Selenium) or the console:
 *   state            {echo, chat, canvas}: 'connecting' | 'open' | 'reconnecting'
 *   ready            true when all three are open and chat and canvas have had their welcome
 *   connections      per endpoint: url, state, protocol, subprotocol, extensions, server, reconnects, attempt,
 *                    lastClose {code, reason, wasClean}, welcomed
 *   chatMessages     [{kind: 'message'|'notice'|'error', id, name, text, time, self}]
 *   chatPresence     {count, names}; chatName, chatId: this page's name and id in the room
 *   canvasStrokes    the picture: [{sid, color, width, points: [[x, y], ...]}], x and y from 0 to 1
 *   canvasInfo       {id, count, trimmed, maxPoints, historySegments, histories, received, clears,
 *                    pageTrimmed (segments this page dropped from canvasStrokes past maxPoints),
 *                    offset (the last event applied, sent as ?after= on reconnect), resumed, resumes}
 *   chatOffset       the chat's last applied offset (sent as ?after= on reconnect)
 *   echoResults      [{kind: 'text'|'binary', bytes, rttMs, ok}]
 * and actions: sendChat(text), setName(name), echoText(text), echoBinary(bytes),
 *   drawStroke([[x, y], ...], {color, width}), clearCanvas(), reconnectNow().
 */
(function () {
  'use strict';
  const demo = window.SocketletDemo;
  const NAMES = ['canvas', 'chat', 'echo'];

  const model = {
    state: { canvas: 'connecting', chat: 'connecting', echo: 'connecting' },
    connections: {},
    chatMessages: [],
    chatPresence: { count: 0, names: [] },
    chatName: null,
    chatId: null,
    canvasInfo: { id: null, count: 0, trimmed: 0, maxPoints: 0, historySegments: 0, histories: 0, received: 0, clears: 0,
                  pageTrimmed: 0, offset: null, resumed: false, resumes: 0 },
    chatOffset: null,
    echoResults: [],
    /** All three open, and chat and canvas have had their welcome (and the canvas its history). */
    get ready() {
      return NAMES.every(function (n) { return model.state[n] === 'open' && model.connections[n].welcomed; });
    }
  };
  NAMES.forEach(function (n) {
    model.connections[n] = { url: demo.endpointUrl(n), state: 'connecting', protocol: '', subprotocol: '',
                             extensions: [], server: '', reconnects: 0, attempt: 0, lastClose: null,
                             welcomed: false };
  });
  window.socketlet = model;

  const sockets = {};
  let scheduled = false;

  function text(id, value) {
    const node = document.getElementById(id);
    if (node && node.textContent !== value) node.textContent = value;
  }

  /** Copies the sockets' state into the model: at once, so a test never reads a stale state. */
  function sync() {
    NAMES.forEach(function (n) {
      const socket = sockets[n];
      if (!socket) return;
      const c = model.connections[n];
      c.state = socket.state;
      c.reconnects = socket.reconnects;
      c.attempt = socket.attempt;
      c.lastClose = socket.lastClose;
      if (socket.state !== 'open') c.welcomed = false; // a new connection gets a new welcome
      model.state[n] = socket.state;
    });
  }

  function render() {
    scheduled = false;
    let server = '';
    let anyWaiting = false;
    NAMES.forEach(function (n) {
      const socket = sockets[n];
      if (!socket) return;
      const c = model.connections[n];
      const open = socket.state === 'open';
      anyWaiting = anyWaiting || socket.state === 'reconnecting';
      let described = socket.describe();
      if (socket.state === 'reconnecting' && socket.lastClose && socket.lastClose.code) {
        described += ', closed with ' + socket.lastClose.code;
      }
      document.getElementById('pill-' + n).dataset.state = socket.state;
      text(n + '-state', socket.describe(true));
      text('conn-' + n + '-url', c.url);
      text('conn-' + n + '-state', described);
      text('conn-' + n + '-protocol', open && c.protocol ? (c.protocol === '13' ? '13 (RFC 6455)' : c.protocol) : '–');
      text('conn-' + n + '-subprotocol', open ? c.subprotocol || 'none' : '–');
      text('conn-' + n + '-extensions', open ? (c.extensions && c.extensions.length ? c.extensions.join(', ') : 'none') : '–');
      text('conn-' + n + '-reconnects', String(socket.reconnects));
      server = server || c.server;
    });
    text('server-info', server || 'a Servlet container');
    document.getElementById('reconnect-now').hidden = !anyWaiting;
    document.documentElement.dataset.ready = String(model.ready);
  }

  /** Modules call this after any change: the model at once, the page once per frame at most. */
  function changed() {
    sync();
    if (!scheduled) {
      scheduled = true;
      // A hidden tab gets no animation frames; the timeout draws it anyway, a little later.
      requestAnimationFrame(render);
      setTimeout(function () { if (scheduled) render(); }, 250);
    }
  }

  model.reconnectNow = function () {
    NAMES.forEach(function (n) { if (sockets[n]) sockets[n].reconnectNow(); });
  };
  document.getElementById('reconnect-now').addEventListener('click', model.reconnectNow);

  sockets.canvas = demo.startCanvas(model, changed);
  sockets.chat = demo.startChat(model, changed);
  sockets.echo = demo.startEcho(model, changed);

  // The countdowns of sockets waiting to reconnect.
  setInterval(function () {
    NAMES.forEach(function (n) {
      const socket = sockets[n];
      if (socket && socket.state === 'reconnecting') socket.onChange(socket);
    });
  }, 1000);
  changed();
  render();
})();
