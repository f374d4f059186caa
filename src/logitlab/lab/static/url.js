// Keeps the address bar's fragment equal to the lab's state, at most a few
// writes a second (browsers throttle history updates made every frame).

const MIN_INTERVAL_MS = 300;

export class UrlWriter {
  constructor() {
    this.wanted = null;
    this.written = location.hash.replace(/^#/, "");
    this.lastWrite = -Infinity;
  }

  want(fragment) {
    this.wanted = fragment;
  }

  flush(now) {
    if (this.wanted === null || this.wanted === this.written) return;
    if (now - this.lastWrite < MIN_INTERVAL_MS) return;
    history.replaceState(null, "", `#${this.wanted}`);
    this.written = this.wanted;
    this.lastWrite = now;
  }
}
