// The WebSocket to the Lab server: numbered commands out, frames in.
//
// Commands that the user can fire many times a second (slider drags, hover
// probes) go through `sendLatest(key, command)`: one of each key is in flight
// at a time, and only the newest waiting one is sent when the answer arrives.

export class Connection {
  constructor({ url, onFrame, onProbe, onError, onStatus, helloState, page }) {
    this.url = url;
    this.page = page; // optional: the hello names the page ("roc" adds the ROC analysis)
    this.onFrame = onFrame;
    this.onProbe = onProbe;
    this.onError = onError;
    this.onStatus = onStatus;
    this.helloState = helloState; // () => LabState | null, used on every (re)connect
    this.curveWidth = () => 600;
    this.seq = 0;
    this.helloSeq = -1;
    this.socket = null;
    this.inFlight = new Map(); // key -> seq
    this.waiting = new Map(); // key -> command
    this.probeBusy = false;
    this.probeWaiting = null;
    this.retryMs = 250;
    this.connect();
  }

  connect() {
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.retryMs = 250;
      this.inFlight.clear();
      this.waiting.clear();
      this.probeBusy = false;
      this.onStatus("open");
      this.helloSeq = this.send({
        type: "hello",
        state: this.helloState(),
        curve_width: this.curveWidth(),
        ...(this.page ? { page: this.page } : {}),
      });
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => {
      this.onStatus("closed");
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    });
  }

  get open() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Send a command now; returns its seq (or -1 when the socket is not open). */
  send(command) {
    if (!this.open) return -1;
    this.seq += 1;
    this.socket.send(JSON.stringify({ ...command, seq: this.seq }));
    return this.seq;
  }

  /** At most one command per key in flight; newer ones replace the waiting one. */
  sendLatest(key, command) {
    if (this.inFlight.has(key)) {
      this.waiting.set(key, command);
      return;
    }
    const seq = this.send(command);
    if (seq > 0) this.inFlight.set(key, seq);
  }

  busy(key) {
    return this.inFlight.has(key);
  }

  probe(x, y) {
    if (this.probeBusy) {
      this.probeWaiting = { x, y };
      return;
    }
    if (this.send({ type: "probe", x, y }) > 0) this.probeBusy = true;
  }

  settle(seq) {
    for (const [key, pending] of this.inFlight) {
      if (pending !== seq) continue;
      this.inFlight.delete(key);
      const next = this.waiting.get(key);
      if (next !== undefined) {
        this.waiting.delete(key);
        this.sendLatest(key, next);
      }
    }
  }

  receive(text) {
    const message = JSON.parse(text);
    if (message.type === "frame") {
      this.settle(message.seq);
      this.onFrame(message);
    } else if (message.type === "probe") {
      this.probeBusy = false;
      this.onProbe(message);
      if (this.probeWaiting !== null) {
        const { x, y } = this.probeWaiting;
        this.probeWaiting = null;
        this.probe(x, y);
      }
    } else if (message.type === "error") {
      this.settle(message.seq);
      this.probeBusy = false;
      this.onError(message);
    }
  }
}
