// Microphone samples (Float32 at the AudioContext's rate) to fixed-size frames of PCM s16le
// at the session's input rate. Shared by the AudioWorklet and the ScriptProcessor fallback.

export class Resampler {
  constructor(inputRate, outputRate, frameSamples) {
    this.step = inputRate / outputRate;
    this.position = 0;      // where the next output sample falls, in input samples
    this.last = 0;          // the previous block's last (filtered) sample, at index -1
    // a moving average over `width` input samples: a cheap low-pass against aliasing
    this.width = Math.max(1, Math.round(this.step));
    this.window = new Float32Array(this.width);
    this.windowAt = 0;
    this.windowSum = 0;
    this.frame = new Int16Array(frameSamples);
    this.filled = 0;
  }

  /** Feed one block; returns the ArrayBuffers of the frames it completed. */
  push(input) {
    const filtered = new Float32Array(input.length);
    for (let i = 0; i < input.length; i += 1) {
      this.windowSum += input[i] - this.window[this.windowAt];
      this.window[this.windowAt] = input[i];
      this.windowAt = (this.windowAt + 1) % this.width;
      filtered[i] = this.windowSum / this.width;
    }
    const frames = [];
    let t = this.position;
    while (t <= filtered.length - 1) {
      const i = Math.floor(t);
      const fraction = t - i;
      const a = i < 0 ? this.last : filtered[i];
      const b = i + 1 < filtered.length ? filtered[i + 1] : a;
      const value = Math.max(-1, Math.min(1, a + (b - a) * fraction));
      this.frame[this.filled] = value < 0 ? value * 32768 : value * 32767;
      this.filled += 1;
      if (this.filled === this.frame.length) {
        frames.push(this.frame.slice().buffer);
        this.filled = 0;
      }
      t += this.step;
    }
    this.position = t - filtered.length;
    if (filtered.length) this.last = filtered[filtered.length - 1];
    return frames;
  }
}

/** Root mean square of one s16le frame, 0..1: for the level meter. */
export function level(frame) {
  const samples = new Int16Array(frame);
  let sum = 0;
  for (const s of samples) sum += s * s;
  return samples.length ? Math.min(1, Math.sqrt(sum / samples.length) / 8000) : 0;
}
