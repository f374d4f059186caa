// Hyperparameters: η (log slider), penalty and λ (with the λ ↔ C note), optimizer, batch size.

import { NumberControl } from "./controls.js";
import { setHidden, setText, setValue } from "./dom.js";

export class HyperPanel {
  constructor(doc, connection) {
    const send = (fields) => connection.sendLatest("training", { type: "set_training", ...fields });
    this.eta = new NumberControl(doc.getElementById("eta"), doc.getElementById("eta-box"), {
      scale: "log",
      min: 1e-4,
      max: 10,
      busy: () => connection.busy("training"),
      onValue: (v) => send({ learning_rate: v }),
    });
    this.lam = new NumberControl(doc.getElementById("lam"), doc.getElementById("lam-box"), {
      min: 0,
      max: 10,
      busy: () => connection.busy("training"),
      // Moving λ while the penalty is "none" means the user wants one: switch to L2.
      onValue: (v) => send(v > 0 && this.penalty.value === "none" ? { lam: v, penalty: "l2" } : { lam: v }),
    });
    this.l1 = new NumberControl(doc.getElementById("l1-ratio"), doc.getElementById("l1-ratio-box"), {
      min: 0,
      max: 1,
      busy: () => connection.busy("training"),
      onValue: (v) => send({ l1_ratio: v }),
    });
    this.penalty = doc.getElementById("penalty");
    this.penalty.addEventListener("change", () => send({ penalty: this.penalty.value }));
    this.optimizer = doc.getElementById("optimizer");
    this.optimizer.addEventListener("change", () => send({ optimizer: this.optimizer.value }));
    this.batch = doc.getElementById("batch-size");
    this.batchShown = "16"; // the batch size of the last frame
    this.batch.addEventListener("change", () => {
      const v = Math.round(Number(this.batch.value));
      if (this.batch.value.trim() !== "" && Number.isFinite(v) && v >= 1) {
        send({ batch_size: Math.min(v, 100000) });
      } else {
        this.batch.value = this.batchShown; // emptied or not a count: nothing applied
      }
    });
    this.batchControl = doc.getElementById("batch-control");
    this.l1Control = doc.getElementById("l1-ratio-control");
    this.lamControl = doc.querySelector('[data-control="lam"]');
    this.note = doc.getElementById("penalty-note");
  }

  update(frame) {
    const t = frame.state.training;
    this.eta.set(t.learning_rate);
    this.lam.set(t.lam);
    this.l1.set(t.l1_ratio);
    setValue(this.penalty, t.penalty);
    setValue(this.optimizer, t.optimizer);
    this.batchShown = String(t.batch_size);
    setValue(this.batch, this.batchShown);
    setHidden(this.batchControl, t.optimizer !== "sgd");
    setHidden(this.l1Control, t.penalty !== "elasticnet");
    if (this.lamControl.classList.contains("inactive") !== (t.penalty === "none")) {
      this.lamControl.classList.toggle("inactive");
    }
    setText(this.note, frame.penalty_note);
  }
}
