/**
 * Rooms in the page script: the room list, creating a room, and the event stream of the open room
 * (its history, then each new or changed entry).
 *
 * A fragment of PAGE_SCRIPT (page-script.ts), not a module: the browser gets one script, so
 * the fragments share the closure's scope and may call each other's functions.
 */
export const ROOMS_SCRIPT = `
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
`;
