// Live phone calls (Twilio and Exotel streams), from /v1/status's `calls`: who called which
// number, the profile answering, for how long, and the latest words on the line.

import { $, h, replace } from './dom.js';

function duration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function lastWords(log) {
  const line = log[log.length - 1];
  return line ? `${line.who}: ${line.text}` : '';
}

/** Show `calls` (the status's list); the card hides when there are none. */
export function paintCalls(calls) {
  $('#calls-card').hidden = calls.length === 0;
  replace($('#calls-table tbody'), calls.map((call) => h('tr', { 'data-stream': call.stream_sid },
    h('td', {}, call.caller_number || 'unknown'),
    h('td', {}, call.called_number || '–'),
    h('td', {}, call.carrier),
    h('td', {}, call.profile),
    h('td', {}, duration(call.duration_s)),
    h('td', { class: 'muted' }, call.greeting_ms == null ? '–' : `${Math.round(call.greeting_ms)} ms`),
    h('td', {}, lastWords(call.log)))));
}
