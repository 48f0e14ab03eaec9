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
  var PNG_DATA_URL = 'data:image/png;base64,';
  var state = {
    room: null, source: null, nodes: new Map(), pendingId: null, image: null,
    options: null, estimates: new Map(), estimateSeq: 0, estimateTimer: null,
  };
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
    }).then(answerOf).then(function (body) {
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
    // The requester's mention on a delivery or failure (SORA_NOTIFY; /sora settings notify off).
    if (message.mention && (message.kind === 'result' || message.kind === 'failure')) {
      node.classList.add('mentions');
      node.appendChild(h('div', 'mention', '@' + message.mention));
    }
    if (message.kind === 'status') renderStatus(node, message, textLines);
    else if (message.kind === 'result') renderResult(node, message, textLines, entry.media);
    else if (message.kind === 'usage') renderUsage(node, message);
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
    if (message.phase !== 'failed' && message.phase !== 'deleted' && message.phase !== 'cancelled' && message.phase !== 'approval') {
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

  // The chart arrives as a PNG data: URL built by the server from the image bytes; nothing else is shown.
  function renderUsage(node, message) {
    node.appendChild(h('div', 'title', message.title));
    var chart = message.chart;
    if (chart && typeof chart.src === 'string' && chart.src.indexOf(PNG_DATA_URL) === 0) {
      var img = h('img', 'usage-chart');
      img.alt = String(chart.alt);
      img.title = String(chart.filename);
      // The chart grows the reply once decoded: keep the newest message in view.
      img.addEventListener('load', function () { var log = $('log'); log.scrollTop = log.scrollHeight; });
      img.src = chart.src;
      node.appendChild(img);
    }
    node.appendChild(lines(message.lines));
  }

  function renderActions(actions) {
    var bar = h('div', 'actions');
    actions.forEach(function (action) {
      var button = h('button', 'action action-' + action.kind.replace('_', '-'), action.label);
      button.type = 'button';
      button.addEventListener('click', function () {
        if (action.kind === 'remix') toggleRemixForm(bar, action.jobId);
        else if (action.kind === 'delete') send('delete ' + action.jobId, null, newId());
        else if (action.kind === 'approve' || action.kind === 'deny') decide(action);
        // Cancel, Retry and Again: the core decides whether this name may, and acts once.
        else if (action.kind === 'cancel' || action.kind === 'retry' || action.kind === 'again') decide(action);
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
  function send(text, image, clientId, options) {
    return post('commands', { text: text, name: userName(), clientId: clientId, image: image, options: options || {} });
  }

  // A button that acts on a job (Approve, Deny, Cancel, Retry, Again): the core decides whether this name may.
  function decide(action) {
    return post('actions', { name: userName(), action: { kind: action.kind, jobId: action.jobId } });
  }

  function post(what, body) {
    return fetch('/playground/rooms/' + encodeURIComponent(state.room) + '/' + what, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    }).then(function (res) {
      return answerOf(res).then(function (answer) {
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
    send(text, state.image, state.pendingId, selectedOptions()).then(function (ok) {
      if (!ok) return;
      state.pendingId = null;
      if (input.value.trim() === text) input.value = '';
      clearImage();
      updateEstimate();
    });
  }

  // ---- new-video options and their cost ------------------------------------------------------------
  function loadOptions() {
    return fetch('/playground/options').then(function (res) { return res.json(); }).then(function (body) {
      state.options = body;
      fillSelect($('opt-model'), body.models.map(function (m) { return [m.model, m.model]; }), body.defaultModel);
      fillModelChoices();
      $('create-options').hidden = false;
      updateEstimate();
    }).catch(function () {});
  }

  function modelInfo(model) {
    var models = state.options ? state.options.models : [];
    for (var i = 0; i < models.length; i++) if (models[i].model === model) return models[i];
    return null;
  }

  function fillSelect(select, choices, value) {
    select.textContent = '';
    choices.forEach(function (choice) {
      var option = h('option', null, choice[1]);
      option.value = choice[0];
      select.appendChild(option);
    });
    var known = choices.some(function (choice) { return choice[0] === value; });
    select.value = known ? value : (choices[0] ? choices[0][0] : '');
  }

  function sizeLabel(size) {
    var wh = size.split('x');
    return size + (Number(wh[0]) > Number(wh[1]) ? ' landscape' : ' portrait');
  }

  // Sizes and lengths follow the model; a choice the new model also has is kept.
  function fillModelChoices() {
    var info = modelInfo($('opt-model').value);
    if (!info) return;
    fillSelect($('opt-size'), info.sizes.map(function (s) { return [s, sizeLabel(s)]; }), $('opt-size').value || info.defaultSize);
    fillSelect($('opt-seconds'), info.seconds.map(function (s) { return [s, s + ' s']; }), $('opt-seconds').value || info.defaultSeconds);
  }

  // The selects moved away from the chosen model's defaults: the server puts them in front of a prompt
  // that does not set them itself (a default select sends nothing, so an image can decide the frame).
  function selectedOptions() {
    if (!state.options) return {};
    var model = $('opt-model').value;
    var info = modelInfo(model) || modelInfo(state.options.defaultModel);
    var chosen = {};
    if (model !== state.options.defaultModel) chosen.model = model;
    if (info && $('opt-size').value !== info.defaultSize) chosen.size = $('opt-size').value;
    if (info && $('opt-seconds').value !== info.defaultSeconds) chosen.seconds = $('opt-seconds').value;
    return chosen;
  }

  function scheduleEstimate() {
    clearTimeout(state.estimateTimer);
    state.estimateTimer = setTimeout(updateEstimate, 150);
  }

  // The bot's own grammar reads the text (GET /playground/estimate with text=): a command gets no
  // price, a prompt the price of what it would make, and the selects it sets itself are greyed out.
  function updateEstimate() {
    if (!state.options) return;
    var out = $('estimate');
    var text = $('command').value;
    var query = new URLSearchParams({
      model: $('opt-model').value, size: $('opt-size').value, seconds: $('opt-seconds').value, text: text,
    }).toString();
    var seq = ++state.estimateSeq;
    var cached = state.estimates.get(query);
    var answer = cached ? Promise.resolve(cached) : fetch('/playground/estimate?' + query).then(function (res) {
      return res.json().then(function (body) {
        var reading = body.reading || { kind: 'prompt', set: {} };
        var result = reading.kind !== 'prompt'
          ? { ok: true, text: '', set: {} }
          : body.estimate
            ? { ok: true, text: body.estimate.text, set: reading.set }
            : { ok: false, text: body.error ? body.error.message : 'No estimate for these options.', set: reading.set };
        if (state.estimates.size > 200) state.estimates.clear();
        state.estimates.set(query, result);
        return result;
      });
    });
    answer.then(function (result) {
      if (seq !== state.estimateSeq) return;
      [['seconds', 'opt-seconds'], ['size', 'opt-size'], ['model', 'opt-model']].forEach(function (pair) {
        var select = $(pair[1]);
        select.disabled = Boolean(result.set[pair[0]]);
        select.title = select.disabled ? 'Set by the command you typed' : '';
      });
      out.textContent = result.text;
      out.classList.toggle('problem', !result.ok);
    }).catch(function () {
      if (seq === state.estimateSeq) out.textContent = '';
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

  // The token link (/?token=...) has already set the cookie: take the secret out of the address bar
  // and the history, where it could be copied or shared.
  function forgetTokenInUrl() {
    var params = new URLSearchParams(location.search);
    if (!params.has('token')) return;
    params.delete('token');
    var query = params.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + location.hash);
  }

  // An answer's text for the person: the JSON error's message, or the plain line of a refusal.
  function answerOf(res) {
    return res.text().then(function (text) {
      try { return JSON.parse(text); } catch (e) { return { error: { message: text.trim() || 'Request failed.' } }; }
    });
  }

  function start() {
    forgetTokenInUrl();
    var name = $('name');
    name.value = localStorage.getItem(NAME_KEY) || '';
    userName();
    name.addEventListener('change', function () { localStorage.setItem(NAME_KEY, name.value.trim()); userName(); });
    $('command').addEventListener('input', function () { state.pendingId = null; scheduleEstimate(); });
    $('opt-model').addEventListener('change', function () { fillModelChoices(); updateEstimate(); });
    $('opt-size').addEventListener('change', updateEstimate);
    $('opt-seconds').addEventListener('change', updateEstimate);
    $('composer').addEventListener('submit', submitCommand);
    $('new-room').addEventListener('submit', createRoom);
    $('image').addEventListener('change', pickImage);
    $('attachment-clear').addEventListener('click', clearImage);
    window.addEventListener('hashchange', openRoom);
    openRoom();
    loadOptions();
    $('command').focus();
  }

  start();
})();
`;
