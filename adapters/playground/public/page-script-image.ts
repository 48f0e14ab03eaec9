/**
 * The composer's attached image in the page script: read as base64 for the next command, at most
 * 20 MB (the server checks again).
 *
 * A fragment of PAGE_SCRIPT (page-script.ts), not a module: the browser gets one script, so
 * the fragments share the closure's scope and may call each other's functions.
 */
export const IMAGE_SCRIPT = `
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
`;
