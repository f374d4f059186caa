// The trust views on the data chart (issue 16): the 95 % confidence band around p̂ = τ,
// the selected point's ring, its pull arrow and its leave-one-out ghost boundary (on the
// overlay), and every point's influence as a ring sized by it (on the points layer).
// Everything drawn here was computed in Python (views/band.py, inspector.py, influence.py).

import { setHidden, setText } from "./dom.js";
import { markerRadius } from "./palette.js";

const BAND_FILL = [90, 90, 110, 70]; // RGBA of the band's inside
const GHOST_COLOR = "#6a3d9a";
const ARROW_COLOR = "#c0392b";

function decode(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function segments(ctx, f, xy) {
  ctx.beginPath();
  for (let k = 0; k + 3 < xy.length; k += 4) {
    ctx.moveTo(f.px(xy[k]), f.py(xy[k + 1]));
    ctx.lineTo(f.px(xy[k + 2]), f.py(xy[k + 3]));
  }
  ctx.stroke();
}

export class ChartTrust {
  constructor(doc, connection, chart) {
    this.chart = chart;
    this.band = null;
    this.bandImage = document.createElement("canvas");
    this.inspector = null;
    this.influence = null;
    this.sizes = null;
    this.bandBox = doc.getElementById("show-band");
    this.bandNote = doc.getElementById("band-note");
    this.bandBox.addEventListener("change", () =>
      connection.send({ type: "inspect", show_band: this.bandBox.checked }),
    );
    this.influenceBox = doc.getElementById("show-influence");
    this.influenceNote = doc.getElementById("influence-note");
    this.influenceBox.addEventListener("change", () =>
      connection.send({ type: "inspect", show_influence: this.influenceBox.checked }),
    );
    chart.overlayDrawers.push((ctx, f) => this.drawOverlay(ctx, f));
    chart.pointDrawers.push((ctx, f, c) => this.drawInfluence(ctx, f, c));
  }

  update(frame) {
    if (frame.band !== this.band) {
      this.band = frame.band;
      if (this.band !== null && this.band.size > 0) this.paintBand(this.band);
    }
    this.bandBox.checked = frame.band !== null;
    setText(this.bandNote, frame.band === null ? "" : frame.band.note);
    this.inspector = frame.inspector;
    const influence = frame.influence;
    this.influenceBox.checked = influence !== null;
    setText(this.influenceNote, influence === null ? "" : influence.note);
    const sizes = influence !== null && influence.size ? influence.size : null;
    if (sizes !== this.sizesText) {
      this.sizesText = sizes;
      this.sizes = sizes === null ? null : decode(sizes);
      this.chart.dirty.points = true;
    }
    setHidden(this.bandNote, frame.band === null);
  }

  paintBand(band) {
    const n = band.size;
    const image = this.bandImage;
    image.width = image.height = n;
    const ctx = image.getContext("2d");
    const pixels = ctx.createImageData(n, n);
    const mask = decode(band.mask);
    for (let i = 0; i < mask.length; i += 1) {
      const on = mask[i] > 0;
      for (let c = 0; c < 4; c += 1) pixels.data[4 * i + c] = on ? BAND_FILL[c] : 0;
    }
    ctx.putImageData(pixels, 0, 0);
  }

  drawOverlay(ctx, f) {
    const band = this.band;
    if (band !== null && band.size > 0) {
      ctx.save();
      ctx.imageSmoothingEnabled = true;
      // Grid nodes sit on the window's edges: each pixel of the mask is centred on a node.
      const half = 0.5 / (band.size - 1);
      ctx.drawImage(
        this.bandImage,
        f.left - half * f.width,
        f.top - half * f.height,
        f.width * (1 + 2 * half),
        f.height * (1 + 2 * half),
      );
      ctx.strokeStyle = "rgba(40, 40, 60, 0.9)";
      ctx.lineWidth = 1.3;
      ctx.setLineDash([4, 3]);
      segments(ctx, f, band.lower.xy);
      segments(ctx, f, band.upper.xy);
      ctx.restore();
    }
    const p = this.inspector;
    if (p === null) return;
    ctx.save();
    if (p.ghost !== null) {
      ctx.strokeStyle = GHOST_COLOR;
      ctx.globalAlpha = 0.8;
      ctx.lineWidth = 2;
      ctx.setLineDash([8, 4]);
      segments(ctx, f, p.ghost.xy);
      ctx.globalAlpha = 1;
    }
    ctx.setLineDash([]);
    const x = f.px(p.x);
    const y = f.py(p.y);
    const r = markerRadius(this.chart.pointCount) + 5;
    ctx.lineWidth = 2.5;
    ctx.strokeStyle = "#fff";
    ctx.beginPath();
    ctx.arc(x, y, r, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#111";
    ctx.stroke();
    const a = p.arrow;
    if (a !== null) {
      const x1 = f.px(a.x1);
      const y1 = f.py(a.y1);
      const x2 = f.px(a.x2);
      const y2 = f.py(a.y2);
      const len = Math.hypot(x2 - x1, y2 - y1);
      ctx.strokeStyle = "rgba(0,0,0,0.35)";
      ctx.lineWidth = 1;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      ctx.setLineDash([]);
      if (len >= 2) {
        ctx.strokeStyle = ARROW_COLOR;
        ctx.fillStyle = ARROW_COLOR;
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.moveTo(x1, y1);
        ctx.lineTo(x2, y2);
        ctx.stroke();
        const ux = (x2 - x1) / len;
        const uy = (y2 - y1) / len;
        const head = Math.min(9, len);
        ctx.beginPath();
        ctx.moveTo(x2, y2);
        ctx.lineTo(x2 - head * ux - 0.5 * head * uy, y2 - head * uy + 0.5 * head * ux);
        ctx.lineTo(x2 - head * ux + 0.5 * head * uy, y2 - head * uy - 0.5 * head * ux);
        ctx.closePath();
        ctx.fill();
      }
    }
    ctx.restore();
  }

  drawInfluence(ctx, f, chart) {
    const sizes = this.sizes;
    if (sizes === null || sizes.length !== chart.cls.length) return;
    const base = markerRadius(sizes.length);
    const most = Math.max(14, 4 * base);
    ctx.save();
    ctx.strokeStyle = "rgba(20, 20, 20, 0.55)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i < sizes.length; i += 1) {
      if (sizes[i] < 8) continue; // too small to read: the marker itself is enough
      const r = base + (most - base) * (sizes[i] / 255);
      const x = f.px(chart.xy[2 * i]);
      const y = f.py(chart.xy[2 * i + 1]);
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, 2 * Math.PI);
    }
    ctx.stroke();
    ctx.restore();
  }
}
