// The stat tiles (Frame.metrics and the step count). The confusion matrix and τ are
// evaluate.js, the warning banner.js, the formula formula.js.

import { presetLabel } from "./data-controls.js";
import { setAttr, setText } from "./dom.js";
import { formatNumber, formatPercent, formatSigned } from "./format.js";

export class StatsPanel {
  constructor(doc) {
    this.stat = {};
    for (const el of doc.querySelectorAll(".stats-panel [data-stat]")) {
      this.stat[el.dataset.stat] = el;
      // The whole value as a tooltip; set on hover, not on every frame.
      el.addEventListener("pointerenter", () => el.setAttribute("title", el.textContent));
    }
  }

  update(frame) {
    const m = frame.metrics;
    const values = {
      "log-loss": formatNumber(m.log_loss, 4),
      "delta-loss": formatSigned(m.delta_loss, 3),
      accuracy: formatPercent(m.accuracy),
      steps: frame.exact_fit ? "exact fit" : String(frame.steps), // "Fit exactly" (issue 15)
      "n-points": String(m.n_points ?? frame.points?.n ?? "—"),
      preset: presetLabel(frame.state.data),
      "weight-norm": formatNumber(m.weight_norm, 4),
      baseline: formatPercent(m.baseline),
      // Beside the training numbers: the test points' (issue 14); "—" without a split.
      "test-log-loss": formatNumber(m.test_log_loss, 4),
      "test-accuracy": formatPercent(m.test_accuracy),
    };
    for (const [name, text] of Object.entries(values)) setText(this.stat[name], text);
    // A long name (a CSV file's) gets a double-width tile, so it wraps into few lines.
    setAttr(this.stat.preset.parentElement, "data-long", String(values.preset.length > 12));
  }
}
