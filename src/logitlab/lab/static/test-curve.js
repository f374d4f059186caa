// The test log loss on the loss chart (issue 14): a dashed line in its own colour.

export const TEST_COLOR = "#D55E00"; // vermillion (Okabe–Ito)

/** Stroke one value per column (null breaks the line), dashed. */
export function strokeSeries(ctx, f, steps, values, y, color) {
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = 2;
  ctx.setLineDash([5, 3]);
  ctx.beginPath();
  let open = false;
  for (let i = 0; i < steps.length; i += 1) {
    const v = y(values[i]);
    if (v === null) {
      open = false;
      continue;
    }
    const x = f.px(steps[i]);
    if (open) ctx.lineTo(x, f.py(v));
    else ctx.moveTo(x, f.py(v));
    open = true;
  }
  ctx.stroke();
  ctx.restore();
}
