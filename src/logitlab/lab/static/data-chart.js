// The data chart: three stacked canvases.
//   field   — p̂ heatmap over the plot rectangle only, opaque (the grid's 64 × 64 values
//             stretched bilinearly; redrawn when a new field arrives)
//   points  — frame, grid and ticks, then the markers (redrawn only when the points,
//             the view or the size change; the axes are a cached image)
//   overlay — boundary lines, drag ghost, keyboard cursor (cheap; every new frame)
// Few canvases on purpose: the browser hands every canvas to its compositor on every
// frame, changed or not, and each changed one costs a copy of its pixels.
// The overlay takes the pointer and the keyboard and reports edits through callbacks.

import { Frame2D, drawAxes, fitCanvas, niceTicks, watchSize } from "./geometry.js";
import {
  BOUNDARY_COLOR,
  CLASS_COLORS,
  FIELD_LUT32,
  classFieldLut,
  classRange,
  HALF_LINE_COLOR,
  markerPath,
  markerRadius,
  markerSprite,
} from "./palette.js";
import { chainSegments, decodeSegments, hollowSprite, strokeLines } from "./feature-draw.js";
import { isFocused } from "./dom.js";

const MARGIN = { left: 34, right: 8, top: 8, bottom: 24 };
const DRAG_SLOP = 4; // pixels a press may wander and still count as a click

function decodeBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameView(a, b) {
  return (
    a !== null && a.xmin === b.xmin && a.xmax === b.xmax && a.ymin === b.ymin && a.ymax === b.ymax
  );
}

export class DataChart {
  constructor(root, { onAdd, onMove, onDelete, onHover, onLeave, onSelect = null }) {
    this.root = root;
    this.layers = {};
    for (const canvas of root.querySelectorAll("canvas")) this.layers[canvas.dataset.layer] = canvas;
    this.overlay = this.layers.overlay;
    this.callbacks = { onAdd, onMove, onDelete, onHover, onLeave, onSelect };
    // Trust views (issue 16): extra drawing on the overlay (every frame) and on the points
    // layer (when the points are redrawn), each a function (ctx, frame2d, chart).
    this.overlayDrawers = [];
    this.pointDrawers = [];
    this.view = null;
    this.frame = null; // Frame2D of the current layout
    this.size = { width: 0, height: 0 };
    this.xy = new Float32Array(0);
    this.cls = new Uint8Array(0);
    this.pointsVersion = -1;
    this.nClasses = 2; // issue 14, part 3
    this.fieldPayload = null;
    this.fieldImage = document.createElement("canvas"); // the grid, one pixel per value
    this.fieldPixels = null;
    this.axesImage = document.createElement("canvas"); // frame, grid, ticks: drawn on layout
    this.boundary = null;
    this.halfLine = null;
    this.test = null; // 1 per test point (issue 14), null without a split
    this.testSource = null;
    this.contours = null; // {tau, half}: Float32Array segments at degree > 1
    this.contourSource = null;
    this.drag = null; // {index, x, y, moved, startX, startY, add}
    this.cursor = null; // keyboard cursor in data coordinates
    this.keyboard = false; // draw the cursor: the chart has keyboard (not pointer) focus
    this.deleteMode = false; // a click or tap removes the point under it (the Delete point button)
    root.dataset.keyboardCursor = "off";
    this.dirty = { layout: true, points: true, field: true, overlay: true };
    this.cssSize = { width: 0, height: 0 };
    watchSize(root, (width, height) => {
      this.cssSize = { width, height };
      this.dirty.layout = true;
    });
    this.listen();
  }

