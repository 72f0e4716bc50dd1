// TTS models the preview offers, with the tuning each accepts (min, max, default, step).
// The daemon has no TTS-model route yet, so this mirrors voiceops/catalog/data/*.json: keep the
// ranges in step with the catalog (a value outside them fails `voiceops validate`, VO404).

const SARVAM_V2 = {
  pitch: [-0.75, 0.75, 0, 0.05], pace: [0.3, 3, 1, 0.05], loudness: [0.3, 3, 1, 0.05],
};
const SARVAM_V3 = { pace: [0.5, 2, 1, 0.05] };
const ELEVEN_FULL = {
  stability: [0, 1, 0.5, 0.05], similarity_boost: [0, 1, 0.75, 0.05], style: [0, 1, 0, 0.05],
  speed: [0.7, 1.2, 1, 0.01],
};
const ELEVEN_FAST = {
  stability: [0, 1, 0.5, 0.05], similarity_boost: [0, 1, 0.75, 0.05], speed: [0.7, 1.2, 1, 0.01],
};

export const TTS_MODELS = {
  sarvam: { 'bulbul:v2': SARVAM_V2, 'bulbul:v3': SARVAM_V3, 'bulbul:v4-flash': SARVAM_V3 },
  elevenlabs: {
    eleven_multilingual_v2: ELEVEN_FULL, eleven_flash_v2_5: ELEVEN_FAST,
    eleven_turbo_v2_5: ELEVEN_FAST, eleven_v3: { stability: [0, 1, 0.5, 0.05] },
  },
};

/** Models to offer for a voice: the ones it lists (known ones first), else its provider's. */
export function modelsFor(voice) {
  const known = Object.keys(TTS_MODELS[voice.provider] || {});
  const listed = (voice.models || []).filter(Boolean);
  if (!listed.length) return known;
  return [...listed.filter((m) => known.includes(m)), ...listed.filter((m) => !known.includes(m))];
}

/** {name: [min, max, default, step]} for a provider's model; {} when unknown. */
export function rangesFor(provider, model) {
  return (TTS_MODELS[provider] || {})[model] || {};
}

/** A slider value as it should be written: at most two decimals, no trailing zeros. */
export function tidy(value) {
  return Number(Number(value).toFixed(2));
}
