// Score distributions: histograms of p̂ for each class, back to back (class 1 above
// the axis, class 0 below), with the τ line. Bars on the wrong side of τ — class 0 at
// or above it (false positives), class 1 below it (false negatives) — are drawn solid
// and labelled; bars on the right side are pale. The server counts; this only draws.

import { formatNumber } from "./format.js";
import { Frame2D, drawAxes, fitCanvas } from "./geometry.js";
import { BOUNDARY_COLOR, CLASS_COLORS, CLASS_OUTLINE } from "./palette.js";

const MARGIN = { left: 38, right: 10, top: 16, bottom: 28 };
const TICKS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export class ScoreHistogram {
  constructor(root, readout) {
    this.canvas = root.querySelector("canvas");
    this.readout = readout;
    this.curves = null;
    this.roc = null;
    this.dirty = true;
    this.painted = null; // the τ line's x in CSS px, for tests
    new ResizeObserver(() => {
      this.dirty = true;
    }).observe(root);
  }

  update(curves, roc) {
    this.curves = curves;
    this.roc = roc;
    this.dirty = true;
  }

  draw() {
    if (!this.dirty || this.curves === null || this.roc === null) return;
    this.dirty = false;
    const { width, height, ctx } = fitCanvas(this.canvas);
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    const neg = this.curves.hist_negative;
    const pos = this.curves.hist_positive;
    const top = Math.max(1, ...neg, ...pos);
    const view = { xmin: 0, xmax: 1, ymin: -top, ymax: top };
    const f = new Frame2D(width, height, MARGIN, view);
    const step = top <= 4 ? 1 : Math.ceil(top / 2 / 5) * 5;
    const yTicks = [];
    for (let v = -Math.floor(top / step) * step; v <= top; v += step) yTicks.push(v);
    drawAxes(ctx, f, { xTicks: TICKS, yTicks, yFormat: (v) => String(Math.abs(v)) });
    const tau = this.roc.at_tau.tau;
    const bins = neg.length;
    const w = f.width / bins;
    for (let i = 0; i < bins; i += 1) {
      const centre = (i + 0.5) / bins;
      const x = f.left + i * w + 0.5;
      const called1 = centre >= tau;
      // class 1 above the axis: an error (FN) when called 0
      this.bar(ctx, x, w - 1, f.py(0), f.py(pos[i]), 1, !called1);
      // class 0 below the axis: an error (FP) when called 1
      this.bar(ctx, x, w - 1, f.py(0), f.py(-neg[i]), 0, called1);
    }
    ctx.strokeStyle = "#555";
    ctx.beginPath();
    ctx.moveTo(f.left, Math.round(f.py(0)) + 0.5);
    ctx.lineTo(f.left + f.width, Math.round(f.py(0)) + 0.5);
    ctx.stroke();
    const tx = f.px(tau);
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.lineWidth = 4.5;
    ctx.beginPath();
    ctx.moveTo(tx, f.top);
    ctx.lineTo(tx, f.top + f.height);
    ctx.stroke();
    ctx.strokeStyle = BOUNDARY_COLOR;
    ctx.lineWidth = 2;
    ctx.stroke();
    this.painted = { x: tx };
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#222";
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText("class 1 ▲", f.left + 4, f.top + 2);
    ctx.textBaseline = "bottom";
    ctx.fillText("class 0 ▼", f.left + 4, f.top + f.height - 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(`τ = ${formatNumber(tau, 3)}`, Math.min(Math.max(tx, f.left + 24), f.left + f.width - 24), f.top - 1);
    ctx.textBaseline = "bottom";
    ctx.fillText("p̂", f.left + f.width / 2, height - 1);
    const c = this.roc.at_tau.confusion;
    const text =
      `At τ = ${formatNumber(tau, 4)}: ${c.fp} class-0 point${c.fp === 1 ? "" : "s"} at or above τ ` +
      `(false positives) and ${c.fn} class-1 point${c.fn === 1 ? "" : "s"} below it (false negatives).`;
    if (this.readout.textContent !== text) this.readout.textContent = text;
  }

  bar(ctx, x, w, y0, y1, cls, error) {
    if (y0 === y1) return;
    ctx.globalAlpha = error ? 1 : 0.35;
    ctx.fillStyle = CLASS_COLORS[cls];
    ctx.fillRect(x, Math.min(y0, y1), Math.max(1, w), Math.abs(y1 - y0));
    ctx.globalAlpha = 1;
    if (error) {
      ctx.strokeStyle = CLASS_OUTLINE[cls];
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, Math.min(y0, y1) + 0.5, Math.max(1, w) - 1, Math.abs(y1 - y0) - 1);
    }
  }
}
