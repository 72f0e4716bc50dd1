// The console's entry point: tabs, the token prompt, /v1/status polling and the banners.

import { api, ApiError, describe, events, OfflineError, token } from './api.js';
import { paintCalls } from './calls.js';
import { $, clock, h, replace } from './dom.js';
import { ProfilesPanel } from './profiles.js';
import { TalkPanel } from './talk.js';
import { VoicesPanel } from './voices.js';

const POLL_MS = 2000;
const TABS = ['profiles', 'voices', 'talk'];

const voices = new VoicesPanel();
const talk = new TalkPanel({
  onProfileGone: () => profiles.refresh(),
  onSessionChange: () => { paintVersionBanner(); pollSoon(); },
});
const profiles = new ProfilesPanel({
  talkTo: (name) => { talk.choose(name); showTab('talk'); $('#start-session').focus(); },
  previewSection: (tts) => { showTab('voices'); voices.preview(tts); },
  voiceName: (provider, id) => voices.name(provider, id),
  onList: (rows) => talk.setProfiles(rows),
});

const state = {
  loaded: false,        // profiles and voices fetched once
  version: null,        // the live config version, as last polled
  previous: null,       // the one before it, when a reload made a new one this page saw
  rejectionAt: null,
  offline: false,
  locked: false,        // waiting for a token
  versionDismissed: null,
};

// -- tabs ------------------------------------------------------------------------------

function showTab(name, { focus = false } = {}) {
  for (const tab of TABS) {
    const button = $(`#tab-${tab}`);
    const selected = tab === name;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    $(`#panel-${tab}`).hidden = !selected;
  }
  if (focus) $(`#tab-${name}`).focus();
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
}

function setupTabs() {
  for (const tab of TABS) $(`#tab-${tab}`).addEventListener('click', () => showTab(tab));
  $('.tabs').addEventListener('keydown', (event) => {
    const current = TABS.findIndex((t) => $(`#tab-${t}`).getAttribute('aria-selected') === 'true');
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -current, End: TABS.length - 1 - current };
    if (!(event.key in moves)) return;
    event.preventDefault();
    showTab(TABS[(current + moves[event.key] + TABS.length) % TABS.length], { focus: true });
  });
  window.addEventListener('hashchange', () => {
    const name = location.hash.slice(1);
    if (TABS.includes(name)) showTab(name);
  });
  const first = location.hash.slice(1);
  showTab(TABS.includes(first) ? first : 'profiles');
}

// -- banners ---------------------------------------------------------------------------

function showError(message) {
  const banner = $('#error-banner');
  banner.hidden = !message;
  replace(banner, message ? h('p', {}, message) : null);
}

function paintDaemon(status) {
  const badge = $('#daemon-state');
  if (state.offline) {
    badge.textContent = 'daemon not answering';
    badge.className = 'badge badge-bad';
    $('#sessions-live').textContent = '';  // stale once the daemon is gone
  } else if (state.locked) {
    badge.textContent = 'token needed';
    badge.className = 'badge badge-bad';
  } else {
    badge.textContent = 'connected';
    badge.className = 'badge badge-ok';
  }
  if (!status) return;
  const version = $('#config-version');
  version.hidden = false;
  version.textContent = `config ${status.config_version}`;
  $('#sim-badge').hidden = !status.simulated;
  paintProvidersDown(status.providers_down || []);
  $('#sessions-live').textContent = `${status.sessions_live} live session` +
    (status.sessions_live === 1 ? '' : 's');
}

/** Provider choices failing so often that every session tries them last, for now. */
function paintProvidersDown(down) {
  const badge = $('#providers-down');
  badge.hidden = down.length === 0;
  const names = down.map((d) => [d.provider, d.model || d.voice].filter(Boolean).join('/'));
  badge.textContent = `failing: ${names.join(', ')}`;
  badge.title = down.map((d) => `${d.provider}: ${d.failures} failures in a row; sessions try ` +
    `their fallbacks first for ${d.retry_in_s} s more`).join('\n');
}

