/*
 * socketlet demo: the shared canvas. Pointer Events give one code path for mouse, pen and
 * touch (several fingers draw several strokes). A stroke is drawn here at once and sent in
 * segments about 25 times a second; each segment starts where the previous one ended, so every
 * page can draw it on its own. Coordinates are fractions of the canvas (0..1) and widths are
 * thousandths of its width, so pages of any size show the same picture.
 *
 * The picture is the list of segments (window.socketlet.canvasStrokes): the server's history
 * when the connection opens, then every segment drawn here or received, until a clear. The list
 * is bounded like the server's history (its maxPoints, from the welcome): past it the oldest
 * segments are dropped from the list, though the pixels stay until the canvas is redrawn (a
 * resize), so a tab left open for days does not grow without end.
 */
(function () {
  'use strict';
  const demo = window.SocketletDemo;
  const FLUSH_MS = 40;
  const MAX_SEGMENT_POINTS = 128; // the server takes up to 256

  function clamp01(v) {
    return Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
  }

  demo.startCanvas = function (model, changed) {
    const canvas = document.getElementById('canvas');
    const ctx = canvas.getContext('2d');
    const overlay = document.getElementById('canvas-overlay');
    const clearButton = document.getElementById('canvas-clear');
    const presence = document.getElementById('canvas-presence');
    const note = document.getElementById('canvas-note');
    const widthInput = document.getElementById('canvas-width');
    const widthValue = document.getElementById('canvas-width-value');
    const colorInput = document.getElementById('canvas-color');
    const swatches = Array.prototype.slice.call(document.querySelectorAll('#canvas-swatches .swatch'));
    const defaultNote = note.textContent;

    /** The picture: segments {sid, color, width, points}, at most maxPoints points in all. */
    const strokes = [];
    let strokePoints = 0;
    /** Until the welcome says otherwise: the server's default history. */
    let maxPoints = 20000;
    /** Where this page is in the canvas's log: sent on reconnect, so the server replays only what we missed. */
    const position = new demo.LogPosition();
    /** Strokes being drawn here, by pointer id. */
    const active = new Map();
    let color = '#4f46e5';
    let nextSid = 1;
    let flushTimer = 0;

    // ---- drawing ----

    function resize() {
      const rect = canvas.getBoundingClientRect();
      const ratio = window.devicePixelRatio || 1;
      const w = Math.max(1, Math.round(rect.width * ratio));
      const h = Math.max(1, Math.round(rect.height * ratio));
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
        redraw();
      }
    }

    function draw(segment) {
      const w = canvas.width;
      const h = canvas.height;
      const lineWidth = Math.max(1, segment.width * w / 1000);
      const p = segment.points;
      ctx.strokeStyle = segment.color;
      ctx.fillStyle = segment.color;
      ctx.lineWidth = lineWidth;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      if (p.length === 1) {
        ctx.arc(p[0][0] * w, p[0][1] * h, lineWidth / 2, 0, 2 * Math.PI);
        ctx.fill();
        return;
      }
      ctx.moveTo(p[0][0] * w, p[0][1] * h);
      for (let i = 1; i < p.length; i++) {
        ctx.lineTo(p[i][0] * w, p[i][1] * h);
      }
      ctx.stroke();
    }

    /** Adds a segment to the picture and drops the oldest past maxPoints (the newest always stays). */
    function keep(segment) {
      strokes.push(segment);
      strokePoints += segment.points.length;
      let dropped = 0;
      while (strokes.length > 1 && strokePoints > maxPoints) {
        strokePoints -= strokes.shift().points.length;
        dropped++;
      }
      model.canvasInfo.pageTrimmed += dropped;
    }

    function forgetAll() {
      strokes.length = 0;
      strokePoints = 0;
    }

    function redraw() {
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      strokes.forEach(draw);
    }

    // ---- drawing here, sent as segments ----

    function startStroke(pointerId, point) {
      const stroke = { sid: 's' + nextSid++, color: color, width: Number(widthInput.value), anchor: null, pending: [point] };
      active.set(pointerId, stroke);
      draw({ color: stroke.color, width: stroke.width, points: [point] });
      if (!flushTimer) flushTimer = setInterval(flushAll, FLUSH_MS);
      return stroke;
    }

    function extendStroke(stroke, point) {
      const last = stroke.pending.length ? stroke.pending[stroke.pending.length - 1] : stroke.anchor;
      if (last && last[0] === point[0] && last[1] === point[1]) return;
      if (last) draw({ color: stroke.color, width: stroke.width, points: [last, point] });
      stroke.pending.push(point);
      if (stroke.pending.length >= MAX_SEGMENT_POINTS) flush(stroke);
    }

    /** Sends what was drawn since the last segment; the segment starts at the previous one's end. */
    function flush(stroke) {
      if (!stroke.pending.length) return;
      const points = stroke.anchor ? [stroke.anchor].concat(stroke.pending) : stroke.pending.slice();
      const segment = { type: 'stroke', sid: stroke.sid, color: stroke.color, width: stroke.width, points: points };
      if (socket.sendJson(segment)) {
        keep({ sid: 'me.' + stroke.sid, color: stroke.color, width: stroke.width, points: points, mine: true });
      }
      stroke.anchor = points[points.length - 1];
      stroke.pending = [];
    }

    function flushAll() {
      active.forEach(flush);
      if (!active.size) {
        clearInterval(flushTimer);
        flushTimer = 0;
      }
    }

    function endStroke(pointerId) {
      const stroke = active.get(pointerId);
      if (!stroke) return;
      flush(stroke);
      active.delete(pointerId);
      changed();
    }

    function pointOf(event) {
      const rect = canvas.getBoundingClientRect();
      return [clamp01((event.clientX - rect.left) / rect.width), clamp01((event.clientY - rect.top) / rect.height)];
    }

    canvas.addEventListener('pointerdown', function (event) {
      if (!socket.isOpen || (event.pointerType === 'mouse' && event.button !== 0)) return;
      event.preventDefault();
      try {
        canvas.setPointerCapture(event.pointerId);
      } catch (e) {
        // a synthetic event without an active pointer: drawing still works inside the canvas
      }
      startStroke(event.pointerId, pointOf(event));
    });
    canvas.addEventListener('pointermove', function (event) {
      const stroke = active.get(event.pointerId);
      if (!stroke) return;
      const coalesced = typeof event.getCoalescedEvents === 'function' ? event.getCoalescedEvents() : [];
      (coalesced.length ? coalesced : [event]).forEach(function (e) {
        extendStroke(stroke, pointOf(e));
      });
    });
    ['pointerup', 'pointercancel', 'lostpointercapture'].forEach(function (type) {
      canvas.addEventListener(type, function (event) {
        endStroke(event.pointerId);
      });
    });

    /** Draws a stroke as if by hand: points are [x, y] fractions of the canvas. For tests and the console. */
    function drawStroke(points, options) {
      const o = options || {};
      if (!socket.isOpen || !points || !points.length) return false;
      const saved = { color: color, width: widthInput.value };
      if (o.color) color = o.color;
      if (o.width) widthInput.value = String(o.width);
      const id = 'api-' + nextSid;
      const stroke = startStroke(id, [clamp01(points[0][0]), clamp01(points[0][1])]);
      for (let i = 1; i < points.length; i++) {
        extendStroke(stroke, [clamp01(points[i][0]), clamp01(points[i][1])]);
      }
      endStroke(id);
      color = saved.color;
      widthInput.value = saved.width;
      return true;
    }

    // ---- tools ----

    function choose(newColor, chosen) {
      color = newColor;
      swatches.forEach(function (s) { s.setAttribute('aria-checked', String(s === chosen)); });
      colorInput.classList.toggle('chosen', chosen === colorInput);
      model.canvasTool.color = color;
    }
    swatches.forEach(function (swatch) {
      swatch.addEventListener('click', function () { choose(swatch.dataset.color, swatch); });
    });
    colorInput.addEventListener('input', function () { choose(colorInput.value, colorInput); });
    widthInput.addEventListener('input', function () {
      widthValue.textContent = widthInput.value;
      model.canvasTool.width = Number(widthInput.value);
    });
    clearButton.addEventListener('click', function () {
      socket.sendJson({ type: 'clear' }); // cleared here too when the server says so, like everywhere else
    });

    // ---- the server ----

    function showNote(text, warn) {
      note.textContent = text;
      note.classList.toggle('warn', !!warn);
    }

    function trimmedNote(trimmed, maxPoints) {
      return 'The server keeps the newest ' + maxPoints.toLocaleString() + ' points for pages opened later: '
          + trimmed.toLocaleString() + ' older segment' + (trimmed === 1 ? ' was' : 's were') + ' dropped from its history.';
    }

    function received(data) {
      let m;
      try {
        m = JSON.parse(data);
      } catch (e) {
        return;
      }
      const info = model.canvasInfo;
      if (m.type === 'welcome') {
        position.welcome(m);
      } else if (m.type === 'history') {
        position.last = m.offset || position.last; // the picture as of that offset replaces ours
      } else if (!position.accept(m)) {
        return; // replayed, and drawn already
      }
      info.offset = position.last;
      switch (m.type) {
        case 'welcome':
          info.id = m.id;
          info.count = m.count;
          info.limits = m.limits;
          info.resumed = !!m.resumed;
          if (m.resumed) {
            info.resumes++;
            model.connections.canvas.welcomed = true; // no history follows: what we missed is replayed
          }
          if (m.limits && m.limits.historyPoints > 0) maxPoints = m.limits.historyPoints;
          Object.assign(model.connections.canvas, {
            protocol: m.protocol, subprotocol: m.subprotocol, extensions: m.extensions, server: m.server
          });
          break;
        case 'history':
          // The server's picture replaces ours: after a reconnect it may have moved on (or restarted).
          if (m.maxPoints > 0) maxPoints = m.maxPoints;
          forgetAll();
          (m.segments || []).forEach(keep);
          active.forEach(function (stroke) { stroke.anchor = null; });
          redraw();
          info.historySegments = strokes.length;
          info.trimmed = m.trimmed;
          info.maxPoints = m.maxPoints;
          info.histories++;
          model.connections.canvas.welcomed = true;
          showNote(m.trimmed > 0 ? trimmedNote(m.trimmed, m.maxPoints) : defaultNote, m.trimmed > 0);
          break;
        case 'stroke':
          keep(m);
          draw(m);
          info.received++;
          break;
        case 'clear':
          forgetAll();
          redraw();
          info.clears++;
          info.trimmed = 0;
          showNote(m.id === info.id ? 'You cleared the canvas for everyone.' : 'Someone cleared the canvas.', false);
          break;
        case 'trimmed':
          info.trimmed = m.trimmed;
          showNote(trimmedNote(m.trimmed, m.maxPoints) + ' Your page still shows them.', true);
          break;
        case 'presence':
          info.count = m.count;
          break;
        case 'error':
          showNote('Server: ' + m.error, true);
          break;
        default:
          break;
      }
      presence.textContent = info.count === 1 ? 'only you here' : info.count + ' people here';
      changed();
    }

    const socket = new demo.ReconnectingSocket('canvas', {
      onMessage: received,
      // After a reconnect the page is a new member; "was" tells the server which strokes of the
      // replay are its own (drawn here already), so they are not drawn twice.
      query: function () {
        const q = position.query();
        if (model.canvasInfo.id) q.was = model.canvasInfo.id;
        return q;
      },
      onChange: function () {
        const open = socket.isOpen;
        clearButton.disabled = !open;
        overlay.hidden = open;
        overlay.textContent = socket.state === 'reconnecting' ? 'Offline: ' + socket.describe() + '…' : 'Connecting…';
        if (!open) {
          active.forEach(function (stroke, id) { active.delete(id); });
          presence.textContent = 'offline';
        }
        changed();
      }
    });

    model.canvasTool = { color: color, width: Number(widthInput.value) };
    Object.defineProperty(model, 'canvasStrokes', { enumerable: true, get: function () { return strokes; } });
    model.drawStroke = drawStroke;
    model.clearCanvas = function () { return socket.sendJson({ type: 'clear' }); };

    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(resize).observe(canvas);
    } else {
      window.addEventListener('resize', resize);
    }
    resize();
    return socket.start();
  };
})();
