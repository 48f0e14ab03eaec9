/**
 * Sending from the page script: commands from the composer and button actions, posted to the
 * room; the answer is shown privately, or as an error line when the bot is not answering.
 *
 * A fragment of PAGE_SCRIPT (page-script.ts), not a module: the browser gets one script, so
 * the fragments share the closure's scope and may call each other's functions.
 */
export const SENDING_SCRIPT = `
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

  // An answer's text for the person: the JSON error's message, or the plain line of a refusal.
  function answerOf(res) {
    return res.text().then(function (text) {
      try { return JSON.parse(text); } catch (e) { return { error: { message: text.trim() || 'Request failed.' } }; }
    });
  }
`;
