// The microphone: getUserMedia into Web Audio, then 20 ms PCM s16le frames at `targetRate`
// (an AudioWorklet where there is one, a ScriptProcessor otherwise).

import { Resampler } from './resample.js';

export class Microphone {
  static async open(context, targetRate, onFrame) {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('this browser gives the microphone only to https:// pages and ' +
        'localhost; open the console at http://127.0.0.1 or behind https (typed turns work anyway)');
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
    } catch (err) {
      throw new Error(err.name === 'NotAllowedError'
        ? 'the microphone was refused: allow it in the browser (typed turns work anyway)'
        : `no microphone: ${err.message || err.name}`);
    }
    const mic = new Microphone(context, stream);
    const frameSamples = Math.round(targetRate / 50);
    if (context.audioWorklet && typeof AudioWorkletNode !== 'undefined') {
      await context.audioWorklet.addModule(new URL('./mic-worklet.js', import.meta.url));
      mic.node = new AudioWorkletNode(context, 'voiceops-mic', {
        numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1],
        processorOptions: { targetRate, frameSamples },
      });
      mic.node.port.onmessage = (event) => onFrame(event.data);
    } else {
      const resampler = new Resampler(context.sampleRate, targetRate, frameSamples);
      mic.node = context.createScriptProcessor(4096, 1, 1);
      mic.node.onaudioprocess = (event) => {
        for (const frame of resampler.push(event.inputBuffer.getChannelData(0))) onFrame(frame);
      };
    }
    // a node must reach the destination to be pulled; a silent gain keeps the mic inaudible
    mic.silence = context.createGain();
    mic.silence.gain.value = 0;
    mic.source.connect(mic.node);
    mic.node.connect(mic.silence);
    mic.silence.connect(context.destination);
    return mic;
  }

  constructor(context, stream) {
    this.stream = stream;
    this.source = context.createMediaStreamSource(stream);
    this.node = null;
    this.silence = null;
  }

  close() {
    for (const track of this.stream.getTracks()) track.stop();
    this.source.disconnect();
    this.node?.disconnect();
    this.silence?.disconnect();
  }
}