  /** Take the latest frame; draw() paints what changed. */
  update(frame) {
    const k = frame.n_classes ?? 2; // issue 14, part 3: markers and field for K classes
    if (k !== this.nClasses) {
      this.nClasses = k;
      this.dirty.points = this.dirty.field = true;
    }
    if (!sameView(this.view, frame.view)) {
      this.view = { ...frame.view };
      this.dirty.layout = true;
    }
    const custom = frame.state.data.custom; // CSV points: the axes carry the column names
    const [xName, yName] = custom ? [custom.x_name, custom.y_name] : ["x", "y"];
    if (xName !== this.axisNames?.[0] || yName !== this.axisNames?.[1]) {
      this.axisNames = [xName, yName];
      this.dirty.layout = true;
    }
    const testSource = frame.points?.test ?? null; // hollow test points (issue 14)
    if (
      frame.points !== null &&
      (frame.points.version !== this.pointsVersion || testSource !== this.testSource)
    ) {
      this.pointsVersion = frame.points.version;
      this.xy = new Float32Array(decodeBase64(frame.points.xy).buffer);
      this.cls = decodeBase64(frame.points.cls);
      this.testSource = testSource;
      this.test = testSource === null ? null : decodeBase64(testSource);
      this.dirty.points = true;
    }
    // The boundary curves at degree > 1 (issue 14).
    const contours = frame.contours ?? null;
    if (contours !== this.contourSource) {
      this.contourSource = contours;
      this.contours =
        contours === null
          ? null
          : {
              tau: chainSegments(decodeSegments(contours.tau)),
              half: chainSegments(decodeSegments(contours.half)),
            };
    }
    if (frame.field !== this.fieldPayload) {
      this.fieldPayload = frame.field;
      this.dirty.field = true;
    }
    this.boundary = frame.boundary;
    this.halfLine = frame.half_line;
    this.dirty.overlay = true;
  }

  get pointCount() {
    return this.cls.length;
  }

  draw() {
    if (this.view === null) return;
    if (this.dirty.layout) this.layout();
    if (this.dirty.field) this.drawField();
    if (this.dirty.points) this.drawPoints();
    if (this.dirty.overlay) this.drawOverlay();
  }

  layout() {
    this.dirty.layout = false;
    let ctx = null;
    for (const canvas of [this.layers.points, this.layers.overlay, this.axesImage]) {
      const fit = fitCanvas(canvas, this.cssSize.width, this.cssSize.height);
      this.size = { width: fit.width, height: fit.height };
      if (canvas === this.axesImage) ctx = fit.ctx;
    }
    this.frame = new Frame2D(this.size.width, this.size.height, MARGIN, this.view);
    // The field canvas covers the plot rectangle only, placed in percent of the chart so
    // that it stretches exactly as the full-size layers do when the chart's CSS size is
    // fractional (the layers are drawn at the rounded size).
    const f = this.frame;
    const share = (part, whole) => `${(100 * part) / whole}%`;
    Object.assign(this.layers.field.style, {
      left: share(f.left, this.size.width),
      top: share(f.top, this.size.height),
      width: share(f.width, this.size.width),
      height: share(f.height, this.size.height),
    });
    const v = this.view;
    ctx.clearRect(0, 0, this.size.width, this.size.height);
    // The same number of ticks on both axes: on a square view, the same spacing.
    const count = Math.max(3, Math.floor(Math.min(this.frame.width, this.frame.height) / 55));
    drawAxes(ctx, this.frame, {
      xTicks: niceTicks(v.xmin, v.xmax, count),
      yTicks: niceTicks(v.ymin, v.ymax, count),
      xLabel: this.axisNames?.[0] ?? "x",
      yLabel: this.axisNames?.[1] ?? "y",
    });
    this.dirty.field = this.dirty.points = this.dirty.overlay = true;
  }

