// Plays the session's binary frames (PCM s16le mono at the session's output_rate) back to
// back: each frame becomes an AudioBufferSourceNode scheduled where the previous one ends.

export class PcmPlayer {
  constructor(context) {
    this.context = context;
    this.rate = 22050;
    this.next = 0;
    this.sources = new Set();
    this.carry = null;       // a frame can end mid-sample: its odd byte waits for the next
    this.bytes = 0;
    this.seconds = 0;
    this.output = context.createGain();
    this.output.connect(context.destination);
  }

  get playing() {
    return this.sources.size > 0;
  }

  push(buffer) {
    let bytes = new Uint8Array(buffer);
    this.bytes += bytes.length;
    if (this.carry !== null) {
      const joined = new Uint8Array(bytes.length + 1);
      joined[0] = this.carry;
      joined.set(bytes, 1);
      bytes = joined;
      this.carry = null;
    }
    if (bytes.length % 2) {
      this.carry = bytes[bytes.length - 1];
      bytes = bytes.subarray(0, bytes.length - 1);
    }
    const count = bytes.length / 2;
    if (!count) return;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const audio = this.context.createBuffer(1, count, this.rate);
    const samples = audio.getChannelData(0);
    for (let i = 0; i < count; i += 1) samples[i] = view.getInt16(i * 2, true) / 32768;
    const source = this.context.createBufferSource();
    source.buffer = audio;
    source.connect(this.output);
    const at = Math.max(this.next, this.context.currentTime + 0.05);
    source.start(at);
    this.next = at + audio.duration;
    this.seconds += audio.duration;
    this.sources.add(source);
    source.onended = () => this.sources.delete(source);
  }

  /** Drop everything queued or playing, now (barge-in). */
  flush() {
    for (const source of this.sources) {
      source.onended = null;
      try {
        source.stop();
      } catch {
        // never started: nothing to stop
      }
    }
    this.sources.clear();
    this.next = 0;
    this.carry = null;
  }
}
