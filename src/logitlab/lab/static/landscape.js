// The loss landscape (Frame.landscape, views/landscape.py): filled contours of the objective
// over two coefficients on log-spaced levels with a colour bar, the optimizer's path
// (Frame.landscape_path), the current point and the exact optimum; the optimizer race's
// paths on it (Frame.race), its loss curves and its table. Clicking or dragging sets the two
// coefficients (set_coefs); with the canvas focused the arrow keys move them. Its text
// alternative is the summary under it (and the race's table).

import { Frame2D, drawAxes, fitCanvas, niceTicks, watchSize } from "./geometry.js";
import { formatNumber } from "./format.js";
import { setHidden, setText } from "./dom.js";

const MARGIN = { left: 44, right: 64, top: 10, bottom: 32 };
const CURVE_MARGIN = { left: 60, right: 10, top: 10, bottom: 30 };
// Viridis anchors (dark = low); the bands are interpolated between them.
const ANCHORS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];
// Okabe–Ito colours for the racers (colour-blind safe), drawn over a white halo.
export const RACER_COLORS = {
  gd: "#0072B2",
  momentum: "#E69F00",
  adam: "#CC79A7",
  sgd: "#56B4E9",
  newton: "#D55E00",
};
const KEY_STEP = 0.02; // arrow keys move by this share of the window

function bandColor(k, n) {
  const t = n <= 1 ? 0 : Math.min(1, k / (n - 1));
  const x = t * (ANCHORS.length - 1);
  const i = Math.min(ANCHORS.length - 2, Math.floor(x));
  const f = x - i;
  return ANCHORS[i].map((v, c) => Math.round(v + f * (ANCHORS[i + 1][c] - v)));
}

const num = (v) => formatNumber(v, 4);

/** The colour bar's labels: 3 significant digits, more while two distinct levels would
 *  read the same (log-spaced levels close above the minimum showed "0.0933" twice). */
function distinctLabels(values) {
  let labels = values.map((v) => formatNumber(v, 3));
  for (let digits = 4; digits <= 6 && new Set(labels).size < new Set(values).size; digits += 1) {
    labels = values.map((v) => formatNumber(v, digits));
  }
  return labels;
}

