// The Voice gallery tab: filtered voices, a preview with your text and tuning, and the YAML
// line that puts the voice in a profile.

import { api, describe } from './api.js';
import { $, h, kib, replace } from './dom.js';
import { loadTtsModels, modelsFor, rangesFor, tidy } from './tuning.js';
import { flow } from './yaml.js';

const SAMPLE_TEXT = {
  hi: 'Namaste! Main aapki kya madad kar sakti hoon?',
  en: 'Hello! Thanks for calling. How can I help you today?',
};

export class VoicesPanel {
  constructor() {
    this.all = [];            // every voice, for names and the language list
    this.byKey = new Map();   // "provider/id" and "provider/name" (lower case) -> voice
    this.form = $('#voice-filters');
    this.body = $('#voices-table tbody');
    this.count = $('#voices-count');
    this.card = $('#preview-card');
    this.pending = null;
    this.blobUrl = null;
    this.timer = 0;
    this.form.addEventListener('input', () => this.schedule());
    this.form.addEventListener('change', () => this.schedule());
    this.form.addEventListener('submit', (event) => { event.preventDefault(); this.filter(); });
  }

  async load() {
    try {
      const [providers, voices] = await Promise.all([api('v1/tts/providers'),
        api('v1/tts/voices'), loadTtsModels()]);
      const select = $('#f-provider');
      const chosen = select.value;
      replace(select, h('option', { value: '' }, 'All providers'),
        providers.map((p) => h('option', { value: p.name, selected: p.name === chosen }, p.title)));
      this.all = voices;
      this.byKey.clear();
      for (const voice of voices) {
        this.byKey.set(`${voice.provider}/${voice.id}`.toLowerCase(), voice);
        this.byKey.set(`${voice.provider}/${voice.name}`.toLowerCase(), voice);
      }
      const languages = [...new Set(voices.flatMap((v) => v.languages))].sort();
      replace($('#f-languages'), languages.map((code) => h('option', { value: code })));
    } catch (err) {
      this.count.textContent = `(could not load: ${describe(err)})`;
      return;
    }
    await this.filter();
  }

  /** A voice by id or name, or null. */
  find(provider, idOrName) {
    return this.byKey.get(`${provider}/${idOrName}`.toLowerCase()) || null;
  }

