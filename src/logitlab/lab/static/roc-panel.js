// The ROC page's panels: τ with the scores and best-τ buttons, and the metrics at τ.

import { NumberControl } from "./controls.js";
import { formatNumber, formatPercent } from "./format.js";
import { isFocused } from "./dom.js";

const BEST = [
  // [button id, key in the payload, what the value is]
  ["best-f1", "best_f1", "F1"],
  ["best-youden", "youden", "Youden's J"],
  ["best-cost", "min_cost", "total cost"],
];
// Costs a box accepts: above 0 (a free mistake is never worth avoiding) up to the protocol's limit.
const MIN_COST = 0.001;
const MAX_COST = 1e6;

export class ThresholdPanel {
  constructor(doc, connection) {
    this.connection = connection;
    this.view = null;
    this.tau = new NumberControl(doc.getElementById("tau"), doc.getElementById("tau-box"), {
      min: 0,
      max: 1,
      digits: 4,
      onValue: (v) => this.setTau(v),
      busy: () => connection.busy("view"),
    });
    this.scores = {};
    for (const name of ["roc-auc", "average-precision"]) {
      this.scores[name] = {
        value: doc.querySelector(`[data-stat="${name}"]`),
        grade: doc.querySelector(`[data-grade="${name}"]`),
        text: doc.getElementById(`${name}-text`),
      };
    }
    this.best = {};
    this.points = {};
    this.note = doc.getElementById("best-note");
    for (const [id, key, label] of BEST) {
      const button = doc.getElementById(id);
      this.best[key] = button;
      button.addEventListener("click", () => {
        const point = this.points[key];
        if (point === null || point === undefined) return;
        this.setTau(point.tau);
        this.note.textContent =
          `${button.textContent}: τ → ${formatNumber(point.tau, 4)} ` +
          `(${label} ${formatNumber(point.value, 4)}).`;
      });
    }
    this.costs = {};
    this.costFix = doc.getElementById("cost-correction");
    for (const [id, field, name] of [
      ["cost-fp", "cost_fp", "FP cost"],
      ["cost-fn", "cost_fn", "FN cost"],
    ]) {
      const box = doc.getElementById(id);
      this.costs[field] = box;
      box.addEventListener("change", () => {
        const typed = Number(box.value);
        const current = this.view === null ? 1 : this.view[field];
        let used = typed;
        let fix = "";
        if (box.value.trim() === "" || !Number.isFinite(typed)) {
          used = current;
          fix = `${name} must be a number: kept ${current}.`;
        } else if (typed < MIN_COST) {
          used = MIN_COST;
          fix = `${name} must be above 0 (a free mistake would make τ meaningless): using ${MIN_COST}.`;
        } else if (typed > MAX_COST) {
          used = MAX_COST;
          fix = `${name} is at most ${MAX_COST}: using ${MAX_COST}.`;
        }
        box.value = String(used);
        this.costFix.textContent = fix;
        this.costFix.hidden = fix === "";
        if (used !== current) connection.send({ type: "set_view", [field]: used });
      });
    }
    this.costNote = doc.getElementById("cost-note");
  }

  setTau(value) {
    this.connection.sendLatest("view", { type: "set_view", tau: value });
  }

  update(frame, curves) {
    const view = frame.state.view;
    this.view = view;
    this.tau.set(view.tau);
    for (const [field, box] of Object.entries(this.costs)) {
      if (!isFocused(box)) box.value = String(view[field]);
    }
    for (const [name, key] of [
      ["roc-auc", "roc_auc"],
      ["average-precision", "average_precision"],
    ]) {
      const score = curves[key];
      const el = this.scores[name];
      el.value.textContent = formatNumber(score.value, 3);
      // No points, or one class only: the score does not exist (the protocol says "undefined").
      el.grade.textContent = score.grade === "undefined" ? "no data" : score.grade;
      el.grade.dataset.level = score.grade;
      el.text.textContent = score.text;
    }
    this.points = { best_f1: curves.best_f1, youden: curves.youden, min_cost: frame.roc.min_cost };
    for (const [key, button] of Object.entries(this.best)) button.disabled = this.points[key] === null;
    this.costNote.textContent = frame.roc.cost_text;
  }
}

const CELLS = ["tn", "fp", "fn", "tp"];
const METRICS = [
  ["accuracy", "accuracy", formatPercent],
  ["precision", "precision", (v) => formatNumber(v, 3)],
  ["recall", "recall", (v) => formatNumber(v, 3)],
  ["specificity", "specificity", (v) => formatNumber(v, 3)],
  ["fpr", "fpr", (v) => formatNumber(v, 3)],
  ["f1", "f1", (v) => formatNumber(v, 3)],
  ["balanced-accuracy", "balanced_accuracy", formatPercent],
  ["mcc", "mcc", (v) => formatNumber(v, 3)],
];

export class AtTauPanel {
  constructor(doc) {
    this.root = doc.querySelector(".at-tau-panel");
    this.tau = doc.getElementById("at-tau-value");
    this.cells = {};
    for (const name of CELLS) this.cells[name] = this.root.querySelector(`[data-cell="${name}"]`);
    this.stats = {};
    for (const el of this.root.querySelectorAll("[data-stat]")) this.stats[el.dataset.stat] = el;
  }

  update(frame, curves) {
    const at = frame.roc.at_tau;
    this.tau.textContent = formatNumber(at.tau, 4);
    for (const name of CELLS) this.cells[name].textContent = String(at.confusion[name]);
    for (const [stat, key, format] of METRICS) this.stats[stat].textContent = format(at[key]);
    this.stats.prevalence.textContent = formatPercent(curves.prevalence);
    this.stats["n-points"].textContent = String(curves.n_negative + curves.n_positive);
  }
}
