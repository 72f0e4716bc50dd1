// The Profiles tab: the served profiles, and one profile's effective config, prompt, first
// message and knowledge.

import { api, ApiError, describe } from './api.js';
import { $, h, replace } from './dom.js';
import { knowledgeSection } from './knowledge.js';
import { toYaml } from './yaml.js';

export class ProfilesPanel {
  /** `hooks`: talkTo(name), previewSection(ttsSection), voiceName(provider, id), onList(rows). */
  constructor(hooks) {
    this.hooks = hooks;
    this.rows = [];
    this.selected = null;
    this.view = 'yaml';
    this.body = $('#profiles-table tbody');
    this.state = $('#profiles-state');
    this.detail = $('#profile-detail');
  }

  async refresh() {
    let rows;
    try {
      rows = await api('v1/profiles');
    } catch (err) {
      this.state.textContent = `Could not load the profiles: ${describe(err)}`;
      return;
    }
    this.rows = rows;
    this.state.textContent = rows.length
      ? `${rows.length} profile${rows.length === 1 ? '' : 's'} on config ${rows[0].config_version}`
      : 'This daemon serves no profiles.';
    this.render();
    this.hooks.onList(rows);
    if (this.selected) await this.show(this.selected, { quiet: true });
  }

  render() {
    replace(this.body, this.rows.map((row) => {
      const voice = this.hooks.voiceName(row.tts.provider, row.tts.voice);
      return h('tr', { class: row.name === this.selected ? 'selected' : '', 'data-profile': row.name },
        h('td', { 'data-label': 'Profile' },
          h('button', {
            type: 'button', class: 'row-button', 'aria-pressed': String(row.name === this.selected),
            onclick: () => this.show(row.name),
          }, row.name),
          row.description ? h('span', { class: 'sub' }, row.description) : null),
        h('td', { 'data-label': 'LLM' }, row.llm.provider, h('span', { class: 'sub nowrap' }, row.llm.model)),
        h('td', { 'data-label': 'Voice' }, `${row.tts.provider} · ${voice}`,
          h('span', { class: 'sub' }, voice !== row.tts.voice ? `${row.tts.voice} · ` : '',
            row.tts.model)),
        h('td', { 'data-label': 'Language' }, row.language || '–',
          row.optimization ? h('span', { class: 'sub' }, row.optimization) : null),
        h('td', { 'data-label': 'Config' }, h('code', {}, row.config_version)));
    }));
  }

  async show(name, { quiet = false } = {}) {
    this.selected = name;
    this.render();
    if (!quiet) replace(this.detail, h('h2', {}, name), h('p', { class: 'muted' }, 'Loading…'));
    const enc = encodeURIComponent(name);
    let detail;
    let prompt;
    try {
      [detail, prompt] = await Promise.all([api(`v1/profiles/${enc}`),
        api(`v1/profiles/${enc}/prompt`)]);
    } catch (err) {
      if (this.selected !== name) return;
      if (err instanceof ApiError && err.code === 'unknown_profile') {
        replace(this.detail, h('h2', {}, name), h('p', { class: 'notice', role: 'alert' },
          `Profile '${name}' is no longer served: it was removed or renamed in the config that ` +
          'is live now. Pick another profile from the list.',
          err.hint ? ` (${err.hint})` : ''));
      } else {
        replace(this.detail, h('h2', {}, name),
          h('p', { class: 'notice', role: 'alert' }, `Could not load '${name}': ${describe(err)}`));
      }
      return;
    }
    if (this.selected !== name) return;
    this.renderDetail(detail, prompt);
  }

  renderDetail(detail, prompt) {
    const config = detail.profile;
    const pre = h('pre', { class: 'config-view', tabindex: '0', 'aria-label': 'Effective config' });
    const paint = () => {
      pre.textContent = this.view === 'json' ? JSON.stringify(config, null, 2) : toYaml(config);
    };
    paint();
    const choice = (value, label) => h('label', {},
      h('input', {
        type: 'radio', name: 'config-view', value, checked: this.view === value,
        onchange: () => { this.view = value; paint(); },
      }), ` ${label}`);
    const tts = config.tts || {};
    replace(this.detail,
      h('div', { class: 'detail-head' },
        h('h2', {}, detail.name),
        h('span', { class: 'muted' }, h('code', {}, detail.path), ' · config ',
          h('code', {}, detail.config_version))),
      config.description ? h('p', {}, config.description) : null,
      h('div', { class: 'actions' },
        h('button', { type: 'button', onclick: () => this.hooks.talkTo(detail.name) },
          `Talk to ${detail.name}`),
        tts.provider && tts.voice ? h('button', {
          type: 'button', class: 'secondary', onclick: () => this.hooks.previewSection(tts),
        }, 'Preview this voice') : null),
      h('fieldset', { class: 'view-switch' }, h('legend', {}, 'View as'),
        choice('yaml', 'YAML'), choice('json', 'JSON')),
      pre,
      h('h3', {}, 'System prompt'),
      h('pre', { class: 'prompt-view', tabindex: '0', 'aria-label': 'Rendered system prompt' },
        prompt.system || '(empty)'),
      h('h3', {}, 'First message'),
      prompt.first_message
        ? h('blockquote', { class: 'first-message' }, prompt.first_message)
        : h('p', { class: 'muted' }, 'None: the caller speaks first.'),
      config.rag && config.rag.enabled ? knowledgeSection(detail.name) : null);
  }
}
