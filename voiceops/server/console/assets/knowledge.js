// A profile's knowledge in the Profiles tab: the files its rag.sources match, and a search
// box showing the passages a caller's turn asking that would hand the LLM
// (GET v1/profiles/{name}/knowledge, the same answer as `voiceops knowledge --format json`).

import { api, describe } from './api.js';
import { h, replace } from './dom.js';

/** The knowledge section for profile `name` (a <section> filled in as answers arrive). */
export function knowledgeSection(name) {
  const path = `v1/profiles/${encodeURIComponent(name)}/knowledge`;
  const sources = h('ul', { id: 'knowledge-sources', class: 'kb-sources' },
    h('li', { class: 'muted' }, 'Loading…'));
  const results = h('ol', { id: 'kb-results', class: 'kb-results', 'aria-label': 'Passages found' });
  const state = h('p', { id: 'kb-state', class: 'muted', 'aria-live': 'polite' });
  const input = h('input', {
    id: 'kb-query', type: 'search', name: 'q', autocomplete: 'off',
    placeholder: 'Ask what a caller would ask', maxlength: '2000',
  });
  let asked = 0; // only the latest search's answer is shown

  const search = async (event) => {
    event.preventDefault();
    const query = input.value.trim();
    if (!query) return;
    const mine = ++asked;
    state.textContent = 'Searching…';
    let answer;
    try {
      answer = await api(`${path}?q=${encodeURIComponent(query)}`);
    } catch (err) {
      if (mine === asked) state.textContent = `Search failed: ${describe(err)}`;
      return;
    }
    if (mine !== asked) return;
    const found = answer.passages;
    state.textContent = found.length
      ? `${found.length} passage${found.length === 1 ? '' : 's'}, best first: what the LLM gets.`
      : 'No passage matches: the LLM gets no context for this.';
    replace(results, found.map((p) => h('li', {},
      h('div', { class: 'kb-where' }, h('code', {}, `${p.source}:${p.line}`),
        h('span', { class: 'muted' }, ` score ${p.score.toFixed(2)}`)),
      h('pre', { class: 'kb-text' }, p.text))));
  };

  api(path).then((about) => {
    replace(sources, about.sources.map((s) => h('li', {},
      h('code', {}, s.glob), ': ',
      s.files.length ? s.files.map((f, i) => [i ? ', ' : '', h('code', {}, f)])
        : h('span', { class: 'muted' }, 'no file'))),
    about.retriever ? h('li', {}, 'HTTP retriever ', h('code', {}, about.retriever)) : null);
  }).catch((err) => {
    replace(sources, h('li', { class: 'error-text' }, `Could not load the sources: ${describe(err)}`));
  });

  return h('section', { class: 'knowledge', 'aria-labelledby': 'knowledge-title' },
    h('h3', { id: 'knowledge-title' }, 'Knowledge'),
    sources,
    h('form', { class: 'field-row', role: 'search', onsubmit: search },
      h('label', { for: 'kb-query' }, 'Search'), input,
      h('button', { type: 'submit', id: 'kb-search' }, 'Search')),
    state, results);
}