export class LandscapePanel {
  constructor(doc, connection) {
    this.connection = connection;
    this.canvas = doc.querySelector(".landscape-wrap canvas");
    this.summary = doc.getElementById("landscape-summary");
    this.readout = doc.getElementById("landscape-readout");
    this.pickA = doc.getElementById("landscape-a");
    this.pickB = doc.getElementById("landscape-b");
    this.raceStart = doc.getElementById("race-start");
    this.raceClear = doc.getElementById("race-clear");
    this.raceLegend = doc.getElementById("race-legend");
    this.raceWrap = doc.getElementById("race-wrap");
    this.raceCanvas = this.raceWrap.querySelector("canvas");
    this.raceSummary = doc.getElementById("race-summary");
    this.raceTable = doc.getElementById("race-table");
    // Replaying the race: draw every racer up to a step (null: live, the newest step).
    this.raceRow = doc.getElementById("race-replay-row");
    this.raceStep = doc.getElementById("race-step");
    this.raceStepReadout = doc.getElementById("race-step-readout");
    this.raceAt = null;
    this.raceStep.addEventListener("input", () => {
      const k = Number(this.raceStep.value);
      this.raceAt = this.race && k >= this.race.steps ? null : k;
      setText(this.raceStepReadout, this.raceAt === null ? "live" : `step ${k}`);
      this.dirty = true;
      this.raceDirty = true;
    });
    this.grid = null; // the last Frame.landscape
    this.path = null;
    this.race = null;
    this.image = null; // the grid as a canvas, one pixel per grid point
    this.frame = null;
    this.dirty = true;
    this.raceDirty = true;
    this.dragging = false;
    this.hovering = false;
    this.names = "";
    this.steps = null;
    this.pauseTimer = 0;
    this.perf = { draws: 0, pathPoints: 0, racePaths: 0, drawMs: 0, barLabels: [] };
    this.cssSize = { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
    watchSize(this.canvas, (width, height) => {
      this.cssSize = { width, height };
      this.dirty = true;
    });
    this.raceSize = { width: 0, height: 0 };
    watchSize(this.raceCanvas, (width, height) => {
      this.raceSize = { width, height };
      this.raceDirty = true;
    });
    const pick = () => {
      let a = Number(this.pickA.value);
      let b = Number(this.pickB.value);
      if (a === b) b = a === 0 ? 1 : 0;
      connection.send({ type: "show_landscape", visible: this.visible, axes: [a, b] });
    };
    this.pickA.addEventListener("change", pick);
    this.pickB.addEventListener("change", pick);
    this.canvas.addEventListener("pointerdown", (event) => {
      if (this.at(event) === null) return;
      this.dragging = true;
      this.canvas.setPointerCapture(event.pointerId);
      this.set(this.at(event));
    });
    this.canvas.addEventListener("pointermove", (event) => {
      const at = this.at(event);
      if (this.dragging && at !== null) this.set(at);
      this.hover(at);
    });
    const stop = () => {
      this.dragging = false;
    };
    this.canvas.addEventListener("pointerleave", () => this.hover(null));
    this.canvas.addEventListener("pointerup", stop);
    this.canvas.addEventListener("pointercancel", stop);
    this.canvas.addEventListener("keydown", (event) => this.key(event));
    this.raceStart.addEventListener("click", () => connection.send({ type: "race", action: "start" }));
    this.raceClear.addEventListener("click", () => connection.send({ type: "race", action: "stop" }));
    // The server computes the landscape only while the panel is on screen.
    this.visible = false;
    new IntersectionObserver((entries) => {
      const visible = entries[entries.length - 1].isIntersecting;
      if (visible !== this.visible) {
        this.visible = visible;
        connection.send({ type: "show_landscape", visible });
      }
    }).observe(doc.querySelector(".landscape-panel"));
    requestAnimationFrame(() => this.tick());
  }

  tick() {
    if (this.visible) {
      // Off screen nothing is drawn; what changed meanwhile is drawn once back in view.
      const start = performance.now();
      this.draw();
      this.drawRace();
      this.perf.drawMs += performance.now() - start;
    }
    requestAnimationFrame(() => this.tick());
  }

  /** The two coefficients under a pointer event (null off the plot). */
  at(event) {
    const f = this.frame;
    if (f === null) return null;
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    if (!f.contains(x, y)) return null;
    return [f.dataX(x), f.dataY(y)];
  }

  set([a, b]) {
    const axes = this.grid?.axes;
    if (!axes) return;
    const round = (v) => Number(v.toPrecision(5));
    this.connection.sendLatest("landscape", {
      type: "set_coefs",
      index: [axes[0], axes[1]],
      value: [round(a), round(b)],
    });
  }

  hover(at) {
    this.hovering = at !== null; // the pointer's read-out stays until it leaves the plot
    const g = this.grid;
    if (!g || !g.computed || g.size === 0) return;
    const [i, j] = g.axes;
    if (at === null) {
      setText(this.readout, "Click or drag to set the two coefficients; with the landscape focused, the arrow keys move them.");
      return;
    }
    setText(this.readout, `${g.names[i]} = ${num(at[0])}, ${g.names[j]} = ${num(at[1])} (click to set them)`);
  }

  key(event) {
    const g = this.grid;
    const p = this.path;
    if (!g || !p || g.size === 0) return;
    const da = (g.a_range[1] - g.a_range[0]) * KEY_STEP;
    const db = (g.b_range[1] - g.b_range[0]) * KEY_STEP;
    const moves = { ArrowLeft: [-da, 0], ArrowRight: [da, 0], ArrowUp: [0, db], ArrowDown: [0, -db] };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    this.keyAt = this.keyAt ?? [...p.current];
    this.keyAt = [this.keyAt[0] + move[0], this.keyAt[1] + move[1]];
    this.set(this.keyAt);
  }

  update(frame) {
    const g = frame.landscape;
    if (g && g !== this.grid) {
      // A new session (a reconnect) does not know the panel is on screen: say so once.
      if (g.computed === false && this.visible) {
        this.connection.send({ type: "show_landscape", visible: true, axes: g.axes });
      }
      this.grid = g;
      this.image = this.gridImage(g);
      this.fillPickers(g);
      setText(this.summary, g.message || g.text);
      this.dirty = true;
    }
    const p = frame.landscape_path;
    if (p && p !== this.path) {
      this.path = p;
      if (!this.connection.busy("landscape")) this.keyAt = null;
      const g2 = this.grid;
      if (g2 && g2.computed) {
        const [i, j] = p.axes;
        const value = p.value === null ? "" : `, objective ${num(p.value)}`;
        if (!this.hovering) {
          setText(this.readout, `Now ${g2.names[i]} = ${num(p.current[0])}, ${g2.names[j]} = ${num(p.current[1])}${value}.`);
        }
      }
      this.dirty = true;
    }
    const r = frame.race;
    if (r && r !== this.race) {
      this.race = r.racers.length ? r : null;
      this.fillRace(this.race);
      this.dirty = true;
      this.raceDirty = true;
    }
    // Training refreshes the grid at most every 0.25 s: once the steps stop, ask again so
    // the last picture holds the final held coefficients.
    if (frame.steps !== this.steps) {
      this.steps = frame.steps;
      clearTimeout(this.pauseTimer);
      if (this.visible) {
        this.pauseTimer = setTimeout(() => this.connection.send({ type: "show_landscape", visible: this.visible }), 400);
      }
    }
  }

  fillPickers(g) {
    const names = g.names.join("|");
    if (names !== this.names) {
      this.names = names;
      for (const select of [this.pickA, this.pickB]) {
        select.replaceChildren(
          ...g.names.map((name, k) => {
            const option = document.createElement("option");
            option.value = String(k);
            option.textContent = name;
            return option;
          }),
        );
      }
    }
    this.pickA.value = String(g.axes[0]);
    this.pickB.value = String(g.axes[1]);
  }

  gridImage(g) {
    if (!g.computed || g.size === 0) return null;
    const bytes = Uint8Array.from(atob(g.cells), (c) => c.charCodeAt(0));
    const canvas = document.createElement("canvas");
    canvas.width = g.size;
    canvas.height = g.size;
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(g.size, g.size);
    const n = g.levels.length;
    const colors = Array.from({ length: n + 1 }, (_, k) => bandColor(k, n));
    for (let k = 0; k < bytes.length; k += 1) {
      const c = bytes[k] === 255 ? [255, 255, 255] : colors[Math.min(bytes[k], n)];
      img.data[4 * k] = c[0];
      img.data[4 * k + 1] = c[1];
      img.data[4 * k + 2] = c[2];
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
    return canvas;
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    this.perf.draws += 1;
    const { width, height, ctx } = fitCanvas(this.canvas, this.cssSize.width, this.cssSize.height);
    ctx.clearRect(0, 0, width, height);
    const g = this.grid;
    if (!g || !g.computed || g.size === 0 || this.image === null) {
      this.frame = null;
      ctx.fillStyle = "#666";
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillText(g?.message || "Waiting for the landscape…", width / 2, height / 2, width - 20);
      return;
    }
    const view = { xmin: g.a_range[0], xmax: g.a_range[1], ymin: g.b_range[0], ymax: g.b_range[1] };
    const f = new Frame2D(width, height, MARGIN, view);
    this.frame = f;
    // Grid points are cell centres: stretch the image half a cell past the range.
    const cw = f.width / (g.size - 1);
    const ch = f.height / (g.size - 1);
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left, f.top, f.width, f.height);
    ctx.clip();
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(this.image, f.left - cw / 2, f.top - ch / 2, f.width + cw, f.height + ch);
    ctx.restore();
    const [i, j] = g.axes;
    drawAxes(ctx, f, {
      xTicks: niceTicks(view.xmin, view.xmax, Math.max(2, Math.floor(f.width / 60))),
      yTicks: niceTicks(view.ymin, view.ymax, Math.max(2, Math.floor(f.height / 40))),
      xLabel: g.names[i],
      yLabel: g.names[j],
      outside: true,
    });
    this.colorBar(ctx, f, g);
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left, f.top, f.width, f.height);
    ctx.clip();
    const race = this.race;
    let racePaths = 0;
    if (race && race.axes[0] === i && race.axes[1] === j) {
      // Paths often coincide: each racer is drawn wider than the next, so overlapping
      // paths show as nested stripes and every racer stays in sight.
      const n = race.racers.length;
      const upTo = (r) => {
        if (this.raceAt === null) return r.a.length;
        let m = 0;
        while (m < r.path_steps.length && r.path_steps[m] <= this.raceAt) m += 1;
        return m;
      };
      race.racers.forEach((r, k) => {
        const m = upTo(r);
        const color = RACER_COLORS[r.name] ?? "#000";
        this.polyline(ctx, f, r.a.slice(0, m), r.b.slice(0, m), color, 2 + 1.6 * (n - 1 - k));
        racePaths += 1;
      });
      // Where each racer is (now, or at the replayed step).
      race.racers.forEach((r, k) => {
        const last = upTo(r) - 1;
        if (last < 0) return;
        ctx.beginPath();
        ctx.arc(f.px(r.a[last]), f.py(r.b[last]), 3.5 + 1.6 * (n - 1 - k), 0, 2 * Math.PI);
        ctx.fillStyle = RACER_COLORS[r.name] ?? "#000";
        ctx.fill();
        ctx.strokeStyle = "#fff";
        ctx.lineWidth = 1;
        ctx.stroke();
      });
    }
    this.perf.racePaths = racePaths;
    const p = this.path;
    if (p && p.axes[0] === i && p.axes[1] === j) {
      this.perf.pathPoints = p.a.length;
      this.polyline(ctx, f, p.a, p.b, "#111", 1.5);
    }
    if (g.optimum) {
      const x = f.px(g.optimum[0]);
      const y = f.py(g.optimum[1]);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#fff";
      ctx.beginPath();
      ctx.arc(x, y, 7, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.lineWidth = 1;
      ctx.strokeStyle = "#111";
      ctx.beginPath();
      ctx.arc(x, y, 8.5, 0, 2 * Math.PI);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x - 3, y);
      ctx.lineTo(x + 3, y);
      ctx.moveTo(x, y - 3);
      ctx.lineTo(x, y + 3);
      ctx.stroke();
    }
    if (p && p.axes[0] === i && p.axes[1] === j) {
      ctx.beginPath();
      ctx.arc(f.px(p.current[0]), f.py(p.current[1]), 5, 0, 2 * Math.PI);
      ctx.fillStyle = "#111";
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    ctx.restore();
  }

  polyline(ctx, f, a, b, color, lineWidth) {
    if (a.length === 0) return;
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    ctx.beginPath();
    a.forEach((v, k) => (k === 0 ? ctx.moveTo(f.px(v), f.py(b[k])) : ctx.lineTo(f.px(v), f.py(b[k]))));
    ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
    ctx.lineWidth = lineWidth + 2.5;
    ctx.stroke();
    ctx.strokeStyle = color;
    ctx.lineWidth = lineWidth;
    ctx.stroke();
  }

  colorBar(ctx, f, g) {
    const n = g.levels.length;
    const x = f.left + f.width + 10;
    const w = 12;
    const h = f.height / (n + 1);
    ctx.save();
    for (let k = 0; k <= n; k += 1) {
      const c = bandColor(k, n);
      ctx.fillStyle = `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
      ctx.fillRect(x, f.top + f.height - (k + 1) * h, w, h + 0.5);
    }
    ctx.strokeStyle = "#555";
    ctx.strokeRect(x + 0.5, f.top + 0.5, w, f.height);
    ctx.fillStyle = "#333";
    ctx.font = "10px system-ui, sans-serif";
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    // Label every few level boundaries (the levels bound bands k and k + 1).
    const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(f.height / 28))));
    const shown = [];
    for (let k = 0; k < n; k += every) shown.push(k);
    const labels = distinctLabels(shown.map((k) => g.levels[k]));
    shown.forEach((k, i) => {
      ctx.fillText(labels[i], x + w + 3, f.top + f.height - (k + 1) * h, 36);
    });
    this.perf.barLabels = labels;
    ctx.restore();
  }

  fillRace(race) {
    setHidden(this.raceWrap, race === null);
    setHidden(this.raceRow, race === null);
    if (race === null) this.raceAt = null;
    else {
      this.raceStep.max = String(race.steps);
      if (this.raceAt === null) this.raceStep.value = String(race.steps);
      setText(this.raceStepReadout, this.raceAt === null ? "live" : `step ${this.raceAt}`);
    }
    setHidden(this.raceTable, race === null);
    this.raceClear.disabled = race === null;
    setText(this.raceSummary, race ? race.text : "");
    if (race === null) {
      this.raceLegend.replaceChildren();
      this.raceTable.tBodies[0].replaceChildren();
      return;
    }
    this.raceLegend.replaceChildren(
      ...race.racers.map((r) => {
        const key = document.createElement("span");
        key.className = "key";
        key.style.setProperty("--key", RACER_COLORS[r.name] ?? "#000");
        key.textContent = r.label;
        return key;
      }),
    );
    this.raceTable.tBodies[0].replaceChildren(
      ...race.racers.map((r) => {
        const tr = document.createElement("tr");
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = r.label;
        tr.append(th);
        const cells = [
          r.steps_to_optimum === null ? "not yet" : String(r.steps_to_optimum),
          r.ms_to_optimum === null ? "—" : `${formatNumber(r.ms_to_optimum, 3)} ms`,
          formatNumber(r.gap[r.gap.length - 1], 3),
        ];
        for (const text of cells) {
          const td = document.createElement("td");
          td.textContent = text;
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  drawRace() {
    if (!this.raceDirty) return;
    this.raceDirty = false;
    const race = this.race;
    if (race === null || this.raceSize.width === 0) return;
    const { width, height, ctx } = fitCanvas(this.raceCanvas, this.raceSize.width, this.raceSize.height);
    ctx.clearRect(0, 0, width, height);
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of race.racers) {
      for (const v of r.gap) {
        const t = Math.log10(Math.max(v, 1e-16));
        lo = Math.min(lo, t);
        hi = Math.max(hi, t);
      }
    }
    if (!(hi > lo)) hi = lo + 1;
    const view = { xmin: 0, xmax: Math.max(1, race.steps), ymin: lo, ymax: hi + 0.05 * (hi - lo) };
    const f = new Frame2D(width, height, CURVE_MARGIN, view);
    const decades = [];
    for (let t = Math.ceil(view.ymin); t <= Math.floor(view.ymax); t += 1) decades.push(t);
    const step = Math.max(1, Math.ceil(decades.length / Math.max(2, Math.floor(f.height / 24))));
    drawAxes(ctx, f, {
      xTicks: niceTicks(0, view.xmax, Math.max(2, Math.floor(f.width / 70))),
      yTicks: decades.filter((_, k) => k % step === 0),
      yFormat: (t) => `1e${t}`,
      xLabel: "step",
      yLabel: "objective − optimum (log)",
      outside: true,
    });
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left, f.top, f.width, f.height);
    ctx.clip();
    for (const r of race.racers) {
      ctx.strokeStyle = RACER_COLORS[r.name] ?? "#000";
      ctx.lineWidth = 2;
      ctx.beginPath();
      r.gap.forEach((v, k) => {
        if (this.raceAt !== null && r.gap_steps[k] > this.raceAt) return;
        const x = f.px(r.gap_steps[k]);
        const y = f.py(Math.log10(Math.max(v, 1e-16)));
        if (k === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    }
    ctx.restore();
  }
}
