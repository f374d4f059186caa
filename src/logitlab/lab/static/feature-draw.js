// Drawing for the feature maps and the split (issue 14), used by data-chart.js: the
// boundary curves (segments the server traced) and the hollow markers of test points.

import { CLASS_COLORS, markerCanvas } from "./palette.js";

/** Float32 segments (x1, y1, x2, y2, …) from the server's base64. */
export function decodeSegments(text) {
  if (!text) return new Float32Array(0);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/**
 * Join the segments into polylines: neighbouring cells compute their shared crossing
 * point identically, so equal end points mean "continue here". Returns arrays of x, y, ….
 */
export function chainSegments(segs) {
  const n = segs.length >> 2;
  const at = new Map(); // "x,y" -> [segment, end] entries
  const key = (i, end) => `${segs[4 * i + 2 * end]},${segs[4 * i + 2 * end + 1]}`;
  for (let i = 0; i < n; i += 1) {
    for (const end of [0, 1]) {
      const k = key(i, end);
      const list = at.get(k);
      if (list === undefined) at.set(k, [i, end]);
      else list.push(i, end);
    }
  }
  const used = new Uint8Array(n);
  const next = (k) => {
    const list = at.get(k);
    for (let j = 0; j < list.length; j += 2) {
      if (!used[list[j]]) return [list[j], list[j + 1]];
    }
    return null;
  };
  const lines = [];
  for (let i = 0; i < n; i += 1) {
    if (used[i]) continue;
    used[i] = 1;
    const forward = [segs[4 * i + 2], segs[4 * i + 3]];
    const backward = [segs[4 * i], segs[4 * i + 1]];
    for (const [tail, end] of [[forward, 1], [backward, 0]]) {
      let k = key(i, end);
      for (let hop = next(k); hop !== null; hop = next(k)) {
        const [j, e] = hop;
        used[j] = 1;
        const other = 1 - e;
        tail.push(segs[4 * j + 2 * other], segs[4 * j + 2 * other + 1]);
        k = key(j, other);
      }
    }
    // backward holds the start point then points going back: reverse it in pairs.
    const line = [];
    for (let p = backward.length - 2; p >= 0; p -= 2) line.push(backward[p], backward[p + 1]);
    lines.push(line.concat(forward));
  }
  return lines;
}

/** Stroke polylines (from chainSegments) in one path. */
export function strokeLines(ctx, f, lines, color, width, dash) {
  if (lines.length === 0) return;
  ctx.beginPath();
  ctx.setLineDash(dash);
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineJoin = "round";
  for (const line of lines) {
    ctx.moveTo(f.px(line[0]), f.py(line[1]));
    for (let p = 2; p < line.length; p += 2) ctx.lineTo(f.px(line[p]), f.py(line[p + 1]));
  }
  ctx.stroke();
  ctx.lineJoin = "miter";
}

/** A test point's marker: the class's shape, white inside, a thick outline in its colour. */
export function hollowSprite(cls, r, ratio) {
  const line = Math.max(1.2, r * 0.4);
  const { canvas, ctx, half, size } = markerCanvas(cls, r, line, ratio);
  ctx.fillStyle = "#fff";
  ctx.fill();
  ctx.strokeStyle = CLASS_COLORS[cls];
  ctx.lineWidth = line;
  ctx.stroke();
  return { canvas, half, size };
}
