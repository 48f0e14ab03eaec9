/** The playground page. Static: everything dynamic is built by page-script with textContent. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sora-bot playground</title>
<link rel="stylesheet" href="/playground/app.css">
<script src="/playground/app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>sora-bot <span>playground</span></h1>
  <label class="who">Your name <input id="name" maxlength="60" autocomplete="nickname" spellcheck="false"></label>
</header>
<div class="layout">
  <nav class="rooms" aria-label="Rooms">
    <h2>Rooms</h2>
    <ul id="room-list"></ul>
    <form id="new-room" class="new-room">
      <input id="new-room-name" placeholder="new room" maxlength="40" required aria-label="New room name">
      <button type="submit">Create</button>
    </form>
  </nav>
  <main class="room">
    <div class="room-head"><h2 id="room-title"></h2><span id="connection" class="connection"></span></div>
    <ol id="log" class="log" aria-live="polite"></ol>
    <form id="composer" class="composer">
      <input type="file" id="image" accept="image/png,image/jpeg,image/webp" hidden>
      <label for="image" class="attach" title="Attach an image to animate">Image</label>
      <span id="attachment" class="attachment" hidden><span id="attachment-name"></span>
        <button type="button" id="attachment-clear" aria-label="Remove the image">×</button></span>
      <input id="command" autocomplete="off" spellcheck="false" aria-label="Command"
        placeholder="/sora a red fox running through snow   (try /sora help)">
      <button type="submit" id="send">Send</button>
    </form>
    <div id="create-options" class="create-options" hidden>
      <span>New video:</span>
      <label>Length <select id="opt-seconds"></select></label>
      <label>Size <select id="opt-size"></select></label>
      <label>Model <select id="opt-model"></select></label>
      <output id="estimate" class="estimate" for="opt-seconds opt-size opt-model command" aria-live="polite"></output>
    </div>
  </main>
</div>
</body>
</html>
`;
