/*
 * socketlet demo: a WebSocket that comes back by itself.
 *
 * The browser's WebSocket, once closed, stays closed. ReconnectingSocket opens a new one after
 * each close, waiting longer after each failed try ("exponential backoff": 0.5 s, 1 s, 2 s ... up
 * to 15 s) and a random part of that ("jitter"), so that a restarted server is not hit by every
 * open page in the same millisecond. A successful open starts the count again.
 */
(function () {
  'use strict';

  /** The ws:// or wss:// URL of an endpoint beside this page, whatever the context path. */
  function endpointUrl(path) {
    const url = new URL(path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.hash = '';
    return url.href;
  }

  const noop = function () {};

  class ReconnectingSocket {
    /**
     * @param {string} path relative to the page, e.g. 'chat'
     * @param {object} options onOpen(ws), onMessage(data), onChange(this), binaryType,
     *                 baseDelay and maxDelay in ms, query() giving parameters for each new
     *                 connection's URL (e.g. the offset to resume from)
     */
    constructor(path, options) {
      const o = options || {};
      this.name = path;
      this.url = endpointUrl(path);
      this.binaryType = o.binaryType || 'blob';
      this.onOpen = o.onOpen || noop;
      this.onMessage = o.onMessage || noop;
      this.onChange = o.onChange || noop;
      this.query = o.query || function () { return {}; };
      this.baseDelay = o.baseDelay || 500;
      this.maxDelay = o.maxDelay || 15000;
      /** 'connecting' | 'open' | 'reconnecting' */
      this.state = 'connecting';
      /** Failed tries since the last open. */
      this.attempt = 0;
      /** Opens after the first one. */
      this.reconnects = 0;
      this.opens = 0;
      this.retryAt = 0;
      this.lastClose = null;
      this.ws = null;
      this.timer = 0;
    }

    start() {
      this.connect();
      // Back on the network: no reason to sit out the rest of the wait.
      window.addEventListener('online', () => this.reconnectNow());
      // A page kept in the back/forward cache must not stay in the room: close on the way out,
      // reconnect when it is shown again.
      window.addEventListener('pagehide', (event) => {
        if (event.persisted) this.suspend();
      });
      window.addEventListener('pageshow', (event) => {
        if (event.persisted) this.connect();
      });
      return this;
    }

    /** Closes without retrying (the page is leaving); connect() starts again. */
    suspend() {
      clearTimeout(this.timer);
      const ws = this.ws;
      this.ws = null;
      if (ws) ws.close(1001, 'page hidden');
    }

    get isOpen() {
      return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
    }

    /** Sends if open; returns whether it did. */
    send(data) {
      if (!this.isOpen) {
        return false;
      }
      this.ws.send(data);
      return true;
    }

    sendJson(message) {
      return this.send(JSON.stringify(message));
    }

    /** Skips the rest of the wait before the next try. */
    reconnectNow() {
      if (this.state === 'reconnecting') {
        clearTimeout(this.timer);
        this.connect();
      }
    }

    connect() {
      this.setState('connecting');
      let ws;
      try {
        const url = new URL(this.url);
        const params = this.query() || {};
        Object.keys(params).forEach(function (key) {
          if (params[key] !== null && params[key] !== undefined) url.searchParams.set(key, String(params[key]));
        });
        ws = new WebSocket(url.href);
      } catch (e) {
        this.lastClose = { code: 0, reason: String(e && e.message || e), wasClean: false };
        this.retry();
        return;
      }
      ws.binaryType = this.binaryType;
      this.ws = ws;
      ws.onopen = () => {
        if (this.ws !== ws) return;
        if (this.opens++ > 0) this.reconnects++;
        this.attempt = 0;
        this.setState('open');
        this.onOpen(ws);
      };
      ws.onmessage = (event) => {
        if (this.ws === ws) this.onMessage(event.data);
      };
      ws.onerror = noop; // the close event follows, with the code
      ws.onclose = (event) => {
        if (this.ws !== ws) return;
        this.ws = null;
        this.lastClose = { code: event.code, reason: event.reason, wasClean: event.wasClean };
        this.retry();
      };
    }

    retry() {
      this.attempt++;
      const ceiling = Math.min(this.maxDelay, this.baseDelay * Math.pow(2, this.attempt - 1));
      const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
      this.retryAt = Date.now() + delay;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.connect(), delay);
      this.setState('reconnecting');
    }

    setState(state) {
      this.state = state;
      this.onChange(this);
    }

    /** A human description of the state, e.g. 'reconnecting in 3 s (try 2)', or 'retry in 3 s' when short. */
    describe(short) {
      if (this.state === 'reconnecting') {
        const seconds = Math.max(0, Math.ceil((this.retryAt - Date.now()) / 1000));
        return short ? 'retry in ' + seconds + ' s' : 'reconnecting in ' + seconds + ' s (try ' + (this.attempt + 1) + ')';
      }
      return this.state;
    }
  }

  /** Small DOM helpers. Text always goes in through textContent, never as HTML. */
  const ui = {
    el(tag, className, text) {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined && text !== null) node.textContent = text;
      return node;
    },

    /** Appends to a log list, keeps at most max items, and follows the end unless the reader scrolled up. */
    append(list, item, max) {
      const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 24;
      list.appendChild(item);
      while (list.children.length > max) list.removeChild(list.firstChild);
      if (atEnd) list.scrollTop = list.scrollHeight;
    },

    bytes(n) {
      if (n < 1024) return n + ' B';
      if (n < 1024 * 1024) return +(n / 1024).toFixed(1) + ' KiB';
      return +(n / 1024 / 1024).toFixed(2) + ' MiB';
    },

    ms(value) {
      return value < 10 ? value.toFixed(2) + ' ms' : value < 100 ? value.toFixed(1) + ' ms' : Math.round(value) + ' ms';
    }
  };

  /**
   * A room's log position, e.g. '1700000000000-42', as two numbers; compare(a, b) < 0 when a came
   * first. Null or malformed offsets come before every other.
   */
  const offsets = {
    parse(text) {
      const m = /^(\d+)-(\d+)$/.exec(text || '');
      return m ? [Number(m[1]), Number(m[2])] : null;
    },
    compare(a, b) {
      const x = offsets.parse(a);
      const y = offsets.parse(b);
      if (!x || !y) return x ? 1 : y ? -1 : 0;
      return x[0] !== y[0] ? x[0] - y[0] : x[1] - y[1];
    }
  };

  /**
   * Where a page is in a room's log: the offset of the last event it applied. A reconnect sends
   * it (?after=), and the server replays what came after; an event at or before it is one the
   * page has already, and is skipped.
   */
  class LogPosition {
    constructor() {
      this.last = null;
    }

    /** For the next connection's URL. */
    query() {
      return { after: this.last };
    }

    /**
     * The welcome of a new connection. Resumed: the server replays what came after our offset.
     * Not resumed (we are new, missed too much, or reached a node that has not yet read as far
     * as we had): it sends its recent state, and what of it is at or before our offset we have
     * already. Offsets only grow, across server restarts too (an in-memory log starts at the
     * start time, a Redis stream id at the current time), so ours is never from a log "ahead".
     */
    welcome(message) {
      // nothing to change: accept() skips what we have
    }

    /** Whether the event is new; if so, it becomes the last one. Events without an offset are always new. */
    accept(message) {
      if (!message.offset) return true;
      if (this.last && offsets.compare(message.offset, this.last) <= 0) return false;
      this.last = message.offset;
      return true;
    }
  }

  window.SocketletDemo = window.SocketletDemo || {};
  window.SocketletDemo.offsets = offsets;
  window.SocketletDemo.LogPosition = LogPosition;
  window.SocketletDemo.ui = ui;
  window.SocketletDemo.endpointUrl = endpointUrl;
  window.SocketletDemo.ReconnectingSocket = ReconnectingSocket;
})();
