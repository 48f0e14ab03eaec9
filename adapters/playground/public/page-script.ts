/**
 * The playground's one script (served as /playground/app.js; the CSP allows only same-origin
 * scripts). Plain browser JavaScript, no build step. Every string from the server is set with
 * textContent or as an attribute value: prompts and names are data, never markup.
 *
 * Written as fragments, one concern each (page-script-*.ts), joined here into the one IIFE the page
 * loads: the CSP allows only same-origin scripts and there is no front-end build to bundle modules.
 */

import { IMAGE_SCRIPT } from './page-script-image.js';
import { MESSAGES_SCRIPT } from './page-script-messages.js';
import { OPTIONS_SCRIPT } from './page-script-options.js';
import { ROOMS_SCRIPT } from './page-script-rooms.js';
import { SENDING_SCRIPT } from './page-script-sending.js';
import { SHARED_SCRIPT } from './page-script-shared.js';
import { START_SCRIPT } from './page-script-start.js';

export const PAGE_SCRIPT = `(function () {
  'use strict';${SHARED_SCRIPT}${ROOMS_SCRIPT}${MESSAGES_SCRIPT}${SENDING_SCRIPT}${OPTIONS_SCRIPT}${IMAGE_SCRIPT}${START_SCRIPT}})();
`;
