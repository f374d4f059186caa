// Training buttons and the Auto-train loop.
//
// Auto-train keeps up to two `train` commands in flight (a pipeline): while the page
// draws one answer, the server already works on the next batch, so a fresh frame is
// usually waiting at each animation frame. Each tick, speed × elapsed time adds to a
// budget of steps; whole steps are sent while fewer than two batches are unanswered,
// so the page runs the chosen steps per second. The page draws once per animation
// frame from the latest frame, however many arrived.

import { NumberControl } from "./controls.js";

const MAX_STEPS = 10000;
const PIPELINE = 2; // Auto-train batches in flight at most
// No more than one batch per animation frame (~16.7 ms): every batch costs the server a
// field and metrics besides its steps, so smaller, more frequent batches only add work.
const MIN_GAP_MS = 12;
const STALE_MS = 3000; // a batch unanswered this long is taken as lost (e.g. a dropped socket)

export class Trainer {
  constructor(doc, connection) {
    this.connection = connection;
    this.auto = false;
    this.speed = 100;
    this.budget = 0;
    this.last = 0;
    this.pending = []; // {seq, at} of the Auto-train batches not answered yet, oldest first
    this.lastSend = 0;
    this.autoButton = doc.getElementById("auto-train");
    doc.getElementById("train-1").addEventListener("click", () => this.train(1));
    doc.getElementById("train-100").addEventListener("click", () => this.train(100));
    doc.getElementById("reset-weights").addEventListener("click", () => {
      connection.send({ type: "reset_weights" });
    });
    this.autoButton.addEventListener("click", () => this.setAuto(!this.auto));
    // A "Try this" card sets up its whole scenario, training included: no batch of the
    // old run may follow it (its frame then says whether Auto-train starts again).
    for (const card of doc.querySelectorAll("[data-scenario]")) {
      card.addEventListener("click", () => this.setAuto(false));
    }
    this.speedControl = new NumberControl(doc.getElementById("speed"), doc.getElementById("speed-box"), {
      scale: "log",
      min: 1,
      max: 2000,
      integer: true,
      onValue: (v) => {
        this.speed = v;
        connection.sendLatest("training", { type: "set_training", speed: v });
      },
      busy: () => connection.busy("training"),
    });
  }

  train(steps) {
    this.connection.send({ type: "train", steps });
  }

  setAuto(on) {
    this.auto = on;
    this.budget = 0;
    this.pending = [];
    this.last = performance.now();
    this.autoButton.setAttribute("aria-pressed", String(on));
  }

  /** Called every animation frame and when a frame arrives. */
  tick() {
    if (!this.auto) return;
    // One clock for both callers: rAF timestamps lag performance.now() within a frame,
    // and mixing them would count some time twice.
    const now = performance.now();
    const elapsed = Math.min(Math.max(now - this.last, 0), 250) / 1000;
    this.last = now;
    this.budget = Math.min(this.budget + this.speed * elapsed, MAX_STEPS);
    if (this.pending.length > 0 && now - this.pending[0].at > STALE_MS) this.pending.shift();
    const depth = this.connection.pipeline ?? PIPELINE; // issue 17: deeper over a Jupyter comm
    if (this.pending.length >= depth || this.budget < 1 || !this.connection.open) return;
    const gap = this.connection.minGapMs ?? MIN_GAP_MS; // issue 17: fewer, larger batches
    if (this.pending.length > 0 && now - this.lastSend < gap) return;
    const steps = Math.floor(this.budget);
    this.budget -= steps;
    const seq = this.connection.send({ type: "train", steps, auto: true });
    if (seq > 0) {
      this.pending.push({ seq, at: now });
      this.lastSend = now;
    }
  }

  /** The server answered command `seq` (and, answering in order, every earlier one). */
  answered(seq) {
    while (this.pending.length > 0 && this.pending[0].seq <= seq) this.pending.shift();
  }

  /** A batch was refused (e.g. no points to train on): stop rather than retry every frame. */
  error(message) {
    if (this.auto && this.pending.some((p) => p.seq === message.seq)) this.setAuto(false);
    this.answered(message.seq);
  }

  update(frame) {
    this.answered(frame.seq);
    this.speed = frame.state.training.speed;
    this.speedControl.set(this.speed);
    if (frame.scenario && Boolean(frame.start_auto) !== this.auto) this.setAuto(Boolean(frame.start_auto));
    else if (frame.start_auto && !this.auto) this.setAuto(true);
  }
}
