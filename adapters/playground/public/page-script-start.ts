/**
 * The page script's start: the token taken out of the address bar, the controls wired to the other
 * fragments, and the room from the address opened.
 *
 * A fragment of PAGE_SCRIPT (page-script.ts), not a module: the browser gets one script, so
 * the fragments share the closure's scope and may call each other's functions.
 */
export const START_SCRIPT = `
  // The token link (/?token=...) has already set the cookie: take the secret out of the address bar
  // and the history, where it could be copied or shared.
  function forgetTokenInUrl() {
    var params = new URLSearchParams(location.search);
    if (!params.has('token')) return;
    params.delete('token');
    var query = params.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + location.hash);
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
`;
