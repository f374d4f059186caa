// The Jupyter widget's host (issue 17). In the widget's bundle this module takes the place
// of lab/static/host.js: the Lab's modules find their elements in the widget's shadow root
// and reach the kernel's LabSession through the widget's comm (anywidget's custom
// messages), with the same commands and frames as over the served page's WebSocket.
// `LAB_ENV` is the argument of the bundle's startLab(): { root, model, el, running, sockets }.

import { Connection } from "./connection.js";

const OPEN = 1;
const CLOSED = 3;
// Auto-train over the comm: the kernel paces the steps of each batch itself, pushing a frame
// a tick (see Lab._pace), so the page sends a batch at most every MIN_GAP_MS (the served
// page: 12 ms) with up to PIPELINE batches unanswered. Every request costs the notebook a
// busy/idle redraw; one request a frame (8 in flight) gave ~26 frames/s against ~47 served.
const PIPELINE = 3;
const MIN_GAP_MS = 80;
const QUEUED = 2; // paced frames held back at most (each waits for an animation frame)

/** What Connection needs of a WebSocket, over the comm: text out, text in. */
class CommSocket extends EventTarget {
  constructor(model) {
    super();
    this.model = model;
    this.readyState = 0;
    this.decoder = new TextDecoder();
    // Messages each way, read by benchmarks/widget_frames.py (messages per painted frame).
    this.counts = LAB_ENV.el.logitlabComm ??= { sent: 0, received: 0 };
    // Each view of the widget has an id; the kernel's reply names the view that asked.
    this.view = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    // Frames come as one binary buffer of UTF-8 JSON: no second JSON encoding of the text.
    this.listener = (content, buffers) => {
      if (content?.kind !== "logitlab" || this.readyState !== OPEN) return;
      this.counts.received += 1;
      let data = buffers?.length ? this.decoder.decode(buffers[0]) : content.text;
      if (content.view && content.view !== this.view) {
        // Another view's answer (the same Lab shown twice): draw its frame, as a push
        // (seq 0, its "type" and "seq" come first), and leave its probes and errors.
        if (!data.startsWith('{"type":"frame","seq":')) return;
        data = data.replace(/^\{"type":"frame","seq":\d+/, '{"type":"frame","seq":0');
      }
      if (content.paced) {
        this.queue.push(data);
        if (!this.scheduled) {
          this.scheduled = true;
          requestAnimationFrame(this.release);
        }
        return;
      }
      this.drain(this.queue.length); // in order: paced frames first
      this.deliver(data);
    };
    // Auto-train frames the kernel paced (Lab._pace) reach the page in bursts (the kernel,
    // the Jupyter server and the notebook's socket each batch a little): they are handed on
    // one per animation frame, so each gets painted, with at most QUEUED waiting.
    this.queue = [];
    this.scheduled = false;
    this.release = () => {
      this.scheduled = false;
      if (this.readyState !== OPEN) return;
      this.drain(Math.max(1, this.queue.length - QUEUED));
      if (this.queue.length > 0) {
        this.scheduled = true;
        requestAnimationFrame(this.release);
      }
    };
    model.on("msg:custom", this.listener);
    // The comm is open once the view exists: say so after Connection has its listeners.
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = OPEN;
      this.dispatchEvent(new Event("open"));
    });
  }

  deliver(data) {
    this.dispatchEvent(new MessageEvent("message", { data }));
  }

  drain(count) {
    for (const data of this.queue.splice(0, count)) this.deliver(data);
  }

  send(text) {
    if (this.readyState !== OPEN) return;
    this.counts.sent += 1;
    this.model.send({ kind: "logitlab", text, view: this.view });
  }

  /** The view is gone: stop listening (no "close" event, so nothing reconnects). */
  close() {
    this.readyState = CLOSED;
    this.model.off("msg:custom", this.listener);
  }
}

export const host = {
  root: LAB_ENV.root,
  served: false, // no address bar, links or browser storage: the kernel holds the state
  initialState: () => null, // the kernel's session keeps its state; the hello attaches to it
  connect: (options) => {
    const connection = new Connection({
      url: "comm:",
      ...options,
      keep: false,
      openSocket: () => {
        const socket = new CommSocket(LAB_ENV.model);
        LAB_ENV.sockets.push(socket);
        return socket;
      },
    });
    // A frame takes the kernel, the Jupyter server and the notebook's socket to come back:
    // Auto-train keeps more batches in flight than over the Lab server's own WebSocket.
    connection.pipeline = PIPELINE;
    connection.minGapMs = MIN_GAP_MS;
    return connection;
  },
  expose: (perf) => {
    LAB_ENV.el.logitlabPerf = perf; // read by the widget's browser test and benchmark
  },
  running: LAB_ENV.running,
};
