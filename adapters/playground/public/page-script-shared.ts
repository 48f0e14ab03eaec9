/**
 * The page script's shared ground: its constants, the one `state` object, and the DOM helpers
 * (`$`, `h`, `inline`, `lines`) every other fragment builds with, so none of them touches markup.
 *
 * A fragment of PAGE_SCRIPT (page-script.ts), not a module: the browser gets one script, so
 * the fragments share the closure's scope and may call each other's functions.
 */
export const SHARED_SCRIPT = String.raw`
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
`;
