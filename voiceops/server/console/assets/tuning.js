// TTS models the preview offers, with the tuning each accepts, from the daemon's catalog
// (GET /v1/tts/models): the ranges are the ones `voiceops validate` enforces.

import { api } from './api.js';

// Switches, not sliders: the preview leaves them at the provider's default.
const SWITCHES = new Set(['use_speaker_boost', 'enable_preprocessing']);
let models = {}; // provider -> model id -> {name: [min, max, default, step]}

/** Fetch the TTS models once the daemon answers; the preview works without them. */
export async function loadTtsModels() {
  const rows = await api('v1/tts/models');
  const next = {};
  // Fastest, then most languages first: the first model a voice offers is the default.
  const speed = { low: 0, medium: 1, high: 2 };
  rows.sort((a, b) => (speed[a.latency] ?? 1) - (speed[b.latency] ?? 1)
    || (b.languages || []).length - (a.languages || []).length || a.id.localeCompare(b.id));
  for (const row of rows) {
    const ranges = {};
    for (const [name, r] of Object.entries(row.tuning || {})) {
      if (SWITCHES.has(name)) continue;
      const step = r.max - r.min <= 1 ? 0.01 : 0.05;
      ranges[name] = [r.min, r.max, r.default ?? (r.min <= 1 && r.max >= 1 ? 1 : r.min), step];
    }
    (next[row.provider] ||= {})[row.id] = ranges;
  }
  models = next;
}

/** Models to offer for a voice: the known ones it lists (widest first), then the rest. */
export function modelsFor(voice) {
  const known = Object.keys(models[voice.provider] || {});
  const listed = (voice.models || []).filter(Boolean);
  if (!listed.length) return known;
  return [...known.filter((m) => listed.includes(m)), ...listed.filter((m) => !known.includes(m))];
}

/** {name: [min, max, default, step]} for a provider's model; {} when unknown. */
export function rangesFor(provider, model) {
  return (models[provider] || {})[model] || {};
}

/** A slider value as it should be written: at most two decimals, no trailing zeros. */
export function tidy(value) {
  return Number(Number(value).toFixed(2));
}