function paintRejection(rejection) {
  const banner = $('#rejection-banner');
  if (!rejection) {
    banner.hidden = true;
    state.rejectionAt = null;
    return;
  }
  if (rejection.at === state.rejectionAt) return;
  state.rejectionAt = rejection.at;
  const diagnostics = rejection.diagnostics || [];
  $('#rejection-summary').textContent = `An edit at ${clock(rejection.at)} was rejected with ` +
    `${diagnostics.length} problem${diagnostics.length === 1 ? '' : 's'}; config ` +
    `${state.version} stays live until the files are fixed.`;
  replace($('#rejection-list'), diagnostics.map((d) => h('li', {},
    h('code', {}, `${d.path}:${d.line}:${d.col}`), ' ', h('strong', {}, d.code), ' ', d.message,
    d.severity === 'warning' ? ' (warning)' : '',
    d.hint ? h('span', { class: 'hint' }, `hint: ${d.hint}`) : null)));
  banner.hidden = false;
}

function paintVersionBanner() {
  const banner = $('#version-banner');
  if (!state.previous || state.versionDismissed === state.version) {
    banner.hidden = true;
    return;
  }
  const session = talk.open && talk.version !== state.version
    ? ` Your open session keeps config ${talk.version} until it ends; new sessions get ` +
      `${state.version}.`
    : ' New sessions get it.';
  $('#version-text').textContent =
    `Config ${state.version} is now live (it replaced ${state.previous}).${session}`;
  banner.hidden = false;
}

// -- the token -------------------------------------------------------------------------

function askToken(refused) {
  const shown = state.locked;
  state.locked = true;
  $('#token-form').hidden = false;
  $('#main').hidden = true;
  $('.tabs').hidden = true;
  $('#token-error').textContent = refused
    ? 'The daemon refused this token. Check VOICEOPS_TOKEN and try again.' : '';
  $('#forget-token').hidden = !token.get();
  paintDaemon(null);
  if (!shown) $('#token-input').focus();
}

function unlock() {
  if (!state.locked) return;
  state.locked = false;
  $('#token-form').hidden = true;
  $('#main').hidden = false;
  $('.tabs').hidden = false;
  $('#forget-token').hidden = !token.get();
}

events.addEventListener('unauthorized', () => askToken(Boolean(token.get())));

$('#token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  token.set($('#token-input').value.trim());
  $('#token-input').value = '';
  pollSoon();
});

$('#forget-token').addEventListener('click', () => {
  token.clear();
  talk.close();
  askToken(false);
});

$('#version-dismiss').addEventListener('click', () => {
  state.versionDismissed = state.version;
  paintVersionBanner();
});

// -- polling ---------------------------------------------------------------------------

let timer = 0;
let inFlight = false;
let again = false;

/** Poll now (a session opened or closed, a token was entered), without a second loop. */
function pollSoon() {
  if (inFlight) again = true;
  else if (!state.locked || token.get()) poll();
}

async function poll() {
  clearTimeout(timer);
  inFlight = true;
  try {
    const status = await api('v1/status');
    const wasOffline = state.offline;
    state.offline = false;
    showError(null);
    unlock();
    const changed = state.version !== null && status.config_version !== state.version;
    if (changed) state.previous = state.version;
    state.version = status.config_version;
    paintDaemon(status);
    paintCalls(status.calls ?? []);
    paintRejection(status.last_rejection);
    if (!state.loaded) {
      state.loaded = true;
      // profiles show voice names once the gallery knows them
      await Promise.all([voices.load().then(() => profiles.render()), profiles.refresh()]);
    } else if (changed || wasOffline) {
      await profiles.refresh();
    }
    paintVersionBanner();
  } catch (err) {
    if (err instanceof OfflineError) {
      state.offline = true;
      paintDaemon(null);
      showError(`${err.message} Retrying every ${POLL_MS / 1000} s; the page keeps what it ` +
        'last showed.');
    } else if (!(err instanceof ApiError && err.status === 401)) {
      showError(`/v1/status failed: ${describe(err)}`);
    }
  } finally {
    inFlight = false;
    if (!state.locked) timer = setTimeout(poll, again ? 0 : POLL_MS);  // locked: wait for a token
    again = false;
  }
}

window.addEventListener('error', (event) => showError(`The console hit a bug: ${event.message}`));
window.addEventListener('unhandledrejection', (event) => {
  showError(`The console hit a bug: ${event.reason?.message || event.reason}`);
});

setupTabs();
$('#boot').remove();
poll();
