// Colours (Okabe–Ito, safe for the common colour-vision deficiencies) and marker shapes.

export const CLASS_COLORS = ["#0072B2", "#E69F00"]; // class 0 blue, class 1 orange
export const CLASS_OUTLINE = ["#003a5c", "#5c3f00"];
export const BOUNDARY_COLOR = "#111111";
export const HALF_LINE_COLOR = "#CC79A7"; // reddish purple
export const CURVE_COLOR = "#009E73"; // bluish green

const BLUE = [0, 114, 178];
const ORANGE = [230, 159, 0];

/**
 * 256 opaque RGBA entries, one per quantized p̂: 0 blue, 0.5 white, 1 orange. The
 * tint is already blended over the chart's white background, so the field canvas is
 * opaque (the browser need not draw what is under it). `FIELD_LUT32` views the same
 * bytes as one 32-bit pixel per entry, in the byte order of ImageData.
 */
const FIELD_LUT = (() => {
  const lut = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i += 1) {
    const p = i / 255;
    const side = p < 0.5 ? BLUE : ORANGE;
    const strength = Math.abs(p - 0.5) * 2; // 0 at the boundary, 1 at certainty
    const alpha = (30 + 130 * strength) / 255;
    for (let c = 0; c < 3; c += 1) {
      const tint = 255 + (side[c] - 255) * 0.85;
      lut[i * 4 + c] = Math.round(255 + (tint - 255) * alpha);
    }
    lut[i * 4 + 3] = 255;
  }
  return lut;
})();
export const FIELD_LUT32 = new Uint32Array(FIELD_LUT.buffer);

/** Draw one marker: class 0 a circle, class 1 a triangle (shape as well as colour). */
export function markerPath(ctx, cls, x, y, r) {
  if (cls === 0) {
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  } else {
    const h = r * 1.25;
    ctx.moveTo(x, y - h);
    ctx.lineTo(x + h, y + h * 0.8);
    ctx.lineTo(x - h, y + h * 0.8);
    ctx.closePath();
  }
}

/** Marker radius in CSS pixels for n points: big when few, small when many. */
export function markerRadius(n) {
  if (n <= 300) return 4.5;
  if (n <= 3000) return 3;
  if (n <= 20000) return 2;
  return 1.3;
}

/**
 * A small canvas at the device pixel ratio, room for a marker of radius r with a line of
 * width `line`, and the marker's path begun at its centre (the caller fills / strokes it).
 */
export function markerCanvas(cls, r, line, ratio) {
  const half = Math.ceil(r * 1.4 + line + 1);
  const size = 2 * half;
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = Math.ceil(size * ratio);
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  ctx.beginPath();
  markerPath(ctx, cls, half, half, r);
  return { canvas, ctx, half, size };
}

/**
 * One marker drawn once onto a small canvas at the device pixel ratio; stamping it with
 * drawImage is far cheaper than building a path of thousands of shapes.
 */
export function markerSprite(cls, r, outline, ratio) {
  const { canvas, ctx, half, size } = markerCanvas(cls, r, outline, ratio);
  ctx.fillStyle = CLASS_COLORS[cls];
  ctx.fill();
  if (outline > 0) {
    ctx.strokeStyle = CLASS_OUTLINE[cls];
    ctx.lineWidth = outline;
    ctx.stroke();
  }
  return { canvas, half, size };
}
