// Evaluate: the threshold τ and the confusion matrix with precision, recall and F1 at τ.

import { NumberControl } from "./controls.js";
import { setText } from "./dom.js";
import { formatNumber } from "./format.js";

const CELLS = ["tn", "fp", "fn", "tp"];

export class EvaluatePanel {
  constructor(doc, connection) {
    this.tau = new NumberControl(doc.getElementById("tau"), doc.getElementById("tau-box"), {
      min: 0,
      max: 1,
      digits: 4,
      onValue: (v) => connection.sendLatest("view", { type: "set_view", tau: v }),
      busy: () => connection.busy("view"),
    });
    this.cells = {};
    for (const name of CELLS) this.cells[name] = doc.querySelector(`[data-cell="${name}"]`);
    this.scores = {};
    for (const name of ["precision", "recall", "f1"]) {
      this.scores[name] = doc.querySelector(`[data-stat="${name}"]`);
    }
  }

  update(frame) {
    this.tau.set(frame.state.view.tau);
    const m = frame.metrics;
    for (const name of CELLS) setText(this.cells[name], String(m.confusion[name]));
    for (const name of ["precision", "recall", "f1"]) {
      setText(this.scores[name], formatNumber(m[name], 3));
    }
  }
}