  drawField() {
    this.dirty.field = false;
    const canvas = this.layers.field;
    const payload = this.fieldPayload;
    canvas.hidden = payload === null; // field switched off: the chart's white shows
    if (payload === null) return;
    // Grid value (r, c) is p̂ at the centre of cell (r, c): one pixel each of a small image,
    // stretched bilinearly so the pixel centres land on the cell centres. (Letting the
    // compositor stretch a 64 × 64 canvas instead cost its software renderer ~3 ms a frame.)
    const n = payload.size;
    const image = this.fieldImage;
    const small = image.getContext("2d", { alpha: false });
    if (image.width !== n || image.height !== n) {
      image.width = image.height = n;
      this.fieldPixels = small.createImageData(n, n); // reused by every frame of this size
    }
    const values = decodeBase64(payload.data);
    const pixels = this.fieldPixels;
    const out = new Uint32Array(pixels.data.buffer);
    if (payload.classes) {
      // issue 14, part 3: the most probable class's tint, shaded by its probability.
      const classes = decodeBase64(payload.classes);
      const lut = classFieldLut(this.nClasses);
      for (let i = 0; i < values.length; i += 1) out[i] = lut[classes[i] * 256 + values[i]];
    } else {
      for (let i = 0; i < values.length; i += 1) out[i] = FIELD_LUT32[values[i]];
    }
    small.putImageData(pixels, 0, 0);
    const f = this.frame;
    const ratio = window.devicePixelRatio || 1;
    const w = Math.round(f.width * ratio);
    const h = Math.round(f.height * ratio);
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    const ctx = canvas.getContext("2d", { alpha: false });
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "low";
    ctx.drawImage(image, 0, 0, w, h);
  }

