/**
 * The new-video options in the page script: the model, size and length selects, and the price of
 * what is typed, read by the bot's own grammar (GET /playground/estimate).
 *
 * A fragment of PAGE_SCRIPT (page-script.ts), not a module: the browser gets one script, so
 * the fragments share the closure's scope and may call each other's functions.
 */
export const OPTIONS_SCRIPT = `
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
`;
