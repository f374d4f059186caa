// One curve chart of the ROC page: the ROC curve (FPR → TPR) or the precision–recall
// curve (recall → precision), both on the unit square. The axes, the chance line and
// the curve sit on a cached layer redrawn only when the curves change or the chart is
// resized; the operating point and the iso-cost line are painted over it every frame.
// Hovering (or ← → on the focused chart) reads the threshold of a curve point; a click
// moves τ to it. Every number comes from the server.

import { formatNumber } from "./format.js";
import { Frame2D, drawAxes, fitCanvas } from "./geometry.js";
import { CURVE_COLOR } from "./palette.js";

const MARGIN = { left: 38, right: 10, top: 10, bottom: 30 };
const UNIT = { xmin: 0, xmax: 1, ymin: 0, ymax: 1 };
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const POINT_COLOR = "#D55E00"; // vermillion (Okabe–Ito)
const ISO_COLOR = "#CC79A7"; // reddish purple
const CHANCE_COLOR = "#777";
const HOVER_REACH = 28; // pixels

const KINDS = {
  roc: {
    xLabel: "FPR",
    yLabel: "TPR",
    series: (c) => ({ x: c.roc_fpr, y: c.roc_tpr, tau: c.roc_tau }),
    point: (r) => ({ x: r.at_tau.fpr, y: r.at_tau.recall }),
    read: (tau, x, y) => `τ ${tau} · FPR ${formatNumber(x, 3)} · TPR ${formatNumber(y, 3)}`,
    empty: "The ROC curve needs points of both classes.",
  },
  pr: {
    xLabel: "recall",
    yLabel: "precision",
    series: (c) => ({ x: c.pr_recall, y: c.pr_precision, tau: c.pr_tau }),
    point: (r) => ({ x: r.at_tau.recall, y: r.at_tau.precision }),
    read: (tau, x, y) => `τ ${tau} · precision ${formatNumber(y, 3)} · recall ${formatNumber(x, 3)}`,
    empty: "The precision–recall curve needs points of class 1.",
  },
};

function tauText(tau) {
  return tau === null ? "above every p̂" : `= ${formatNumber(tau, 4)}`;
}

export class CurveChart {
  /**
   * @param {HTMLElement} root  element holding one canvas
   * @param {HTMLElement} readout  text under the chart
   * @param {"roc" | "pr"} kind
   * @param {(tau: number) => void} onPick  the user picked a curve point's threshold
   */
  constructor(root, readout, kind, onPick) {
    this.canvas = root.querySelector("canvas");
    this.readout = readout;
    this.kind = KINDS[kind];
    this.name = kind;
    this.onPick = onPick;
    this.cache = document.createElement("canvas");
    this.curves = null;
    this.roc = null;
    this.hover = -1; // index of the hovered curve point, or -1
    this.frame = null;
    this.size = { width: 0, height: 0 };
    this.dirty = { layout: true, overlay: true };
    this.painted = null; // where the operating point was drawn (CSS px), for tests
    new ResizeObserver(() => {
      this.dirty.layout = true;
    }).observe(root);
    this.listen();
  }

  /** Take the latest ROC payload (curves carried over by the caller). */
  update(curves, roc) {
    if (curves !== this.curves) {
      this.curves = curves;
      this.hover = -1;
      this.dirty.layout = true;
    }
    this.roc = roc;
    this.dirty.overlay = true;
  }

  get series() {
    return this.curves === null ? null : this.kind.series(this.curves);
  }

  draw() {
    if (this.curves === null || this.roc === null) return;
    if (this.dirty.layout) this.layout();
    if (this.dirty.overlay) this.paint();
  }

