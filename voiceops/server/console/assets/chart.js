// The latency chart: one line per stage over the last turns, inline SVG, no library.

import { h, replace } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
// Okabe-Ito colours (safe for colour blindness), plus a dash pattern each
export const SERIES = [
  { key: 'stt_ms', label: 'STT', color: '#E69F00', dash: '4 3' },
  { key: 'llm_ttft_ms', label: 'LLM first token', color: '#0072B2', dash: '' },
  { key: 'tts_ttfb_ms', label: 'TTS first byte', color: '#009E73', dash: '1 3' },
  { key: 'first_audio_ms', label: 'First audio', color: '#CC79A7', dash: '8 3' },
];
const WIDTH = 360;
const HEIGHT = 150;
const PAD = { left: 48, right: 10, top: 10, bottom: 22 };
const KEEP = 20;

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== '') el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function label(value) {
  return value >= 1000 ? `${Number((value / 1000).toFixed(2))} s` : `${Math.round(value)} ms`;
}

function niceMax(value) {
  if (value <= 0) return 10;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m >= value);
}

export class LatencyChart {
  constructor(container) {
    this.container = container;
    this.turns = [];
    this.render();
  }

  add(metrics) {
    this.turns.push(metrics);
    if (this.turns.length > KEEP) this.turns.shift();
    this.render();
  }

  clear() {
    this.turns = [];
    this.render();
  }

  render() {
    const turns = this.turns;
    const first = turns.length ? turns[0].turn : 1;
    const values = turns.flatMap((t) => SERIES.map((s) => t[s.key]).filter((v) => v != null));
    const top = niceMax(Math.max(0, ...values));
    const plotW = WIDTH - PAD.left - PAD.right;
    const plotH = HEIGHT - PAD.top - PAD.bottom;
    const span = Math.max(1, turns.length - 1);
    const x = (i) => PAD.left + (turns.length === 1 ? plotW / 2 : (i / span) * plotW);
    const y = (v) => PAD.top + plotH - (v / top) * plotH;
    const last = turns[turns.length - 1];
    const summary = last
      ? `Latency of the last ${turns.length} turn(s); turn ${last.turn}: ` +
        SERIES.filter((s) => last[s.key] != null).map((s) => `${s.label} ${Math.round(last[s.key])} ms`).join(', ')
      : 'No turns yet';
    const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': summary });
    for (const fraction of [0, 0.5, 1]) {
      const v = top * fraction;
      chart.append(svg('line', { class: 'axis', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(v), y2: y(v) }));
      if (turns.length) {
        chart.append(svg('text', { x: PAD.left - 6, y: y(v) + 3, 'text-anchor': 'end' }, label(v)));
      }
    }
    if (!turns.length) {
      chart.append(svg('text', { x: PAD.left + plotW / 2, y: PAD.top + plotH / 2, 'text-anchor': 'middle' },
        'per-turn latency appears here'));
    }
    turns.forEach((t, i) => {
      if (turns.length <= 12 || i % Math.ceil(turns.length / 12) === 0) {
        chart.append(svg('text', { x: x(i), y: HEIGHT - 6, 'text-anchor': 'middle' }, String(first + i)));
      }
    });
    for (const series of SERIES) {
      const points = turns.map((t, i) => [i, t[series.key]]).filter(([, v]) => v != null);
      if (points.length > 1) {
        chart.append(svg('polyline', {
          fill: 'none', stroke: series.color, 'stroke-width': 2, 'stroke-dasharray': series.dash,
          points: points.map(([i, v]) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' '),
        }));
      }
      for (const [i, v] of points) {
        chart.append(svg('circle', { cx: x(i), cy: y(v), r: 3, fill: series.color },
          svg('title', {}, `turn ${first + i}: ${series.label} ${Math.round(v)} ms`)));
      }
    }
    replace(this.container, chart,
      h('ul', { class: 'legend', 'aria-hidden': 'true' }, SERIES.map((s) => h('li', {},
        h('span', { style: `background:${s.color}` }), s.label))),
      h('p', { class: 'muted small-text' }, 'x: turn · y: time; STT and first audio count from the end of your turn, LLM and TTS from their request'));
  }
}
