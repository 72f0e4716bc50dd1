// The Talk tab: one voice session over the WebSocket. Typed turns, push-to-talk microphone
// audio, streamed reply text, the reply's audio, barge-in, and per-turn latency.

import { events, sessionUrl } from './api.js';
import { LatencyChart } from './chart.js';
import { $, h, kib, ms, replace } from './dom.js';
import { Microphone } from './mic.js';
import { PcmPlayer } from './player.js';
import { level } from './resample.js';
import { showToolResult, toolCallLine } from './toolcalls.js';

const INPUT_RATE = 16000;
const CLOSE_REASONS = {
  1000: 'the session ended', 1001: 'the daemon is shutting down', 1006: 'the connection dropped',
  1008: 'the daemon refused a frame', 1011: 'the daemon hit an internal error', 1012: 'the daemon stopped or restarted',
  1013: 'the daemon is at its session limit; try again later', 4401: 'the token was refused',
};

export class TalkPanel {
  /** `hooks`: onProfileGone(name), onSessionChange(). */
  constructor(hooks) {
    this.hooks = hooks;
    this.ws = null;
    this.ready = null;
    this.context = null;
    this.player = null;
    this.mic = null;
    this.holding = false;
    this.sentFrames = 0;
    this.turnOpen = false;   // a reply is being generated (between our turn and reply.done)
    this.dropping = false;   // barged in: false, 'until-done' or 'until-next' (see bargeIn)
    this.greeting = false;   // the first message is being spoken
    this.bubble = null;
    this.shown = '';         // the reply's text in bubbles before its latest tool call
    this.turns = 0;
    this.userStopped = false;
    this.el = {
      profile: $('#talk-profile'), start: $('#start-session'), stop: $('#stop-session'),
      info: $('#session-info'), log: $('#talk-log'), input: $('#say-input'), send: $('#say-send'),
      ptt: $('#ptt'), barge: $('#barge'), meter: $('#mic-level'), who: $('#latency-who'),
      audio: $('#audio-stats'),
    };
    this.chart = new LatencyChart($('#latency-chart'));
    $('#session-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.start(this.el.profile.value);
    });
    this.el.stop.addEventListener('click', () => this.stop());
    $('#say-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.say(this.el.input.value);
    });
    this.el.barge.addEventListener('click', () => this.bargeIn(true));
    const ptt = this.el.ptt;
    ptt.addEventListener('pointerdown', (event) => {
      ptt.setPointerCapture(event.pointerId);
      this.press();
    });
    for (const name of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      ptt.addEventListener(name, () => this.release());
    }
    ptt.addEventListener('keydown', (event) => {
      if ((event.key === ' ' || event.key === 'Enter') && !event.repeat) {
        event.preventDefault();
        this.press();
      }
    });
    ptt.addEventListener('keyup', (event) => {
      if (event.key === ' ' || event.key === 'Enter') this.release();
    });
    ptt.addEventListener('blur', () => this.release());
  }

  get version() {
    return this.ready?.config_version || null;
  }

  get open() {
    return this.ready !== null;
  }

  setProfiles(rows) {
    const chosen = this.el.profile.value;
    replace(this.el.profile, rows.map((row) => h('option', {
      value: row.name, selected: row.name === chosen,
    }, row.name)));
  }

  choose(name) {
    this.el.profile.value = name;
  }

  // -- the session ---------------------------------------------------------------------

  async start(profile) {
    if (!profile) {
      this.note('No profile to talk to: the daemon serves none.', 'error');
      return;
    }
    this.close();
    this.context ||= new AudioContext();
    await this.context.resume().catch(() => {});
    this.player ||= new PcmPlayer(this.context);
    this.player.flush();
    this.player.bytes = 0;
    this.player.seconds = 0;
    this.turns = 0;
    this.chart.clear();
    this.paintMetrics({});
    replace(this.el.log);
    this.note(`Connecting to ${profile}…`);
    this.el.start.disabled = true;
    this.el.stop.disabled = false;
    this.userStopped = false;
    const ws = new WebSocket(sessionUrl());
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      ws.send(JSON.stringify({ type: 'start', profile, audio: { sample_rate: INPUT_RATE } }));
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws) return;
      if (typeof event.data === 'string') this.onFrame(JSON.parse(event.data), ws);
      else this.onAudio(event.data);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      if (!this.userStopped) {
        const why = CLOSE_REASONS[event.code] || `close code ${event.code}`;
        this.note(opened
          ? `The connection closed: ${why}${event.reason ? ` (${event.reason})` : ''}. ` +
            'Start a new session to go on.'
          : `Could not open the session WebSocket: the daemon at ${location.host} is not ` +
            'answering. Is `voiceops run` still running?', 'error');
      }
      this.reset();
    };
  }

  stop() {
    this.userStopped = true;
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: 'stop' }));
    this.close();
    this.note('Session ended.');
  }

  close() {
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    this.reset();
  }

  reset() {
    this.ws = null;
    this.ready = null;
    this.turnOpen = false;
    this.dropping = false;
    this.greeting = false;
    this.bubble = null;
    this.shown = '';
    this.release();
    this.player?.flush();
    this.mic?.close();
    this.mic = null;
    this.el.start.disabled = false;
    this.el.stop.disabled = true;
    for (const el of [this.el.input, this.el.send, this.el.ptt, this.el.barge]) el.disabled = true;
    this.el.info.textContent = 'No session.';
    this.hooks.onSessionChange();
  }

  send(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(frame);
  }

  // -- frames in -----------------------------------------------------------------------

  onFrame(frame, ws) {
    switch (frame.type) {
      case 'ready': return this.onReady(frame);
      case 'transcript':
        this.dropping = false;
        this.line('you', frame.text || '(nothing recognised)', 'heard');
        return undefined;
      case 'reply.delta':
        if (this.dropping === 'until-next') this.dropping = false;
        this.turnOpen = true;
        if (!this.bubble) this.bubble = this.line('agent', '');
        this.bubble.querySelector('.text').textContent += frame.text;
        this.scroll();
        return undefined;
      case 'knowledge':  // the passages of the documents this turn's reply is given
        this.note(frame.passages.length
          ? `Knowledge: ${frame.passages.map((p) => `${p.source}:${p.line}`).join(', ')}`
          : 'Knowledge: no passage matches.');
        return undefined;
      case 'tool.call':  // a line of its own; the reply goes on in a new bubble below it
        if (this.bubble) this.shown += this.bubble.querySelector('.text').textContent;
        this.bubble = null;
        this.el.log.append(toolCallLine(frame));
        this.scroll();
        return undefined;
      case 'tool.result':
        showToolResult(this.el.log, frame);
        this.scroll();
        return undefined;
      case 'reply.done': return this.onDone(frame);
      case 'turn.metrics': return this.onMetrics(frame);
      case 'audio.stop':  // the caller talked over audio we still hold: drop it
        this.player?.flush();
        return undefined;
      case 'silence':
        this.note(frame.ending ? 'Silent again: the agent ended the call.'
          : `Silent for ${frame.seconds} s after the agent spoke: it checks you are there.`);
        return undefined;
      case 'error': return this.onError(frame, ws);
      default: return undefined;
    }
  }

  onReady(frame) {
    this.ready = frame;
    this.greeting = Boolean(frame.first_message);
    this.player.rate = frame.audio.output_rate;
    replace(this.el.info,
      h('strong', {}, frame.profile), ` · session ${frame.session} · config `,
      h('code', { id: 'session-version' }, frame.config_version),
      ` · audio in ${frame.audio.input_rate} Hz, out ${frame.audio.output_rate} Hz `,
      frame.simulated
        ? h('span', { class: 'badge badge-sim', id: 'session-sim' }, 'simulated providers')
        : h('span', { class: 'badge' }, 'live providers'));
    replace(this.el.log);
    this.note(`Connected to ${frame.profile}.` + (frame.simulated
      ? ' Providers are simulated: replies echo you, audio is synthetic.' : ''));
    for (const el of [this.el.input, this.el.send, this.el.ptt, this.el.barge]) el.disabled = false;
    this.el.input.focus();
    this.hooks.onSessionChange();
  }

  onDone(frame) {
    // reply.done holds the whole reply: what bubbles before a tool call showed is not repeated
    let text = frame.text || '';
    if (this.shown && text.startsWith(this.shown)) text = text.slice(this.shown.length).trimStart();
    if (!this.bubble && text) this.bubble = this.line('agent', '');
    if (this.bubble) {
      this.bubble.querySelector('.text').textContent = text;
      if (frame.interrupted) this.bubble.append(h('span', { class: 'tag' }, 'interrupted'));
    }
    this.bubble = null;
    this.shown = '';
    this.turnOpen = false;
    this.dropping = false;
    this.greeting = false;
    this.scroll();
  }

  onMetrics(frame) {
    this.turns += 1;
    this.paintMetrics(frame);
    this.chart.add({ ...frame, turn: this.turns });
  }

  onError(frame, ws) {
    this.note(`${frame.code}: ${frame.message}`, 'error');
    if (frame.code === 'unauthorized') events.dispatchEvent(new Event('unauthorized'));
    if (!this.ready && frame.code === 'unknown_profile') {
      this.userStopped = true;   // the message says it all; the socket is of no more use
      if (this.ws === ws) this.close();
      this.hooks.onProfileGone(this.el.profile.value);
    }
  }

  onAudio(buffer) {
    if (!this.player || this.dropping) return;
    this.player.push(buffer);
    if (!this.paintQueued) {
      this.paintQueued = true;
      requestAnimationFrame(() => {
        this.paintQueued = false;
        const p = this.player;
        this.el.audio.textContent = `${kib(p.bytes)} of reply audio received ` +
          `(${p.seconds.toFixed(1)} s at ${p.rate} Hz).`;
        this.el.audio.dataset.bytes = String(p.bytes);
      });
    }
  }

  // -- turns out -----------------------------------------------------------------------

  say(text) {
    const words = text.trim();
    if (!words || !this.ready) return;
    this.bargeIn(false);
    this.send(JSON.stringify({ type: 'text', text: words }));
    this.turnOpen = true;
    this.line('you', words);
    this.el.input.value = '';
  }

  /** Stop the agent now: drop queued audio at once, and cancel the reply being made. */
  bargeIn(announce) {
    const speaking = this.player?.playing;
    this.player?.flush();
    if (this.turnOpen) {
      this.send(JSON.stringify({ type: 'interrupt' }));
      // a cut reply ends with reply.done {interrupted: true}; a cut first message ends with
      // nothing, so its audio in flight is dropped until the next turn's first frame
      this.dropping = this.greeting ? 'until-next' : 'until-done';
      if (this.greeting) {
        this.bubble?.append(h('span', { class: 'tag' }, 'interrupted'));
        this.bubble = null;
        this.turnOpen = false;
        this.greeting = false;
      }
    }
    if (announce && (speaking || this.turnOpen)) this.note('You interrupted the agent.');
  }

  async press() {
    if (!this.ready || this.holding) return;
    this.holding = true;
    this.sentFrames = 0;
    this.el.ptt.setAttribute('aria-pressed', 'true');
    this.el.ptt.textContent = 'Listening… release to send';
    this.bargeIn(false);
    if (!this.mic) {
      try {
        this.mic = await Microphone.open(this.context, this.ready.audio.input_rate || INPUT_RATE,
          (frame) => this.onMicFrame(frame));
        if (!this.holding) this.note('The microphone is ready: hold the button while you speak.');
      } catch (err) {
        this.note(`Microphone: ${err.message}`, 'error');
        this.holding = false;
        this.release();
      }
    }
  }

  onMicFrame(frame) {
    this.el.meter.value = this.holding ? level(frame) : 0;
    if (this.holding && this.ready) {
      this.send(frame);
      this.sentFrames += 1;
    }
  }

  release() {
    const was = this.holding;
    this.holding = false;
    this.el.ptt.setAttribute('aria-pressed', 'false');
    this.el.ptt.textContent = 'Hold to talk';
    this.el.meter.value = 0;
    if (!was || !this.ready) return;
    if (this.sentFrames) {
      this.send(JSON.stringify({ type: 'end_of_turn' }));
      this.turnOpen = true;
      this.note(`Sent ${(this.sentFrames / 50).toFixed(1)} s of audio.`);
    } else if (this.mic) {
      this.note('No audio was captured: hold the button while you speak.');
    }
  }

  // -- the page ------------------------------------------------------------------------

  paintMetrics(frame) {
    for (const dd of document.querySelectorAll('#latency-now dd')) {
      dd.textContent = ms(frame[dd.dataset.key]);
    }
    this.el.who.textContent = frame.llm || frame.tts
      ? `LLM ${frame.llm || '–'} · voice ${frame.tts || '–'}` : '';
  }

  line(kind, text, label) {
    const item = h('li', { class: kind },
      h('span', { class: 'who' }, label || (kind === 'you' ? 'you' : 'agent')),
      h('span', { class: 'text' }, text));
    this.el.log.append(item);
    this.scroll();
    return item;
  }

  note(text, kind = 'system') {
    const item = h('li', { class: kind }, kind === 'error' ? h('span', { class: 'who' }, 'error') : null,
      h('span', { class: 'text' }, text));
    this.el.log.append(item);
    this.scroll();
    return item;
  }

  scroll() {
    this.el.log.scrollTop = this.el.log.scrollHeight;
  }
}
