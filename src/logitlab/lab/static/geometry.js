// Canvas sizing, data <-> pixel transforms and axis ticks shared by the charts.

/**
 * Size a canvas's backing store to a CSS box × devicePixelRatio; returns the CSS size and
 * a context drawing in CSS pixels. Pass the size a ResizeObserver reported, so drawing
 * never forces a layout; without it the canvas's client size is read.
 */
export function fitCanvas(canvas, cssWidth = canvas.clientWidth, cssHeight = canvas.clientHeight) {
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(cssWidth));
  const height = Math.max(1, Math.round(cssHeight));
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { width, height, ctx };
}

/** A plot rectangle inside a canvas with margins, mapping a data box onto it. */
export class Frame2D {
  constructor(width, height, margin, view) {
    this.left = margin.left;
    this.top = margin.top;
    this.width = Math.max(1, width - margin.left - margin.right);
    this.height = Math.max(1, height - margin.top - margin.bottom);
    this.view = view; // {xmin, xmax, ymin, ymax}
  }

  px(x) {
    const v = this.view;
    return this.left + ((x - v.xmin) / (v.xmax - v.xmin)) * this.width;
  }

  py(y) {
    const v = this.view;
    return this.top + ((v.ymax - y) / (v.ymax - v.ymin)) * this.height;
  }

  dataX(px) {
    const v = this.view;
    return v.xmin + ((px - this.left) / this.width) * (v.xmax - v.xmin);
  }

  dataY(py) {
    const v = this.view;
    return v.ymax - ((py - this.top) / this.height) * (v.ymax - v.ymin);
  }

  contains(px, py) {
    return (
      px >= this.left && px <= this.left + this.width && py >= this.top && py <= this.top + this.height
    );
  }
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo, hi, count) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks = [];
  for (let t = Math.ceil(lo / unit) * unit; t <= hi + unit * 1e-9; t += unit) {
    ticks.push(Math.abs(t) < unit * 1e-9 ? 0 : t);
  }
  return ticks;
}

/** Short label for a tick value. */
export function tickLabel(value) {
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e5 || abs < 1e-3)) return value.toExponential(0);
  return String(Number(value.toPrecision(6)));
}

export const AXIS_FONT = "11px system-ui, sans-serif";

/** The widest of some tick labels in CSS pixels, in the axes' font. */
export function labelWidth(ctx, labels) {
  ctx.save();
  ctx.font = AXIS_FONT;
  const width = Math.max(0, ...labels.map((t) => ctx.measureText(t).width));
  ctx.restore();
  return width;
}

/**
 * Draw axes (frame, ticks, labels, light grid) for a Frame2D. x tick labels are kept
 * inside the canvas (the last one shifts left rather than being cut). With `outside`,
 * the axis names go below the x ticks and beside the y ticks (rotated) instead of in
 * the plot's corners. Returns how many y labels did not fit in the left margin (0).
 */
export function drawAxes(
  ctx,
  frame,
  { xTicks, yTicks, xLabel, yLabel, yFormat = tickLabel, outside = false },
) {
  ctx.save();
  ctx.font = AXIS_FONT;
  const canvasWidth = ctx.canvas.width / (window.devicePixelRatio || 1);
  ctx.fillStyle = "#333";
  ctx.strokeStyle = "rgba(0, 0, 0, 0.08)";
  ctx.lineWidth = 1;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  const bottom = frame.top + frame.height;
  const right = frame.left + frame.width;
  for (const t of xTicks) {
    const x = Math.round(frame.px(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(x, frame.top);
    ctx.lineTo(x, bottom);
    ctx.stroke();
    const label = tickLabel(t);
    const half = ctx.measureText(label).width / 2;
    ctx.fillText(label, Math.min(Math.max(x, half + 1), canvasWidth - half - 1), bottom + 4);
  }
  let clipped = 0;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const t of yTicks) {
    const y = Math.round(frame.py(t)) + 0.5;
    ctx.beginPath();
    ctx.moveTo(frame.left, y);
    ctx.lineTo(right, y);
    ctx.stroke();
    const label = yFormat(t);
    if (ctx.measureText(label).width > frame.left - 5) clipped += 1;
    ctx.fillText(label, frame.left - 4, y);
  }
  ctx.strokeStyle = "#555";
  ctx.strokeRect(frame.left + 0.5, frame.top + 0.5, frame.width, frame.height);
  if (outside) {
    ctx.fillStyle = "#5a5a66";
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    if (xLabel) ctx.fillText(xLabel, frame.left + frame.width / 2, ctx.canvas.height / (window.devicePixelRatio || 1) - 1);
    if (yLabel) {
      ctx.translate(1, frame.top + frame.height / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "top";
      ctx.fillText(yLabel, 0, 0);
    }
    ctx.restore();
    return clipped;
  }
  if (xLabel) {
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText(xLabel, right - 2, bottom - 2);
  }
  if (yLabel) {
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillText(yLabel, frame.left + 4, frame.top + 2);
  }
  ctx.restore();
  return clipped;
}

/** Call `onSize(width, height)` with an element's content-box size whenever it changes. */
export function watchSize(element, onSize) {
  new ResizeObserver((entries) => {
    const box = entries[entries.length - 1].contentRect;
    onSize(box.width, box.height);
  }).observe(element);
}