  name(provider, id) {
    return this.find(provider, id)?.name || id;
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.filter(), 200);
  }

  async filter() {
    const data = new FormData(this.form);
    const query = new URLSearchParams();
    for (const key of ['provider', 'gender', 'language', 'search']) {
      const value = String(data.get(key) || '').trim();
      if (value) query.set(key, value);
    }
    if (data.get('custom')) query.set('custom', 'true');
    this.pending?.abort();
    const pending = this.pending = new AbortController();
    let voices;
    try {
      voices = await api(`v1/tts/voices?${query}`, { signal: pending.signal });
    } catch (err) {
      if (err.name === 'AbortError') return;
      this.count.textContent = `(could not load: ${describe(err)})`;
      return;
    }
    this.count.textContent = `(${voices.length} shown)`;
    replace(this.body, voices.length ? voices.map((voice) => this.row(voice))
      : h('tr', {}, h('td', { colspan: '6', class: 'muted' },
        data.get('custom') ? 'No custom voices match. Custom (cloned) voices come from ' +
          'the ElevenLabs account of a live catalog.' : 'No voice matches these filters.')));
  }

  row(voice) {
    const langs = voice.languages.length > 3
      ? `${voice.languages.slice(0, 3).join(', ')} +${voice.languages.length - 3}`
      : voice.languages.join(', ') || '–';
    const style = [voice.use_case, voice.accent, voice.age].filter(Boolean).join(' · ');
    return h('tr', { 'data-voice': voice.id },
      h('td', { 'data-label': 'Voice' },
        h('button', {
          type: 'button', class: 'row-button', 'aria-label': `Try ${voice.name}`,
          onclick: () => this.preview({ provider: voice.provider, voice: voice.id }),
        }, 'Try'), ' ', voice.name,
        voice.custom ? h('span', { class: 'badge' }, 'custom') : null,
        h('span', { class: 'sub' }, h('code', {}, voice.id))),
      h('td', { 'data-label': 'Provider' }, voice.provider),
      h('td', { 'data-label': 'Gender' }, voice.gender || '–'),
      h('td', { 'data-label': 'Languages', title: voice.languages.join(', ') }, langs),
      h('td', { 'data-label': 'Models' }, voice.models.join(', ') || 'any'),
      h('td', { 'data-label': 'Style' }, style || '–'));
  }

  /** Open the preview for a TTS section: {provider, voice, model?, tuning?}. */
  preview(section) {
    const voice = this.find(section.provider, section.voice) || {
      provider: section.provider, id: section.voice, name: section.voice_name || section.voice,
      models: [], languages: [],
    };
    const models = modelsFor(voice);
    if (section.model && !models.includes(section.model)) models.unshift(section.model);
    const state = { voice, model: section.model || models[0] || '', tuning: { ...(section.tuning || {}) } };
    const language = (voice.languages.find((l) => l.startsWith('hi')) ? 'hi' : 'en');
    const modelSelect = h('select', { id: 'p-model' },
      models.map((m) => h('option', { value: m, selected: m === state.model }, m)));
    const text = h('textarea', { id: 'p-text', rows: '3' }, SAMPLE_TEXT[language]);
    const sliders = h('div', { class: 'tuning', role: 'group', 'aria-label': 'Tuning' });
    const yaml = h('code', { id: 'p-yaml' });
    const copyStatus = h('span', { class: 'muted small-text', role: 'status' });
    const audio = h('audio', { id: 'p-audio', controls: true });
    const status = h('p', { class: 'muted small-text', role: 'status', id: 'p-status' });
    const play = h('button', { type: 'submit', id: 'p-play' }, 'Play preview');

    const paintYaml = () => {
      const tts = { provider: voice.provider, model: state.model, voice: voice.id };
      if (Object.keys(state.tuning).length) tts.tuning = state.tuning;
      yaml.textContent = `tts: ${flow(tts)}` + (voice.name !== voice.id ? `  # ${voice.name}` : '');
    };
    const paintSliders = () => {
      const ranges = rangesFor(voice.provider, state.model);
      const kept = {};
      replace(sliders, Object.entries(ranges).map(([name, [min, max, fallback, step]]) => {
        const start = Math.min(max, Math.max(min, Number(state.tuning[name] ?? fallback)));
        kept[name] = tidy(start);
        const id = `p-${name}`;
        const output = h('output', { for: id }, String(kept[name]));
        return [h('label', { for: id }, name.replace('_', ' ')),
          h('input', {
            type: 'range', id, name, min: String(min), max: String(max), step: String(step),
            value: String(start),
            oninput: (event) => {
              state.tuning[name] = tidy(event.target.value);
              output.textContent = String(state.tuning[name]);
              paintYaml();
            },
          }), output];
      }));
      if (!Object.keys(ranges).length) {
        sliders.append(h('p', { class: 'muted small-text' },
          `No tuning is known for ${state.model || 'this model'}.`));
      }
      state.tuning = kept;   // only keys this model accepts: the YAML line must validate
      paintYaml();
    };
    modelSelect.addEventListener('change', () => { state.model = modelSelect.value; paintSliders(); });
    paintSliders();

    const form = h('form', {
      onsubmit: async (event) => {
        event.preventDefault();
        play.disabled = true;
        status.textContent = 'Synthesizing…';
        try {
          const blob = await api('v1/tts/preview', {
            method: 'POST', as: 'blob',
            body: { provider: voice.provider, model: state.model, voice: voice.id,
              tuning: state.tuning, text: text.value },
          });
          if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
          this.blobUrl = URL.createObjectURL(blob);
          audio.src = this.blobUrl;
          audio.dataset.bytes = String(blob.size);
          status.textContent = `${kib(blob.size)} of WAV audio.`;
          audio.play().catch(() => { /* autoplay refused: the controls are there */ });
        } catch (err) {
          status.textContent = '';
          status.append(h('span', { class: 'error-text' }, `Preview failed: ${describe(err)}`));
        } finally {
          play.disabled = false;
        }
      },
    },
    h('div', { class: 'field' }, h('label', { for: 'p-model' }, 'Model'), modelSelect),
    h('div', { class: 'field' }, h('label', { for: 'p-text' }, 'Text'), text),
    sliders,
    h('div', { class: 'field-row' }, play,
      h('button', { type: 'button', class: 'secondary', onclick: () => {
        state.tuning = {};
        paintSliders();
      } }, 'Reset tuning')),
    status, audio);

    const copy = h('button', {
      type: 'button', class: 'secondary', id: 'p-copy',
      onclick: async () => {
        copyStatus.textContent = await copyText(yaml.textContent) ? 'Copied.' : 'Select the line and copy it.';
      },
    }, 'Copy');

    replace(this.card,
      h('h2', {}, `Preview: ${voice.name}`),
      h('p', { class: 'muted small-text' }, `${voice.provider} · `, h('code', {}, voice.id),
        voice.gender ? ` · ${voice.gender}` : '',
        voice.languages.length ? ` · ${voice.languages.slice(0, 4).join(', ')}` : ''),
      form,
      h('h3', {}, 'For your profile'),
      h('div', { class: 'yaml-line' }, h('pre', { 'aria-label': 'YAML for the profile' }, yaml), copy),
      copyStatus);
    text.focus();
  }
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // no clipboard API here (plain http off localhost) or no permission: the old way
    const area = h('textarea', { class: 'visually-hidden' }, text);
    document.body.append(area);
    area.select();
    const done = document.execCommand('copy');
    area.remove();
    return done;
  }
}
