// The WebSocket to the Lab server: numbered commands out, frames in.
//
// Commands that the user can fire many times a second (slider drags, hover
// probes) go through `sendLatest(key, command)`: one of each key is in flight
// at a time, and only the newest waiting one is sent when the answer arrives.
//
// Nothing is lost when the connection is: the page owns its state. When the
// socket closes (server restarted, network gone) it reconnects by itself with
// exponential backoff (0.25 s doubling to 5 s, with jitter) and rebuilds its
// session with `hello` from `helloState()` — the last frame's state — then tells
// `onStatus("reconnected", text)`. Auto-train keeps going: the trainer just
// sends its next batch. The state of every frame is also saved in the
// browser's storage (at most once a second, and when the tab is hidden), so a
// page opened without a state in its URL can start where the last one stopped
// (`savedState()`). A session the server closed for being idle (code 4000)
// reconnects on the next sign of the user instead of at once.
//
// onStatus(status, text): "open" (text ""), "closed", "idle", "reconnected".
//
// `openSocket()` (issue 17) makes the socket: by default a WebSocket to `url`; the
// Jupyter widget gives an object with the same few members (readyState, send, close,
// the open / message / close events) over its comm. `keep: false` keeps nothing in the
// browser's storage (a widget's state lives in its kernel).

const STORAGE_PREFIX = "logitlab.state.";
const SAVE_EVERY_MS = 1000;
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 5000;
const IDLE_CLOSE = 4000; // logitlab.lab.limits.IDLE_CLOSE_CODE
const FULL_CLOSE = 1013; // logitlab.lab.limits.FULL_CLOSE_CODE

function storageKey(page) {
  return STORAGE_PREFIX + (page || "lab");
}

/** The state the last page of this kind saved in this browser, or null. */
export function savedState(page) {
  try {
    const text = localStorage.getItem(storageKey(page));
    const state = text === null ? null : JSON.parse(text);
    return state !== null && typeof state === "object" ? state : null;
  } catch {
    return null;
  }
}

export class Connection {
  constructor({ url, onFrame, onProbe, onError, onStatus, helloState, page, openSocket, keep = true }) {
    this.url = url;
    this.openSocket = openSocket ?? (() => new WebSocket(this.url)); // issue 17
    this.keep = keep;
    this.page = page; // optional: the hello names the page ("roc" adds the ROC analysis)
    this.onFrame = onFrame;
    this.onProbe = onProbe;
    this.onError = onError;
    this.onStatus = onStatus;
    this.helloState = helloState; // () => LabState | null (or a promise of it), every (re)connect
    this.curveWidth = () => 600;
    this.seq = 0;
    this.helloSeq = -1;
    this.socket = null;
    this.inFlight = new Map(); // key -> seq
    this.waiting = new Map(); // key -> command
    this.probeBusy = false;
    this.probeWaiting = null;
    this.retryMs = FIRST_RETRY_MS;
    this.ready = false; // true once this socket's hello is sent: commands may follow
    this.lost = false; // a connection was lost since the last hello answered
    this.steps = 0; // the step count of the last frame: a rebuilt session goes on from it
    this.toSave = null;
    this.saveTimer = null;
    if (keep) {
      addEventListener("pagehide", () => this.save());
      document.addEventListener("visibilitychange", () => {
        if (document.visibilityState === "hidden") this.save();
      });
    }
    this.connect();
  }

  connect() {
    const socket = this.openSocket();
    this.socket = socket;
    this.ready = false;
    socket.addEventListener("open", async () => {
      this.inFlight.clear();
      this.waiting.clear();
      this.probeBusy = false;
      const state = await this.helloState();
      if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
      this.ready = true;
      this.onStatus("open", "");
      this.helloSeq = this.send({
        type: "hello",
        state,
        repair: true, // fields of the state that are not valid are left out and named
        curve_width: this.curveWidth(),
        ...(this.page ? { page: this.page } : {}),
        ...(this.steps > 0 ? { steps: this.steps } : {}),
      });
    });
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", (event) => {
      if (socket !== this.socket) return;
      this.ready = false;
      this.lost = true;
      if (event.code === IDLE_CLOSE) {
        this.onStatus(
          "idle",
          "The server closed this idle session; it comes back when you use the page again.",
        );
        this.reconnectOnActivity();
        return;
      }
      const wait = this.retryMs * (0.8 + 0.4 * Math.random());
      this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
      const seconds = Math.ceil(wait / 1000);
      const text =
        event.code === FULL_CLOSE
          ? `The Lab server is full; trying again in ${seconds} s…`
          : "Lost the connection to the Lab server; reconnecting… (your work is kept in this page)";
      this.onStatus("closed", text);
      setTimeout(() => this.connect(), wait);
    });
  }

  reconnectOnActivity() {
    const events = ["pointerdown", "keydown", "wheel", "focus", "visibilitychange"];
    const wake = () => {
      if (document.visibilityState === "hidden") return;
      for (const name of events) removeEventListener(name, wake, true);
      this.connect();
    };
    for (const name of events) addEventListener(name, wake, true);
  }

  get open() {
    return this.ready && this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Keep `state` in the browser's storage (soon; at once when the page is hidden). */
  remember(state) {
    if (!this.keep) return;
    this.toSave = state;
    if (this.saveTimer === null) this.saveTimer = setTimeout(() => this.save(), SAVE_EVERY_MS);
  }

  save() {
    clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (this.toSave === null) return;
    try {
      localStorage.setItem(storageKey(this.page), JSON.stringify(this.toSave));
    } catch {
      // Storage full or disabled: the URL still holds the state.
    }
    this.toSave = null;
  }

  forget() {
    this.toSave = null;
    try {
      localStorage.removeItem(storageKey(this.page));
    } catch {
      // nothing stored
    }
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
      this.remember(message.state);
      this.steps = message.steps;
      if (message.seq === this.helloSeq) {
        this.retryMs = FIRST_RETRY_MS;
        if (this.lost) {
          this.lost = false;
          this.onStatus(
            "reconnected",
            "Reconnected to the Lab server: points, settings and weights restored from this page.",
          );
        }
      }
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
      if (message.seq === this.helloSeq) this.forget(); // a stored state that no longer loads
      this.onError(message);
    }
  }
}
