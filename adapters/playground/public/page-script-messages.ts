/**
 * Messages in the page script: each log entry rendered by its kind (status, result, usage, notice)
 * with its buttons, and the remix form a button opens.
 *
 * A fragment of PAGE_SCRIPT (page-script.ts), not a module: the browser gets one script, so
 * the fragments share the closure's scope and may call each other's functions.
 */
export const MESSAGES_SCRIPT = String.raw`
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
`;