  drawPoints(skip = -1) {
    this.dirty.points = false;
    const ctx = this.layers.points.getContext("2d");
    ctx.clearRect(0, 0, this.size.width, this.size.height);
    ctx.drawImage(this.axesImage, 0, 0, this.size.width, this.size.height);
    const f = this.frame;
    const n = this.cls.length;
    const r = markerRadius(n);
    const outline = n <= 300 ? 1.2 : n <= 3000 ? 0.7 : 0;
    const ratio = window.devicePixelRatio || 1;
    const classes = classRange(Math.max(2, this.nClasses)); // issue 14, part 3
    const sprites = classes.map((cls) => markerSprite(cls, r, outline, ratio));
    const test = this.test;
    const hollow = test === null ? null : classes.map((cls) => hollowSprite(cls, r, ratio));
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left, f.top, f.width, f.height);
    ctx.clip();
    if (n > 20000) {
      // Dense: plain rectangles, a square for class 0 and a plus for class 1.
      const a = r * 1.5;
      for (const cls of classes) {
        ctx.fillStyle = CLASS_COLORS[cls];
        for (let i = 0; i < n; i += 1) {
          if (this.cls[i] !== cls || i === skip) continue;
          const x = f.px(this.xy[2 * i]);
          const y = f.py(this.xy[2 * i + 1]);
          if (test !== null && test[i] === 1) {
            ctx.strokeStyle = CLASS_COLORS[cls];
            ctx.lineWidth = 1;
            ctx.strokeRect(x - a / 2, y - a / 2, a, a);
          } else if (cls === 0) {
            ctx.fillRect(x - a / 2, y - a / 2, a, a);
          } else {
            ctx.fillRect(x - a, y - a / 4, 2 * a, a / 2);
            ctx.fillRect(x - a / 4, y - a, a / 2, 2 * a);
          }
        }
      }
      ctx.restore();
      return;
    }
    for (let i = 0; i < n; i += 1) {
      if (i === skip) continue;
      const sprite = (hollow !== null && test[i] === 1 ? hollow : sprites)[this.cls[i]];
      // Whole device pixels: the stamp stays crisp.
      const x = Math.round((f.px(this.xy[2 * i]) - sprite.half) * ratio) / ratio;
      const y = Math.round((f.py(this.xy[2 * i + 1]) - sprite.half) * ratio) / ratio;
      ctx.drawImage(sprite.canvas, x, y, sprite.size, sprite.size);
    }
    for (const drawer of this.pointDrawers) drawer(ctx, f, this);
    ctx.restore();
  }

  drawOverlay() {
    this.dirty.overlay = false;
    const ctx = this.overlay.getContext("2d");
    ctx.clearRect(0, 0, this.size.width, this.size.height);
    const f = this.frame;
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left, f.top, f.width, f.height);
    ctx.clip();
    const line = (seg, color, width, dash) => {
      if (seg === null) return;
      ctx.beginPath();
      ctx.setLineDash(dash);
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.moveTo(f.px(seg.x1), f.py(seg.y1));
      ctx.lineTo(f.px(seg.x2), f.py(seg.y2));
      ctx.stroke();
    };
    line(this.halfLine, HALF_LINE_COLOR, 2, [6, 5]);
    line(this.boundary, "rgba(255,255,255,0.8)", 4.5, []);
    line(this.boundary, BOUNDARY_COLOR, 2, []);
    if (this.contours) {
      strokeLines(ctx, f, this.contours.half, HALF_LINE_COLOR, 2, [6, 5]);
      strokeLines(ctx, f, this.contours.tau, "rgba(255,255,255,0.8)", 4.5, []);
      strokeLines(ctx, f, this.contours.tau, BOUNDARY_COLOR, 2, []);
    }
    ctx.setLineDash([]);
    for (const drawer of this.overlayDrawers) drawer(ctx, f, this);
    if (this.drag !== null && this.drag.index >= 0 && this.drag.moved) {
      const cls = this.cls[this.drag.index];
      ctx.beginPath();
      markerPath(ctx, cls, this.drag.x, this.drag.y, markerRadius(this.cls.length) + 1.5);
      ctx.fillStyle = CLASS_COLORS[cls];
      ctx.fill();
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    if (this.cursor !== null && this.keyboard && isFocused(this.overlay)) {
      const x = f.px(this.cursor.x);
      const y = f.py(this.cursor.y);
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x - 9, y);
      ctx.lineTo(x + 9, y);
      ctx.moveTo(x, y - 9);
      ctx.lineTo(x, y + 9);
      ctx.stroke();
    }
    ctx.restore();
  }

  /** Index of the point under pixel (px, py), or -1. */
  hit(px, py) {
    const f = this.frame;
    const reach = Math.max(7, markerRadius(this.cls.length) + 3);
    let best = -1;
    let bestD = reach * reach;
    for (let i = 0; i < this.cls.length; i += 1) {
      const dx = f.px(this.xy[2 * i]) - px;
      const dy = f.py(this.xy[2 * i + 1]) - py;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  /** Index of the point nearest to data (x, y), or -1 when there are none. */
  nearest(x, y) {
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < this.cls.length; i += 1) {
      const d = (this.xy[2 * i] - x) ** 2 + (this.xy[2 * i + 1] - y) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  local(event) {
    const rect = this.overlay.getBoundingClientRect();
    return { px: event.clientX - rect.left, py: event.clientY - rect.top };
  }

  listen() {
    const el = this.overlay;
    el.addEventListener("contextmenu", (event) => {
      event.preventDefault();
      if (this.frame === null) return;
      const { px, py } = this.local(event);
      const index = this.hit(px, py);
      if (index >= 0) this.callbacks.onDelete(index);
    });
    el.addEventListener("pointerdown", (event) => {
      this.useKeyboard(false); // a click focuses the chart too: no keyboard cursor then
      if (event.button !== 0 || this.frame === null) return;
      const { px, py } = this.local(event);
      if (!this.frame.contains(px, py)) return;
      const index = this.hit(px, py);
      if (event.shiftKey || this.deleteMode) {
        if (index >= 0) this.callbacks.onDelete(index);
        return;
      }
      el.setPointerCapture(event.pointerId);
      this.drag = { index, x: px, y: py, startX: px, startY: py, moved: false };
    });
    el.addEventListener("pointermove", (event) => {
      if (this.frame === null) return;
      const { px, py } = this.local(event);
      const drag = this.drag;
      if (drag !== null) {
        if (Math.hypot(px - drag.startX, py - drag.startY) > DRAG_SLOP && drag.index >= 0) {
          if (!drag.moved) this.drawPoints(drag.index); // lift the point off its layer
          drag.moved = true;
        }
        drag.x = Math.min(Math.max(px, this.frame.left), this.frame.left + this.frame.width);
        drag.y = Math.min(Math.max(py, this.frame.top), this.frame.top + this.frame.height);
        this.drawOverlay();
      }
      if (this.frame.contains(px, py)) {
        this.callbacks.onHover(this.frame.dataX(px), this.frame.dataY(py));
      } else {
        this.callbacks.onLeave();
      }
    });
    el.addEventListener("pointerup", () => {
      const drag = this.drag;
      this.drag = null;
      if (drag === null || this.frame === null) return;
      const f = this.frame;
      if (drag.moved) {
        this.callbacks.onMove(drag.index, f.dataX(drag.x), f.dataY(drag.y));
      } else if (drag.index >= 0 && this.callbacks.onSelect !== null) {
        // A click on a point without dragging selects it (the Point inspector).
        this.callbacks.onSelect(drag.index);
      } else {
        // A press that did not drag is a click: it adds a point of the active class.
        this.callbacks.onAdd(f.dataX(drag.startX), f.dataY(drag.startY));
      }
    });
    el.addEventListener("pointercancel", () => {
      if (this.drag !== null && this.drag.moved) this.dirty.points = true;
      this.drag = null;
    });
    el.addEventListener("pointerleave", () => {
      if (this.drag === null) this.callbacks.onLeave();
    });
    el.addEventListener("keydown", (event) => this.key(event));
    el.addEventListener("focus", () => {
      if (this.cursor === null && this.view !== null) {
        this.cursor = { x: (this.view.xmin + this.view.xmax) / 2, y: (this.view.ymin + this.view.ymax) / 2 };
      }
      this.useKeyboard(el.matches(":focus-visible"));
      this.dirty.overlay = true;
    });
    el.addEventListener("blur", () => {
      this.dirty.overlay = true;
    });
  }

  /** Show or hide the keyboard cursor (the wrapper's data-keyboard-cursor says which). */
  useKeyboard(on) {
    if (this.keyboard === on) return;
    this.keyboard = on;
    this.root.dataset.keyboardCursor = on ? "on" : "off";
    this.dirty.overlay = true;
  }

  key(event) {
    if (this.view === null || this.cursor === null) return;
    if (["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Enter", " ", "Delete", "Backspace"].includes(event.key)) {
      this.useKeyboard(true);
    }
    const v = this.view;
    const stepX = (v.xmax - v.xmin) * (event.shiftKey ? 0.1 : 0.02);
    const stepY = (v.ymax - v.ymin) * (event.shiftKey ? 0.1 : 0.02);
    const moves = {
      ArrowLeft: [-stepX, 0],
      ArrowRight: [stepX, 0],
      ArrowUp: [0, stepY],
      ArrowDown: [0, -stepY],
    };
    if (event.key in moves) {
      const [dx, dy] = moves[event.key];
      this.cursor = {
        x: Math.min(Math.max(this.cursor.x + dx, v.xmin), v.xmax),
        y: Math.min(Math.max(this.cursor.y + dy, v.ymin), v.ymax),
      };
      this.callbacks.onHover(this.cursor.x, this.cursor.y);
      this.dirty.overlay = true;
    } else if (event.key === "Enter" || event.key === " ") {
      this.callbacks.onAdd(this.cursor.x, this.cursor.y);
    } else if (event.key === "Delete" || event.key === "Backspace") {
      const index = this.nearest(this.cursor.x, this.cursor.y);
      if (index >= 0) this.callbacks.onDelete(index);
    } else if ((event.key === "i" || event.key === "I") && this.callbacks.onSelect !== null) {
      // I inspects the point nearest the keyboard cursor.
      this.useKeyboard(true);
      const index = this.nearest(this.cursor.x, this.cursor.y);
      if (index >= 0) this.callbacks.onSelect(index);
    } else {
      return;
    }
    event.preventDefault();
  }

  /** Paint the chart's layers onto a 2D context (for the PNG export). */
  composite(ctx, x, y) {
    this.draw(); // the layers as of the latest frame, which the caption describes
    const f = this.frame;
    if (f === null) return; // nothing drawn yet
    if (this.fieldPayload !== null) {
      ctx.save();
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = "low"; // bilinear, as the page shows it
      ctx.drawImage(this.layers.field, x + f.left, y + f.top, f.width, f.height);
      ctx.restore();
    }
    for (const name of ["points", "overlay"]) {
      ctx.drawImage(this.layers[name], x, y, this.size.width, this.size.height);
    }
  }
}
