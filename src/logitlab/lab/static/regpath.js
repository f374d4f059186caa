// The regularization path (Frame.regpath, computed in views/regpath.py): every coefficient's
// exact optimum against λ on a log axis, the current λ marked, the non-zero weight counts
// along the top. Clicking the path sets λ; as a slider, the arrow keys step λ along the
// grid. The table under it holds the same numbers (the text alternative).

import { Frame2D, drawAxes, fitCanvas, niceTicks, watchSize } from "./geometry.js";
import { formatNumber } from "./format.js";
import { setAttr, setText } from "./dom.js";

const MARGIN = { left: 46, right: 10, top: 22, bottom: 32 };
// Okabe–Ito colours for the weights; the intercept is grey and dashed.
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000"];
const INTERCEPT = "#6b6b76";

const value = (v) => (v === 0 ? "0" : formatNumber(v, 4));
/** 10ᵗ written out (0.001 … 1000), else as 1e-5. */
const decadeLabel = (t) => {
  if (t < -3 || t > 3) return `1e${t}`;
  return t >= 0 ? String(10 ** t) : `0.${"0".repeat(-t - 1)}1`;
};

export class RegPathPanel {
  constructor(doc, connection) {
    this.connection = connection;
    this.canvas = doc.querySelector("#regpath-chart canvas");
    this.summary = doc.getElementById("regpath-summary");
    this.readout = doc.getElementById("regpath-readout");
    this.count = doc.querySelector('[data-stat="nonzero"]');
    this.table = doc.getElementById("regpath-table");
    this.legend = doc.getElementById("regpath-legend");
    this.path = null;
    this.penalty = "none";
    this.hover = -1; // grid index under the pointer
    this.keyAt = null; // grid index the arrow keys last chose (until λ is set another way)
    this.frame = null;
    this.dirty = true;
    this.cssSize = { width: this.canvas.clientWidth, height: this.canvas.clientHeight };
    watchSize(this.canvas, (width, height) => {
      this.cssSize = { width, height };
      this.dirty = true;
    });
    this.canvas.addEventListener("pointermove", (event) => {
      this.hover = this.nearest(this.lamAt(event));
      this.dirty = true;
    });
    this.canvas.addEventListener("pointerleave", () => {
      this.hover = -1;
      this.dirty = true;
    });
    this.canvas.addEventListener("click", (event) => {
      this.keyAt = null;
      const lam = this.lamAt(event);
      if (lam !== null) this.choose(lam);
    });
    this.canvas.addEventListener("keydown", (event) => this.key(event));
    // The server computes the path only once the panel is on screen (show_regpath).
    this.visible = false;
    this.asked = null; // the payload that made us ask (ask once per session)
    new IntersectionObserver((entries) => {
      this.visible = entries[entries.length - 1].isIntersecting;
      this.ask();
    }).observe(doc.querySelector(".regpath-panel"));
    requestAnimationFrame(() => this.tick());
  }

  tick() {
    this.draw();
    requestAnimationFrame(() => this.tick());
  }

  /** λ under a pointer event (null off the plot). */
  lamAt(event) {
    const f = this.frame;
    if (f === null) return null;
    const rect = this.canvas.getBoundingClientRect();
    const x = Math.min(Math.max(event.clientX - rect.left, f.left), f.left + f.width);
    return 10 ** f.dataX(x);
  }

  /** Index of the grid λ nearest to `lam` on the log axis. */
  nearest(lam) {
    const lams = this.path?.lams ?? [];
    if (lam === null || lams.length === 0) return -1;
    let best = 0;
    for (let k = 1; k < lams.length; k += 1) {
      if (Math.abs(Math.log(lams[k] / lam)) < Math.abs(Math.log(lams[best] / lam))) best = k;
    }
    return best;
  }

  /** Whether λ `sent` (rounded as choose() sends it) is the frame's λ `shown`. */
  same(sent, shown) {
    return Math.abs(Math.min(Number(sent.toPrecision(3)), 10) - shown) <= 1e-12 * shown;
  }

  choose(lam) {
    const rounded = Math.min(Number(lam.toPrecision(3)), 10);
    // Like the λ slider: a λ chosen while the penalty is "none" switches it to L2.
    const fields = this.penalty === "none" ? { lam: rounded, penalty: "l2" } : { lam: rounded };
    this.connection.sendLatest("training", { type: "set_training", ...fields });
  }

