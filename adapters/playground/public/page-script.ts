/**
 * The playground's one script (served as /playground/app.js; the CSP allows only same-origin
 * scripts). Plain browser JavaScript, no build step. Every string from the server is set with
 * textContent or as an attribute value: prompts and names are data, never markup.
 */
export const PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var NAME_KEY = 'sora-playground-name';
  var DEFAULT_ROOM = 'lobby';
  var ROOM_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;
  var MAX_IMAGE_BYTES = 20 * 1024 * 1024;
  var state = { room: null, source: null, nodes: new Map(), pendingId: null, image: null };
  var $ = function (id) { return document.getElementById(id); };

  function h(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function newId() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join('');
  }

  function userName() {
    var input = $('name');
    var name = input.value.trim();
    if (!name) {
      name = 'guest-' + newId().slice(0, 4);
      input.value = name;
      localStorage.setItem(NAME_KEY, name);
    }
    return name;
  }

  // Text with backtick spans (the bot writes commands and ids that way): <code> nodes, text only.
  function inline(parent, text) {
    String(text).split('\x60').forEach(function (part, i) {
      if (!part) return;
      parent.appendChild(i % 2 === 1 ? h('code', null, part) : document.createTextNode(part));
    });
    return parent;
  }

  function lines(texts) {
    var box = h('div', 'lines');
    texts.forEach(function (line, i) {
      if (i > 0) box.appendChild(document.createTextNode('\n'));
      inline(box, line);
    });
    return box;
  }

  function currentRoom() {
    var fromHash = decodeURIComponent(location.hash.replace(/^#/, ''));
    if (ROOM_PATTERN.test(fromHash)) return fromHash;
    var fromQuery = new URLSearchParams(location.search).get('room');
    return fromQuery && ROOM_PATTERN.test(fromQuery) ? fromQuery : DEFAULT_ROOM;
  }

  // ---- rooms -------------------------------------------------------------------------------------
  function loadRooms() {
    return fetch('/playground/rooms').then(function (res) { return res.json(); }).then(function (body) {
      var list = $('room-list');
      list.textContent = '';
      var ids = body.rooms.map(function (r) { return r.id; });
      if (ids.indexOf(state.room) < 0) ids.push(state.room);
      ids.forEach(function (id) {
        var link = h('a', null, '# ' + id);
        link.href = '#' + encodeURIComponent(id);
        if (id === state.room) link.setAttribute('aria-current', 'page');
        var item = h('li');
        item.appendChild(link);
        list.appendChild(item);
      });
    }).catch(function () {});
  }

  function createRoom(event) {
    event.preventDefault();
    var input = $('new-room-name');
    fetch('/playground/rooms', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: input.value }),
    }).then(function (res) { return res.json(); }).then(function (body) {
      if (body.room) { input.value = ''; location.hash = encodeURIComponent(body.room.id); }
      else showPrivate({ message: { kind: 'notice', tone: 'warning' }, text: body.error.message });
    });
  }

  function openRoom() {
    var room = currentRoom();
    if (room === state.room && state.source) return;
    if (state.source) state.source.close();
    state.room = room;
    state.nodes = new Map();
    $('room-title').textContent = '# ' + room;
    $('log').textContent = '';
    setConnection('connecting…');
    loadRooms();
    var source = new EventSource('/playground/rooms/' + encodeURIComponent(room) + '/events');
    state.source = source;
    source.addEventListener('open', function () { setConnection('live'); });
    source.addEventListener('error', function () { setConnection('reconnecting…'); });
    source.addEventListener('history', function (event) {
      var body = JSON.parse(event.data);
      $('log').textContent = '';
      state.nodes = new Map();
      if (body.entries.length === 0)
        $('log').appendChild(h('li', 'empty', 'Nothing here yet. Type /sora followed by what to film, or /sora help.'));
      body.entries.forEach(upsert);
      setConnection('live');
    });
    source.addEventListener('entry', function (event) { upsert(JSON.parse(event.data)); });
  }

  function setConnection(text) { $('connection').textContent = text; }

  // ---- messages ----------------------------------------------------------------------------------
  function upsert(entry) {
    var log = $('log');
    var empty = log.querySelector('.empty');
    if (empty) empty.remove();
    var stick = log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    var node = renderEntry(entry, false);
    var old = state.nodes.get(entry.ref);
    if (old) old.replaceWith(node); else log.appendChild(node);
    state.nodes.set(entry.ref, node);
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function showPrivate(reply) {
    var log = $('log');
    log.appendChild(renderEntry(reply, true));
    log.scrollTop = log.scrollHeight;
  }

  function renderEntry(entry, isPrivate) {
    var message = entry.message;
    var node = h('li', 'msg msg-' + message.kind + (message.tone ? ' tone-' + message.tone : ''));
    if (entry.ref) node.dataset.ref = entry.ref;
    if (message.job) node.dataset.job = message.job.id;
    if (isPrivate) {
      node.classList.add('private');
      node.appendChild(h('div', 'private-tag', 'Only you can see this'));
    }
    var textLines = String(entry.text).split('\n');
    if (message.kind === 'status') renderStatus(node, message, textLines);
    else if (message.kind === 'result') renderResult(node, message, textLines, entry.media);
    else node.appendChild(lines(textLines));
    var actions = message.actions || [];
    if (actions.length && !(message.kind === 'result' && !entry.media)) node.appendChild(renderActions(actions));
    return node;
  }

  function renderStatus(node, message, textLines) {
    node.dataset.phase = message.phase;
    node.dataset.progress = String(message.progress);
    node.appendChild(h('div', 'title', textLines[0]));
    node.appendChild(inline(h('div', 'meta'), textLines[1] || ''));
    if (message.phase !== 'failed' && message.phase !== 'deleted') {
      var bar = h('progress');
      bar.max = 100;
      if (message.phase !== 'queued' && message.phase !== 'submitting') bar.value = message.progress;
      node.appendChild(bar);
    }
    node.appendChild(h('div', 'phase', textLines.slice(2).join(' ')));
  }

  function renderResult(node, message, textLines, media) {
    var title = h('div', 'title', textLines[0]);
    if (message.job.remixOf) title.appendChild(h('span', 'remix-badge', 'Remix of ' + message.job.remixOf));
    node.appendChild(title);
    if (media) {
      var video = h('video');
      video.controls = true;
      video.preload = 'metadata';
      video.playsInline = true;
      if (media.thumbnail) video.poster = media.thumbnail;
      video.src = media.video;
      node.appendChild(video);
    }
    node.appendChild(inline(h('div', 'meta'), textLines.slice(1).join(' · ')));
  }

  function renderActions(actions) {
    var bar = h('div', 'actions');
    actions.forEach(function (action) {
      var button = h('button', 'action action-' + action.kind.replace('_', '-'), action.label);
      button.type = 'button';
      button.addEventListener('click', function () {
        if (action.kind === 'remix') toggleRemixForm(bar, action.jobId);
        else if (action.kind === 'delete') send('delete ' + action.jobId, null, newId());
        else send('list --page ' + action.page + (action.all ? ' --all' : ''), null, newId());
      });
      bar.appendChild(button);
    });
    return bar;
  }

  function toggleRemixForm(bar, jobId) {
    var existing = bar.parentNode.querySelector('.remix-form');
    if (existing) { existing.remove(); return; }
    var form = h('form', 'remix-form');
    var input = h('input');
    input.placeholder = 'What should change? e.g. make it night time';
    input.required = true;
    input.setAttribute('aria-label', 'Remix prompt');
    var go = h('button', null, 'Remix it');
    go.type = 'submit';
    form.appendChild(input);
    form.appendChild(go);
    var id = newId();
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      send('remix ' + jobId + ' ' + input.value, null, id).then(function (ok) { if (ok) form.remove(); });
    });
    bar.parentNode.insertBefore(form, bar.nextSibling);
    input.focus();
  }

  // ---- sending -----------------------------------------------------------------------------------
  function send(text, image, clientId) {
    var body = { text: text, name: userName(), clientId: clientId, image: image };
    return fetch('/playground/rooms/' + encodeURIComponent(state.room) + '/commands', {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(function (answer) {
        if (!res.ok) {
          showPrivate({ message: { kind: 'notice', tone: 'error' }, text: answer.error ? answer.error.message : 'Request failed.' });
          return false;
        }
        if (answer.kind === 'reply') showPrivate(answer.reply);
        return true;
      });
    }).catch(function () {
      showPrivate({ message: { kind: 'notice', tone: 'error' }, text: 'The bot is not answering; is it still running?' });
      return false;
    });
  }

  function submitCommand(event) {
    event.preventDefault();
    var input = $('command');
    var text = input.value.trim();
    if (!text) return;
    // One id per composed message: a double click or a retry after a network error makes one job.
    if (!state.pendingId) state.pendingId = newId();
    send(text, state.image, state.pendingId).then(function (ok) {
      if (!ok) return;
      state.pendingId = null;
      if (input.value.trim() === text) input.value = '';
      clearImage();
    });
  }

  function pickImage() {
    var file = $('image').files[0];
    if (!file) return clearImage();
    if (file.size > MAX_IMAGE_BYTES) {
      clearImage();
      showPrivate({ message: { kind: 'notice', tone: 'warning' }, text: 'Images can be at most 20 MB.' });
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      var data = String(reader.result);
      state.image = { filename: file.name, contentType: file.type || null, base64: data.slice(data.indexOf(',') + 1) };
      state.pendingId = null;
      $('attachment-name').textContent = file.name;
      $('attachment').hidden = false;
    };
    reader.readAsDataURL(file);
  }

  function clearImage() {
    state.image = null;
    $('image').value = '';
    $('attachment').hidden = true;
    $('attachment-name').textContent = '';
  }

  function start() {
    var name = $('name');
    name.value = localStorage.getItem(NAME_KEY) || '';
    userName();
    name.addEventListener('change', function () { localStorage.setItem(NAME_KEY, name.value.trim()); userName(); });
    $('command').addEventListener('input', function () { state.pendingId = null; });
    $('composer').addEventListener('submit', submitCommand);
    $('new-room').addEventListener('submit', createRoom);
    $('image').addEventListener('change', pickImage);
    $('attachment-clear').addEventListener('click', clearImage);
    window.addEventListener('hashchange', openRoom);
    openRoom();
    $('command').focus();
  }

  start();
})();
`;
