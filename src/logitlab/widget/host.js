// The Jupyter widget's host (issue 17). In the widget's bundle this module takes the place
// of lab/static/host.js: the Lab's modules find their elements in the widget's shadow root
// and reach the kernel's LabSession through the widget's comm (anywidget's custom
// messages), with the same commands and frames as over the served page's WebSocket.
// `LAB_ENV` is the argument of the bundle's startLab(): { root, model, el, running, sockets }.

import { Connection } from "./connection.js";

const OPEN = 1;
const CLOSED = 3;
const PIPELINE = 8; // Auto-train batches in flight (the served page: 2); 4 gave ~19 frames/s, 8 ~30

/** What Connection needs of a WebSocket, over the comm: text out, text in. */
class CommSocket extends EventTarget {
  constructor(model) {
    super();
    this.model = model;
    this.readyState = 0;
    this.decoder = new TextDecoder();
    // Each view of the widget has an id; the kernel's reply names the view that asked.
    this.view = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    // Frames come as one binary buffer of UTF-8 JSON: no second JSON encoding of the text.
    this.listener = (content, buffers) => {
      if (content?.kind !== "logitlab" || this.readyState !== OPEN) return;
      let data = buffers?.length ? this.decoder.decode(buffers[0]) : content.text;
      if (content.view && content.view !== this.view) {
        // Another view's answer (the same Lab shown twice): draw its frame, as a push
        // (seq 0, its "type" and "seq" come first), and leave its probes and errors.
        if (!data.startsWith('{"type":"frame","seq":')) return;
        data = data.replace(/^\{"type":"frame","seq":\d+/, '{"type":"frame","seq":0');
      }
      this.dispatchEvent(new MessageEvent("message", { data }));
    };
    model.on("msg:custom", this.listener);
    // The comm is open once the view exists: say so after Connection has its listeners.
    queueMicrotask(() => {
      if (this.readyState !== 0) return;
      this.readyState = OPEN;
      this.dispatchEvent(new Event("open"));
    });
  }

  send(text) {
    if (this.readyState === OPEN) this.model.send({ kind: "logitlab", text, view: this.view });
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
    return connection;
  },
  expose: (perf) => {
    LAB_ENV.el.logitlabPerf = perf; // read by the widget's browser test and benchmark
  },
  running: LAB_ENV.running,
};
