// AudioWorklet: resamples the microphone to the session's rate, posts 20 ms s16le frames.
import { Resampler } from './resample.js';

class VoiceopsMic extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetRate, frameSamples } = options.processorOptions;
    this.resampler = new Resampler(sampleRate, targetRate, frameSamples);
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (const frame of this.resampler.push(channel)) this.port.postMessage(frame, [frame]);
    }
    return true;
  }
}

registerProcessor('voiceops-mic', VoiceopsMic);
