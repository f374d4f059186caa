// Colours (Okabe–Ito, safe for the common colour-vision deficiencies) and marker shapes.

// issue 14, part 3: five classes, all Okabe–Ito: blue, orange, bluish green, vermillion,
// reddish purple; each class also has its own marker shape (markerPath).
export const CLASS_COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7"];
export const CLASS_OUTLINE = ["#003a5c", "#5c3f00", "#00503a", "#6b2f00", "#66394f"];
export const CLASS_SHAPES = ["circle", "triangle", "square", "diamond", "inverted triangle"];
/** Every class index up to `k` − 1. */
export const classRange = (k) => Array.from({ length: k }, (_, i) => i);
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

const CLASS_RGB = CLASS_COLORS.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));
const classLuts = new Map();

/**
 * K > 2 classes (issue 14, part 3): 256 opaque pixels per class (entry 256·k + v), for the
 * most probable class k at probability v / 255: white at 1 / K (no class ahead), the
 * class's tint at certainty. Built once per K.
 */
export function classFieldLut(k) {
  let lut = classLuts.get(k);
  if (lut !== undefined) return lut;
  const bytes = new Uint8ClampedArray(256 * 4 * k);
  for (let cls = 0; cls < k; cls += 1) {
    for (let i = 0; i < 256; i += 1) {
      const strength = Math.max(0, (i / 255 - 1 / k) / (1 - 1 / k));
      const alpha = (30 + 130 * strength) / 255;
      const at = (cls * 256 + i) * 4;
      for (let c = 0; c < 3; c += 1) {
        const tint = 255 + (CLASS_RGB[cls][c] - 255) * 0.85;
        bytes[at + c] = Math.round(255 + (tint - 255) * alpha);
      }
      bytes[at + 3] = 255;
    }
  }
  lut = new Uint32Array(bytes.buffer);
  classLuts.set(k, lut);
  return lut;
}

/**
 * Draw one marker: class 0 a circle, 1 a triangle, 2 a square, 3 a diamond, 4 an inverted
 * triangle (shape as well as colour).
 */
export function markerPath(ctx, cls, x, y, r) {
  if (cls === 0) {
    ctx.moveTo(x + r, y);
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  } else if (cls === 2) {
    const a = r * 0.9;
    ctx.rect(x - a, y - a, 2 * a, 2 * a);
  } else if (cls === 3) {
    const a = r * 1.3;
    ctx.moveTo(x, y - a);
    ctx.lineTo(x + a, y);
    ctx.lineTo(x, y + a);
    ctx.lineTo(x - a, y);
    ctx.closePath();
  } else if (cls === 4) {
    const h = r * 1.25;
    ctx.moveTo(x, y + h);
    ctx.lineTo(x + h, y - h * 0.8);
    ctx.lineTo(x - h, y - h * 0.8);
    ctx.closePath();
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
