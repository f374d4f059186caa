// The loss curve: the server sends one (low, high, last) triple per pixel column,
// so the chart draws the envelope and the line through the columns' last values.

import {
  Frame2D,
  drawAxes,
  fitCanvas,
  labelWidth,
  niceTicks,
  tickLabel,
  watchSize,
} from "./geometry.js";
import { CURVE_COLOR } from "./palette.js";
import { TEST_COLOR, strokeSeries } from "./test-curve.js";
import { formatNumber } from "./format.js";

// A touch screen (no hover): the hint says "tap".
const TOUCH = matchMedia("(hover: none), (pointer: coarse)").matches;
const MARGIN = { left: 48, right: 10, top: 10, bottom: 32 }; // left grows with the labels
const AXIS_NAME = 14; // room for the rotated "objective" left of the y tick labels
const ROOMY = [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];

/** The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10ᵏ that is ≥ v (v > 0). */
function roomyCeil(v) {
  const power = 10 ** Math.floor(Math.log10(v));
  return (ROOMY.find((m) => m * power >= v - 1e-9 * power) ?? 10) * power;
}
const LOG_FLOOR = 1e-12;
const EXACT_NOTE =
  "Fit exactly solved for the optimum directly, so there is no curve of steps; " +
  "train from here to draw one.";

