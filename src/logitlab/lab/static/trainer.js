// Training buttons and the Auto-train loop.
//
// Auto-train keeps at most one `train` command in flight. Each animation frame,
// speed × elapsed time adds to a budget of steps; whole steps are sent when the
// previous batch has been answered, so the page shows the chosen steps per second.

import { NumberControl } from "./controls.js";

const MAX_STEPS = 10000;

export class Trainer {
  constructor(doc, connection) {
    this.connection = connection;
    this.auto = false;
    this.speed = 100;
    this.budget = 0;
    this.last = 0;
    this.autoSeq = -1;
    this.autoButton = doc.getElementById("auto-train");
    doc.getElementById("train-1").addEventListener("click", () => this.train(1));
    doc.getElementById("train-100").addEventListener("click", () => this.train(100));
    doc.getElementById("reset-weights").addEventListener("click", () => {
      connection.send({ type: "reset_weights" });
    });
    this.autoButton.addEventListener("click", () => this.setAuto(!this.auto));
    this.speedControl = new NumberControl(doc.getElementById("speed"), doc.getElementById("speed-box"), {
      scale: "log",
      min: 1,
      max: 2000,
      integer: true,
      onValue: (v) => {
        this.speed = v;
        connection.sendLatest("training", { type: "set_training", speed: v });
      },
    });
  }

  train(steps) {
    this.connection.send({ type: "train", steps });
  }

  setAuto(on) {
    this.auto = on;
    this.budget = 0;
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
    if (this.connection.busy("train") || this.budget < 1) return;
    const steps = Math.floor(this.budget);
    this.budget -= steps;
    this.connection.sendLatest("train", { type: "train", steps, auto: true });
    this.autoSeq = this.connection.inFlight.get("train") ?? -1;
  }

  /** A batch was refused (e.g. no points to train on): stop rather than retry every frame. */
  error(message) {
    if (this.auto && message.seq === this.autoSeq) this.setAuto(false);
  }

  update(frame) {
    this.speed = frame.state.training.speed;
    this.speedControl.set(this.speed);
    if (frame.start_auto && !this.auto) this.setAuto(true);
  }
}