  key(event) {
    const lams = this.path?.lams ?? [];
    if (lams.length === 0) return;
    // Keys pressed faster than frames come back go on from the last key's λ.
    const at = this.keyAt ?? (this.path.lam === null ? -1 : this.nearest(this.path.lam));
    const last = lams.length - 1;
    const from = at < 0 ? last : at;
    const moves = {
      ArrowRight: from + 1,
      ArrowUp: from + 1,
      ArrowLeft: from - 1,
      ArrowDown: from - 1,
      PageUp: from + 5,
      PageDown: from - 5,
      Home: 0,
      End: last,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const k = Math.min(Math.max(moves[event.key], 0), last);
    this.keyAt = k;
    this.hover = k;
    this.dirty = true;
    this.choose(lams[k]);
  }

  ask() {
    const p = this.path;
    if (this.visible && p !== null && p.computed === false && this.asked !== p) {
      this.asked = p;
      this.connection.send({ type: "show_regpath" });
    }
  }

  update(frame) {
    this.penalty = frame.state.training.penalty;
    const path = frame.regpath;
    if (path === null || path === undefined || path === this.path) return;
    this.path = path;
    this.ask();
    const k = this.keyAt;
    const keyed = k !== null && path.lam !== null && path.lams.length > k && this.same(path.lams[k], path.lam);
    if (!keyed && !this.connection.busy("training")) this.keyAt = null;
    this.dirty = true;
    setText(this.summary, path.message || path.text);
    const counted = path.current_nonzero !== null;
    setText(this.count, counted ? `${path.current_nonzero} of ${path.n_weights}` : "—");
    if (path.lam !== null) {
      setAttr(this.canvas, "aria-valuenow", String(path.lam));
      const nz = counted ? `, ${path.current_nonzero} of ${path.n_weights} weights non-zero` : "";
      setAttr(this.canvas, "aria-valuetext", `λ = ${formatNumber(path.lam, 4)}${nz}`);
    } else {
      this.canvas.removeAttribute("aria-valuenow");
      setAttr(this.canvas, "aria-valuetext", "no penalty (λ off the path)");
    }
    if (path.lams.length > 0) {
      setAttr(this.canvas, "aria-valuemin", String(path.lams[0]));
      setAttr(this.canvas, "aria-valuemax", String(path.lams[path.lams.length - 1]));
    }
    this.fillLegend(path);
    this.fillTable(path);
  }

  color(j) {
    return j === this.path.names.length - 1 ? INTERCEPT : COLORS[j % COLORS.length];
  }

  fillLegend(path) {
    this.legend.replaceChildren(
      ...path.names.map((name, j) => {
        const key = document.createElement("span");
        key.className = j === path.names.length - 1 ? "key key-intercept" : "key";
        key.style.setProperty("--key", this.color(j));
        key.textContent = name;
        return key;
      }),
    );
  }

  fillTable(path) {
    const head = this.table.tHead.rows[0];
    head.replaceChildren(
      ...["λ", ...path.names, "non-zero weights"].map((text) => {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = text;
        return th;
      }),
    );
    const row = (label, coefs, nonzero, current) => {
      const tr = document.createElement("tr");
      if (current) tr.className = "current";
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = label;
      tr.append(th);
      for (const v of [...coefs.map(value), String(nonzero)]) {
        const td = document.createElement("td");
        td.textContent = v;
        tr.append(td);
      }
      return tr;
    };
    const rows = path.lams.map((lam, k) => row(formatNumber(lam, 3), path.coefs[k], path.n_nonzero[k], false));
    if (path.current !== null) {
      rows.unshift(row(`${formatNumber(path.lam, 4)} (current)`, path.current, path.current_nonzero, true));
    }
    this.table.tBodies[0].replaceChildren(...rows);
  }

  draw() {
    if (!this.dirty) return;
    this.dirty = false;
    const { width, height, ctx } = fitCanvas(this.canvas, this.cssSize.width, this.cssSize.height);
    ctx.clearRect(0, 0, width, height);
    const p = this.path;
    if (p === null || p.lams.length === 0) {
      this.frame = null;
      ctx.fillStyle = "#666";
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillText(p?.message || "Waiting for the path…", width / 2, height / 2);
      return;
    }
    const lams = p.lams;
    let lo = Math.log10(lams[0]);
    let hi = Math.log10(lams[lams.length - 1]);
    if (p.lam !== null) {
      lo = Math.min(lo, Math.log10(p.lam));
      hi = Math.max(hi, Math.log10(p.lam));
    }
    let ymin = 0;
    let ymax = 0;
    for (const coefs of [...p.coefs, ...(p.current ? [p.current] : [])]) {
      for (const v of coefs) {
        ymin = Math.min(ymin, v);
        ymax = Math.max(ymax, v);
      }
    }
    const pad = (ymax - ymin) * 0.06 || 1;
    const view = { xmin: lo - 0.05 * (hi - lo), xmax: hi + 0.05 * (hi - lo), ymin: ymin - pad, ymax: ymax + pad };
    const f = new Frame2D(width, height, MARGIN, view);
    this.frame = f;
    const decades = [];
    for (let t = Math.ceil(view.xmin); t <= Math.floor(view.xmax); t += 1) decades.push(t);
    drawAxes(ctx, f, {
      xTicks: [],
      yTicks: niceTicks(view.ymin, view.ymax, Math.max(2, Math.floor(f.height / 40))),
      xLabel: "λ (log scale)",
      yLabel: "coefficient",
      outside: true,
    });
    // Decade ticks of the log axis, labelled 10ᵏ as numbers.
    ctx.save();
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#333";
    ctx.strokeStyle = "rgba(0, 0, 0, 0.08)";
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of decades) {
      const x = Math.round(f.px(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, f.top);
      ctx.lineTo(x, f.top + f.height);
      ctx.stroke();
      ctx.fillText(decadeLabel(t), x, f.top + f.height + 4);
    }
    // y = 0, where L1 holds the weights.
    ctx.strokeStyle = "rgba(0, 0, 0, 0.35)";
    ctx.beginPath();
    ctx.moveTo(f.left, Math.round(f.py(0)) + 0.5);
    ctx.lineTo(f.left + f.width, Math.round(f.py(0)) + 0.5);
    ctx.stroke();
    // Non-zero weight counts along the top, where they change.
    ctx.fillStyle = "#5a5a66";
    ctx.textBaseline = "bottom";
    ctx.textAlign = "left";
    ctx.fillText("non-zero:", 2, f.top - 4);
    ctx.textAlign = "center";
    let lastCount = null;
    let lastX = -Infinity;
    for (let k = 0; k < lams.length; k += 1) {
      const count = p.n_nonzero[k];
      const x = f.px(Math.log10(lams[k]));
      if (count !== lastCount && x - lastX > 14) {
        ctx.fillText(String(count), x, f.top - 4);
        lastX = x;
      }
      lastCount = count;
    }
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(f.left, f.top, f.width, f.height);
    ctx.clip();
    const xs = lams.map((lam) => f.px(Math.log10(lam)));
    p.names.forEach((_, j) => {
      const intercept = j === p.names.length - 1;
      ctx.strokeStyle = this.color(j);
      ctx.fillStyle = this.color(j);
      ctx.lineWidth = intercept ? 1.5 : 2;
      ctx.setLineDash(intercept ? [5, 4] : []);
      ctx.beginPath();
      xs.forEach((x, k) => (k === 0 ? ctx.moveTo(x, f.py(p.coefs[k][j])) : ctx.lineTo(x, f.py(p.coefs[k][j]))));
      ctx.stroke();
      ctx.setLineDash([]);
      for (let k = 0; k < xs.length; k += 1) {
        ctx.beginPath();
        ctx.arc(xs[k], f.py(p.coefs[k][j]), 1.8, 0, 2 * Math.PI);
        ctx.fill();
      }
    });
    if (this.hover >= 0 && this.hover < xs.length) {
      ctx.strokeStyle = "rgba(0, 0, 0, 0.3)";
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(xs[this.hover], f.top);
      ctx.lineTo(xs[this.hover], f.top + f.height);
      ctx.stroke();
    }
    if (p.lam !== null) {
      const x = f.px(Math.log10(p.lam));
      ctx.strokeStyle = "#111";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(x, f.top);
      ctx.lineTo(x, f.top + f.height);
      ctx.stroke();
      if (p.current !== null) {
        p.current.forEach((v, j) => {
          ctx.beginPath();
          ctx.arc(x, f.py(v), 4.5, 0, 2 * Math.PI);
          ctx.fillStyle = this.color(j);
          ctx.fill();
          ctx.strokeStyle = "#fff";
          ctx.lineWidth = 1.5;
          ctx.stroke();
        });
      }
    }
    ctx.restore();
    let text = "Click the path (or use the arrow keys) to set λ.";
    if (this.hover >= 0 && this.hover < lams.length) {
      const k = this.hover;
      const parts = p.names.map((name, j) => `${name} = ${value(p.coefs[k][j])}`);
      text = `λ = ${formatNumber(lams[k], 3)}: ${parts.join(", ")} · ${p.n_nonzero[k]} of ${p.n_weights} weights non-zero`;
    }
    setText(this.readout, text);
  }
}