export class LossChart {
  constructor(root, readout) {
    this.canvas = root.querySelector("canvas");
    this.readout = readout;
    this.legend = root.parentElement.querySelector(".loss-legend"); // with a test curve (issue 14)
    this.curve = null;
    this.logScale = false;
    this.exactFit = false;
    this.frame = null;
    this.size = { width: 0, height: 0 };
    this.hoverColumn = -1;
    this.dirty = true;
    this.axesCache = document.createElement("canvas");
    this.axesKey = "";
    this.clippedLabels = 0; // y tick labels wider than the left margin (the tests read it)
    this.left = MARGIN.left; // the plot's left edge: the widest y tick label decides
    this.cssSize = { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
    watchSize(this.canvas, (width, height) => {
      this.cssSize = { width, height };
      this.dirty = true;
    });
    this.canvas.addEventListener("pointermove", (event) => this.hover(event));
    // Touch has no hover: a tap reads the nearest step, and the reading stays after the
    // finger lifts (a touch pointer "leaves" the canvas as soon as it is lifted).
    this.canvas.addEventListener("pointerdown", (event) => this.hover(event));
    // The readout goes back to its hint when the pointer or the keyboard leaves the curve.
    for (const leave of ["pointerleave", "blur"]) {
      this.canvas.addEventListener(leave, (event) => {
        if (event.pointerType === "touch") return;
        this.hoverColumn = -1;
        this.dirty = true;
      });
    }
    // Keyboard: arrows walk the columns (Shift: ten at a time), Home / End jump.
    this.canvas.addEventListener("keydown", (event) => {
      const n = this.curve === null ? 0 : this.curve.steps.length;
      if (n === 0) return;
      const step = event.shiftKey ? 10 : 1;
      const at = this.hoverColumn < 0 ? n - 1 : this.hoverColumn;
      const moves = { ArrowLeft: at - step, ArrowRight: at + step, Home: 0, End: n - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      this.hoverColumn = Math.min(Math.max(moves[event.key], 0), n - 1);
      this.dirty = true;
    });
  }

  /** CSS pixel width available to the curve (the server decimates to this). */
  get columns() {
    return Math.max(16, Math.round(this.cssSize.width - MARGIN.left - MARGIN.right));
  }

  update(curve, logScale, exactFit = false) {
    if (curve !== this.curve || logScale !== this.logScale || exactFit !== this.exactFit) {
      this.dirty = true;
    }
    this.curve = curve;
    this.logScale = logScale;
    this.exactFit = exactFit; // "Fit exactly" took no gradient steps: say so (review)
  }

  y(value) {
    if (value === null || !Number.isFinite(value)) return null;
    return this.logScale ? Math.log10(Math.max(value, LOG_FLOOR)) : value;
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const { width, height, ctx } = fitCanvas(this.canvas, this.cssSize.width, this.cssSize.height);
    this.size = { width, height };
    ctx.clearRect(0, 0, width, height);
    const c = this.curve;
    // The server keeps the history of this connection only: after a reload, a shared link
    // or an import the count goes on (it is in the state) but the curve starts there.
    // (A column's step is its last one, so the first column's step is not where it began.)
    const since = c !== null ? c.first : 0;
    if (c === null || c.steps.length < 2) {
      this.frame = null;
      ctx.fillStyle = "#666";
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "center";
      const empty = this.exactFit ? "Fit exactly took no gradient steps." : "Train to draw the loss curve.";
      ctx.fillText(empty, width / 2, height / 2);
      if (since > 0) {
        ctx.fillText(`(${since} steps were taken before this page loaded.)`, width / 2, height / 2 + 20);
      }
      const text = this.exactFit ? EXACT_NOTE : this.hint(since);
      if (this.readout.textContent !== text) this.readout.textContent = text;
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    const test = c.test ?? null; // the test log loss per column (issue 14)
    if (this.legend !== null && this.legend.hidden !== (test === null)) this.legend.hidden = test === null;
    for (let i = 0; i < c.steps.length; i += 1) {
      const a = this.y(c.low[i]);
      const b = this.y(c.high[i]);
      if (a !== null) lo = Math.min(lo, a);
      if (b !== null) hi = Math.max(hi, b);
      const t = test === null ? null : this.y(test[i]);
      if (t !== null) {
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
    }
    if (!Number.isFinite(lo)) {
      lo = 0;
      hi = 1;
    }
    if (hi - lo < 1e-9) {
      lo -= 0.5;
      hi += 0.5;
    }
    const first = c.first;
    const last = c.steps[c.steps.length - 1];
    // Round the box outward to tick values: it stays put for many frames, so the axes
    // are drawn once into a cache and the curve grows into them.
    let ymin;
    let ymax;
    if (this.logScale) {
      ymin = Math.floor(lo);
      ymax = Math.max(Math.ceil(hi), ymin + 1);
    } else {
      const ticks = niceTicks(lo, hi, 4);
      const unit = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(hi - lo) || 1;
      ymin = Math.max(lo >= 0 ? 0 : -Infinity, Math.floor(lo / unit) * unit);
      ymax = Math.max(Math.ceil(hi / unit) * unit, ymin + unit);
    }
    const view = { xmin: first, xmax: roomyCeil(Math.max(last, first + 1)), ymin, ymax };
    // The axes change only with the box: ticks, margin and labels are worked out then,
    // drawn once into a cache, and each frame draws the curve over that image.
    const key = [width, height, view.xmin, view.xmax, ymin, ymax, this.logScale].join();
    if (key !== this.axesKey) {
      this.axesKey = key;
      const plotHeight = height - MARGIN.top - MARGIN.bottom;
      const yTicks = this.logScale
        ? niceTicks(ymin, ymax, 4).filter(Number.isInteger)
        : niceTicks(ymin, ymax, Math.max(2, Math.floor(plotHeight / 40)));
      const yFormat = this.logScale ? (t) => `1e${t}` : tickLabel;
      // The left margin holds the widest y label (a diverged run's 1e+6) and the axis name.
      const widest = Math.ceil(labelWidth(ctx, yTicks.map(yFormat)));
      this.left = Math.max(MARGIN.left, widest + 8 + AXIS_NAME);
      const axesFrame = new Frame2D(width, height, { ...MARGIN, left: this.left }, view);
      const axes = fitCanvas(this.axesCache, width, height).ctx;
      axes.clearRect(0, 0, width, height);
      this.clippedLabels = drawAxes(axes, axesFrame, {
        xTicks: niceTicks(view.xmin, view.xmax, Math.max(2, Math.floor(axesFrame.width / 80))).filter(
          Number.isInteger,
        ),
        yTicks,
        yFormat,
        xLabel: "step",
        yLabel: this.logScale ? "objective (log)" : "objective",
        outside: true,
      });
    }
    const f = new Frame2D(width, height, { ...MARGIN, left: this.left }, view);
    this.frame = f;
    ctx.drawImage(this.axesCache, 0, 0, width, height);
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left, f.top, f.width, f.height);
    ctx.clip();
    // Envelope: min..max of each column.
    ctx.fillStyle = "rgba(0, 158, 115, 0.25)";
    ctx.beginPath();
    const n = c.steps.length;
    let open = false;
    for (let i = 0; i < n; i += 1) {
      const v = this.y(c.high[i]);
      if (v === null) continue;
      const x = f.px(c.steps[i]);
      if (open) ctx.lineTo(x, f.py(v));
      else ctx.moveTo(x, f.py(v));
      open = true;
    }
    for (let i = n - 1; i >= 0; i -= 1) {
      const v = this.y(c.low[i]);
      if (v === null) continue;
      ctx.lineTo(f.px(c.steps[i]), f.py(v));
    }
    ctx.closePath();
    ctx.fill();
    ctx.strokeStyle = CURVE_COLOR;
    ctx.lineWidth = 2;
    ctx.beginPath();
    open = false;
    for (let i = 0; i < n; i += 1) {
      const v = this.y(c.last[i]);
      if (v === null) {
        open = false;
        continue;
      }
      const x = f.px(c.steps[i]);
      if (open) ctx.lineTo(x, f.py(v));
      else ctx.moveTo(x, f.py(v));
      open = true;
    }
    ctx.stroke();
    if (test !== null) strokeSeries(ctx, f, c.steps, test, (v) => this.y(v), TEST_COLOR);
    const h = this.hoverColumn;
    let readout = this.hint(since);
    if (h >= 0 && h < n) {
      const x = f.px(c.steps[h]);
      ctx.strokeStyle = "rgba(0,0,0,0.5)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(x, f.top);
      ctx.lineTo(x, f.top + f.height);
      ctx.stroke();
      const v = this.y(c.last[h]);
      if (v !== null) {
        ctx.fillStyle = CURVE_COLOR;
        ctx.beginPath();
        ctx.arc(x, f.py(v), 4, 0, 2 * Math.PI);
        ctx.fill();
      }
      readout =
        `step ${c.steps[h]}: loss ${formatNumber(c.last[h], 5)}` +
        (c.low[h] !== c.high[h]
          ? ` (this column spans ${formatNumber(c.low[h], 4)} – ${formatNumber(c.high[h], 4)})`
          : "") +
        (test !== null ? ` · test log loss ${formatNumber(test[h], 5)}` : "");
    }
    ctx.restore();
    if (since > 0) {
      ctx.fillStyle = "#5a5a66";
      ctx.font = "11px system-ui, sans-serif";
      ctx.textAlign = "right";
      ctx.textBaseline = "top";
      ctx.fillText(`history since step ${since} (page load)`, f.left + f.width - 4, f.top + 3);
    }
    if (this.readout.textContent !== readout) this.readout.textContent = readout;
  }

  /** The readout's text when no step is hovered. */
  hint(since) {
    const how = TOUCH ? "tap" : "hover";
    return since > 0
      ? `History since this page loaded (step ${since}); ${how} the curve to read a step's loss.`
      : `${how === "tap" ? "Tap" : "Hover"} the curve to read a step's loss.`;
  }

  hover(event) {
    const c = this.curve;
    const f = this.frame;
    if (c === null || f === null || c.steps.length === 0) return;
    const rect = this.canvas.getBoundingClientRect();
    const step = f.dataX(event.clientX - rect.left);
    let best = 0;
    for (let i = 1; i < c.steps.length; i += 1) {
      if (Math.abs(c.steps[i] - step) < Math.abs(c.steps[best] - step)) best = i;
    }
    this.hoverColumn = best;
    this.dirty = true;
  }
}