  layout() {
    this.dirty.layout = false;
    const fit = fitCanvas(this.canvas);
    this.size = { width: fit.width, height: fit.height };
    this.frame = new Frame2D(fit.width, fit.height, MARGIN, UNIT);
    const ratio = window.devicePixelRatio || 1;
    this.cache.width = this.canvas.width;
    this.cache.height = this.canvas.height;
    const ctx = this.cache.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, fit.width, fit.height);
    const f = this.frame;
    drawAxes(ctx, f, { xTicks: TICKS, yTicks: TICKS });
    ctx.save();
    ctx.font = "12px system-ui, sans-serif";
    ctx.fillStyle = "#333";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(this.kind.xLabel, f.left + f.width / 2, fit.height - 1);
    ctx.translate(11, f.top + f.height / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(this.kind.yLabel, 0, 0);
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left - 3, f.top - 3, f.width + 6, f.height + 6);
    ctx.clip();
    // Chance: the diagonal for ROC, precision = prevalence for PR.
    ctx.setLineDash([5, 4]);
    ctx.strokeStyle = CHANCE_COLOR;
    ctx.lineWidth = 1.3;
    ctx.beginPath();
    const prevalence = this.curves.prevalence;
    if (this.name === "roc") {
      ctx.moveTo(f.px(0), f.py(0));
      ctx.lineTo(f.px(1), f.py(1));
    } else if (prevalence !== null) {
      ctx.moveTo(f.px(0), f.py(prevalence));
      ctx.lineTo(f.px(1), f.py(prevalence));
    }
    ctx.stroke();
    ctx.setLineDash([]);
    const s = this.series;
    if (s.x.length > 0) {
      ctx.beginPath();
      ctx.moveTo(f.px(s.x[0]), f.py(s.y[0]));
      for (let i = 1; i < s.x.length; i += 1) ctx.lineTo(f.px(s.x[i]), f.py(s.y[i]));
      ctx.strokeStyle = CURVE_COLOR;
      ctx.lineWidth = 2.2;
      ctx.lineJoin = "round";
      ctx.stroke();
    }
    ctx.restore();
    this.drawBest(ctx, f);
    if (this.name === "pr" && prevalence !== null) {
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillStyle = "#444";
      ctx.textAlign = "left";
      ctx.textBaseline = prevalence > 0.85 ? "top" : "bottom";
      const y = f.py(prevalence) + (prevalence > 0.85 ? 3 : -3);
      ctx.fillText(`chance = prevalence ${formatNumber(prevalence, 3)}`, f.left + 4, y);
    }
    this.dirty.overlay = true;
  }

  /** Hollow markers at the best-F1 point (square) and, on the ROC, Youden's J (diamond). */
  drawBest(ctx, f) {
    const marks = [["square", this.curves.best_f1, "F1"]];
    if (this.name === "roc") marks.push(["diamond", this.curves.youden, "J"]);
    ctx.font = "10px system-ui, sans-serif";
    const drawn = [];
    this.markLabels = [];
    for (const [shape, best, label] of marks) {
      if (best === null) continue;
      const p = this.name === "roc" ? { x: best.fpr, y: best.tpr } : { x: best.tpr, y: best.precision };
      if (p.x === null || p.y === null) continue;
      const x = f.px(p.x);
      const y = f.py(p.y);
      const r = 5;
      ctx.beginPath();
      if (shape === "square") {
        ctx.rect(x - r, y - r, 2 * r, 2 * r);
      } else {
        ctx.moveTo(x, y - r - 1.5);
        ctx.lineTo(x + r + 1.5, y);
        ctx.lineTo(x, y + r + 1.5);
        ctx.lineTo(x - r - 1.5, y);
        ctx.closePath();
      }
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.3;
      ctx.stroke();
      // Both markers on (nearly) one spot, as at the corner of a perfect ranking: one
      // label names both, rather than two labels drawn over each other.
      const twin = drawn.find((m) => Math.hypot(m.x - x, m.y - y) < 14);
      if (twin !== undefined) {
        twin.text = `${twin.text} · ${label}`;
        continue;
      }
      drawn.push({ x, y, r, shape, text: label });
    }
    ctx.fillStyle = "#000";
    ctx.textBaseline = "top";
    for (const m of drawn) {
      // F1 below its marker, J above it; on the side away from the right edge, and never
      // out of the plot (where the axis' tick labels are).
      const w = ctx.measureText(m.text).width;
      const h = 11;
      const left = m.x + m.r + 3 + w > f.left + f.width;
      let lx = left ? m.x - m.r - 3 - w : m.x + m.r + 3;
      let ly = m.shape === "square" ? m.y + 2 : m.y - 2 - h;
      if (ly < f.top) ly = m.y + 2; // no room above: below it
      if (ly + h > f.top + f.height) ly = m.y - 2 - h; // no room below: above it
      lx = Math.min(Math.max(lx, f.left + 1), f.left + f.width - w - 1);
      ctx.textAlign = "left";
      ctx.fillText(m.text, lx, ly);
      this.markLabels.push({ x: lx, y: ly, w, h });
    }
  }

  paint() {
    this.dirty.overlay = false;
    const ctx = this.canvas.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.cache, 0, 0);
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    const f = this.frame;
    const s = this.series;
    if (this.name === "roc" && this.roc.iso_cost !== null) {
      const seg = this.roc.iso_cost;
      ctx.save();
      ctx.setLineDash([8, 4, 2, 4]);
      ctx.strokeStyle = ISO_COLOR;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.moveTo(f.px(seg.x1), f.py(seg.y1));
      ctx.lineTo(f.px(seg.x2), f.py(seg.y2));
      ctx.stroke();
      ctx.restore();
    }
    if (this.hover >= 0 && this.hover < s.x.length) {
      ctx.beginPath();
      ctx.arc(f.px(s.x[this.hover]), f.py(s.y[this.hover]), 5, 0, 2 * Math.PI);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    const p = this.kind.point(this.roc);
    this.painted = null;
    this.tauLabel = null;
    if (p.x !== null && p.y !== null) {
      const x = f.px(p.x);
      const y = f.py(p.y);
      ctx.beginPath();
      ctx.arc(x, y, 6.5, 0, 2 * Math.PI);
      ctx.fillStyle = POINT_COLOR;
      ctx.fill();
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.6;
      ctx.stroke();
      ctx.font = "bold 11px system-ui, sans-serif";
      ctx.fillStyle = "#000";
      const label = `τ = ${formatNumber(this.roc.at_tau.tau, 3)}`;
      const w = ctx.measureText(label).width;
      const h = 13;
      // The first of four places (preferring right of the point, above it) that stays in the
      // plot and keeps clear of the F1 / J labels.
      const right = x < f.left + f.width * 0.6;
      const sides = [
        [right, y > f.top + 20],
        [right, !(y > f.top + 20)],
        [!right, y > f.top + 20],
        [!right, !(y > f.top + 20)],
      ];
      const boxAt = ([toRight, above]) => ({
        x: toRight ? x + 9 : x - 9 - w,
        y: above ? y - 6 - h : y + 6,
        w,
        h,
      });
      const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      const marks = this.markLabels ?? [];
      const inside = (b) =>
        b.x >= f.left && b.x + b.w <= f.left + f.width + MARGIN.right && b.y >= 0 &&
        b.y + b.h <= f.top + f.height;
      // A place that only meets an F1 / J label moves on past it (down below, up above).
      const clear = (side) => {
        const b = boxAt(side);
        for (let tries = 0; tries < 3; tries += 1) {
          const hit = marks.find((m) => overlaps(b, m));
          if (hit === undefined) return inside(b) ? b : null;
          b.y = side[1] ? hit.y - 1 - b.h : hit.y + hit.h + 1;
        }
        return null;
      };
      const box = sides.map(clear).find((b) => b !== null) ?? boxAt(sides[0]);
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
      ctx.lineWidth = 3.5;
      ctx.lineJoin = "round";
      ctx.strokeText(label, box.x, box.y); // a halo keeps the label readable over the curve
      ctx.fillText(label, box.x, box.y);
      this.tauLabel = box;
      this.painted = { x, y };
    }
    this.showReadout();
  }

  showReadout() {
    let text;
    const s = this.series;
    if (s.x.length === 0) {
      text = this.kind.empty;
    } else if (this.hover >= 0) {
      const i = this.hover;
      text = `Curve point: ${this.kind.read(tauText(s.tau[i]), s.x[i], s.y[i])}`;
    } else {
      const p = this.kind.point(this.roc);
      const tau = formatNumber(this.roc.at_tau.tau, 4);
      text =
        p.y === null
          ? `At τ = ${tau} nothing is predicted class 1, so precision has no value (0 of 0).`
          : `Operating point: ${this.kind.read(`= ${tau}`, p.x, p.y)}`;
    }
    if (this.readout.textContent !== text) this.readout.textContent = text;
  }

  nearest(px, py) {
    const s = this.series;
    const f = this.frame;
    let best = -1;
    let bestD = HOVER_REACH * HOVER_REACH;
    for (let i = 0; i < s.x.length; i += 1) {
      const d = (f.px(s.x[i]) - px) ** 2 + (f.py(s.y[i]) - py) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  setHover(index) {
    if (index === this.hover) return;
    this.hover = index;
    this.dirty.overlay = true;
  }

  pick(index) {
    const tau = this.series.tau[index];
    if (tau !== null && tau !== undefined) this.onPick(Math.min(Math.max(tau, 0), 1));
  }

  listen() {
    const el = this.canvas;
    const local = (event) => {
      const rect = el.getBoundingClientRect();
      return [event.clientX - rect.left, event.clientY - rect.top];
    };
    el.addEventListener("pointermove", (event) => {
      if (this.frame === null || this.curves === null) return;
      this.setHover(this.nearest(...local(event)));
    });
    el.addEventListener("pointerleave", () => this.setHover(-1));
    el.addEventListener("click", (event) => {
      if (this.frame === null || this.curves === null) return;
      const index = this.nearest(...local(event));
      if (index >= 0) this.pick(index);
    });
    el.addEventListener("blur", () => this.setHover(-1));
    el.addEventListener("keydown", (event) => {
      if (this.curves === null) return;
      const n = this.series.x.length;
      if (n === 0) return;
      const step = event.shiftKey ? Math.max(1, Math.round(n / 20)) : 1;
      if (event.key === "ArrowRight" || event.key === "ArrowUp") {
        this.setHover(this.hover < 0 ? 0 : Math.min(n - 1, this.hover + step));
      } else if (event.key === "ArrowLeft" || event.key === "ArrowDown") {
        this.setHover(this.hover < 0 ? n - 1 : Math.max(0, this.hover - step));
      } else if ((event.key === "Enter" || event.key === " ") && this.hover >= 0) {
        this.pick(this.hover);
      } else {
        return;
      }
      event.preventDefault();
    });
  }
}
