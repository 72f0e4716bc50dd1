// Tool calls in the Talk tab's conversation. A `tool.call` frame {id, name, arguments} is a
// line of its own, where it happened in the reply; its `tool.result` {id, name, ok, ms,
// error?} completes that line with ok or failed and how long it took. The arguments are the
// model's and the error the tool service's: both are set as text, never parsed as HTML.

import { h, ms } from './dom.js';

// Longer arguments are cut for the page (the daemon's frame holds them whole).
const MAX_SHOWN = 400;

/** The arguments as one line of JSON, cut at MAX_SHOWN characters. */
export function argumentsText(value) {
  let text;
  try {
    text = JSON.stringify(value ?? {});
  } catch {
    text = String(value);
  }
  text ??= String(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** The line for a `tool.call` frame (waiting for its result). */
export function toolCallLine(frame) {
  return h('li', { class: 'tool', 'data-tool-id': String(frame.id ?? ''), 'data-state': 'running' },
    h('span', { class: 'who' }, 'tool'),
    h('span', { class: 'text' },
      h('code', { class: 'tool-name' }, String(frame.name ?? '')), ' ',
      h('code', { class: 'tool-args' }, argumentsText(frame.arguments))),
    h('span', { class: 'tag tool-status' }, 'running…'));
}

/** Complete the line of the call `frame` answers (in `log`), or add one when the call's
 *  line is not there; returns the line. */
export function showToolResult(log, frame) {
  const id = String(frame.id ?? '');
  // compared as data, not put into a selector: the id is the model's text
  let line = [...log.querySelectorAll('li.tool')].find((li) => li.dataset.toolId === id);
  if (!line) {
    line = toolCallLine({ id, name: frame.name });
    log.append(line);
  }
  const ok = frame.ok === true;
  line.dataset.state = ok ? 'ok' : 'failed';
  const status = line.querySelector('.tool-status');
  status.textContent = `${ok ? 'ok' : 'failed'} · ${ms(frame.ms)}`;
  status.classList.toggle('tag-failed', !ok);
  line.querySelector('.tool-error')?.remove();
  if (!ok && frame.error) line.append(h('span', { class: 'tool-error' }, String(frame.error)));
  return line;
}
