/*
 * socketlet demo: the chat room. Joins with the name kept in this browser (or a guest name) as
 * soon as the connection opens, again after every reconnect. Messages appear when the server
 * sends them back to everyone, so what you see is what the others see. Every piece of text from
 * the server goes in through textContent: a name like <b>x</b> shows as typed.
 */
(function () {
  'use strict';
  const demo = window.SocketletDemo;
  const ui = demo.ui;
  const MAX_LOG = 200;
  const NAME_KEY = 'socketlet.name';

  function storedName() {
    try {
      return localStorage.getItem(NAME_KEY);
    } catch (e) {
      return null; // storage disabled: a guest name each time
    }
  }

  function storeName(name) {
    try {
      localStorage.setItem(NAME_KEY, name);
    } catch (e) {
      // not kept; no harm
    }
  }

  function clock(ms) {
    const d = new Date(ms);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  demo.startChat = function (model, changed) {
    const log = document.getElementById('chat-log');
    const nameInput = document.getElementById('chat-name');
    const joinButton = document.getElementById('chat-join');
    const textInput = document.getElementById('chat-text');
    const sendButton = document.getElementById('chat-send');
    const countLabel = document.getElementById('chat-count');
    const namesLabel = document.getElementById('chat-names');

    let wantedName = storedName() || 'guest-' + String(Math.floor(1000 + Math.random() * 9000));
    nameInput.value = wantedName;
    let myId = null;
    /** Every id this page had (one per connection): its messages from before a reconnect are its own too. */
    const myIds = new Set();
    let wasOpen = false;
    /** Where this page is in the room's log: sent on reconnect, so the server replays only what we missed. */
    const position = new demo.LogPosition();
    /** Who has joined, id -> name, in joining order: the welcome's list, then each change. */
    const members = new Map();

    function remember(entry) {
      model.chatMessages.push(entry);
      if (model.chatMessages.length > 500) model.chatMessages.shift();
    }

    function notice(text, className) {
      remember({ kind: className || 'notice', text: text, time: Date.now() });
      ui.append(log, ui.el('li', className || 'notice', text), MAX_LOG);
    }

    /**
     * The server sends the list of who is here once, in the welcome, and then only who joined,
     * renamed or left: the page keeps the list.
     */
    function updatePresence(m) {
      switch (m.type) {
        case 'welcome':
          members.clear();
          (m.members || []).forEach(function (member) { members.set(member.id, member.name); });
          break;
        case 'joined':
        case 'renamed':
          members.set(m.id, m.name); // a rename keeps its place in the list
          break;
        case 'left':
          members.delete(m.id);
          break;
        default:
          return;
      }
      const names = Array.from(members.values());
      model.chatPresence = { count: names.length, names: names };
      countLabel.textContent = String(names.length);
      namesLabel.textContent = names.join(' · ');
    }

    function showMessage(m) {
      const self = myIds.has(m.id);
      remember({ kind: 'message', id: m.id, name: m.name, text: m.text, time: m.time, self: self });
      const item = ui.el('li', 'msg' + (self ? ' self' : ''));
      item.dataset.id = String(m.id);
      item.appendChild(ui.el('span', 'who', m.name));
      item.appendChild(ui.el('span', 'text', m.text));
      const time = ui.el('time', null, clock(m.time));
      time.dateTime = new Date(m.time).toISOString();
      item.appendChild(time);
      ui.append(log, item, MAX_LOG);
    }

    function setMyName(name) {
      model.chatName = name;
      nameInput.value = name;
      joinButton.textContent = 'Rename';
    }

    function received(data) {
      let m;
      try {
        m = JSON.parse(data);
      } catch (e) {
        notice('The server sent something that is not JSON', 'error');
        return;
      }
      if (m.type === 'welcome') {
        position.welcome(m);
      } else if (!position.accept(m)) {
        return; // replayed, and shown already
      }
      model.chatOffset = position.last;
      switch (m.type) {
        case 'welcome':
          myId = m.id;
          myIds.add(m.id);
          model.chatId = m.id;
          Object.assign(model.connections.chat, {
            protocol: m.protocol, subprotocol: m.subprotocol, extensions: m.extensions, server: m.server, welcomed: true
          });
          updatePresence(m);
          socket.sendJson({ type: 'join', name: wantedName });
          break;
        case 'joined':
          updatePresence(m);
          if (m.id === myId) {
            setMyName(m.name);
            notice('You joined as ' + m.name);
          } else {
            notice(m.name + ' joined');
          }
          break;
        case 'renamed':
          updatePresence(m);
          if (m.id === myId) {
            setMyName(m.name);
            notice('You are now ' + m.name);
          } else {
            notice(m.from + ' is now ' + m.name);
          }
          break;
        case 'left':
          updatePresence(m);
          notice(m.name + ' left' + (m.reason === 'node gone' ? ' (their server stopped answering)' : ''));
          break;
        case 'message':
          showMessage(m);
          break;
        case 'error':
          notice(m.error, 'error');
          break;
        default:
          break; // a newer server may say more; ignore what we do not know
      }
      changed();
    }

    const socket = new demo.ReconnectingSocket('chat', {
      onMessage: received,
      query: function () { return position.query(); },
      onOpen: function () {
        wasOpen = true;
      },
      onChange: function () {
        const open = socket.isOpen;
        joinButton.disabled = !open;
        sendButton.disabled = !open;
        if (socket.state === 'reconnecting' && wasOpen) {
          wasOpen = false;
          myId = null;
          notice('Disconnected' + (socket.lastClose && socket.lastClose.code ? ' (' + socket.lastClose.code
              + (socket.lastClose.reason ? ': ' + socket.lastClose.reason : '') + ')' : '') + ': reconnecting…');
        }
        changed();
      }
    });

    function setName(name) {
      const clean = String(name).trim();
      if (!clean) return false;
      wantedName = clean;
      storeName(clean);
      return socket.sendJson({ type: 'join', name: clean });
    }

    function say(text) {
      const clean = String(text).trim();
      if (!clean) return false;
      return socket.sendJson({ type: 'say', text: clean });
    }

    document.getElementById('chat-name-form').addEventListener('submit', function (event) {
      event.preventDefault();
      if (!nameInput.value.trim()) {
        notice('A name needs at least one visible character', 'error');
        return;
      }
      setName(nameInput.value);
    });
    document.getElementById('chat-form').addEventListener('submit', function (event) {
      event.preventDefault();
      if (say(textInput.value)) {
        textInput.value = '';
      }
      textInput.focus();
    });

    model.sendChat = say;
    model.setName = setName;
    return socket.start();
  };
})();
