// The ROC page with more than two classes (issue 14, part 3): one-vs-rest ROC curves, one
// per class (its p̂ against every other class), each class's AUC and the macro AUC. The
// binary panels (τ, PR curve, histograms, the matrix at τ) say they are for two classes.
// Also says when the model has more coefficients than the w₀ / w₁ / b sliders show.
// Every number comes from the server (frame.multiclass.roc).

import { setHidden, setText } from "./dom.js";
import { formatNumber } from "./format.js";
import { Frame2D, drawAxes, fitCanvas, watchSize } from "./geometry.js";
import { CLASS_COLORS, CLASS_SHAPES, markerPath } from "./palette.js";

const MARGIN = { left: 38, right: 10, top: 10, bottom: 30 };
const UNIT = { xmin: 0, xmax: 1, ymin: 0, ymax: 1 };
const TICKS = [0, 0.2, 0.4, 0.6, 0.8, 1];
const DASHES = [[], [7, 4], [2, 3], [9, 3, 2, 3], [4, 4]];

export class RocMulti {
  constructor(doc) {
    this.doc = doc;
    this.section = doc.getElementById("ovr-panel");
    this.canvas = doc.getElementById("ovr-chart");
    this.legend = doc.getElementById("ovr-legend");
    this.macro = doc.querySelector('[data-stat="macro-auc"]');
    this.binary = [...doc.querySelectorAll("[data-two-class]")];
    this.sliders = ["w0", "w1", "b"].map((n) => doc.querySelector(`[data-control="${n}"]`));
    this.coefNote = doc.getElementById("roc-coef-note");
    this.curves = null;
    this.size = { width: 0, height: 0 };
    this.shownK = 2;
    watchSize(this.canvas, (width, height) => {
      this.size = { width, height };
      this.draw();
    });
  }

  update(frame) {
    const k = frame.n_classes ?? 2;
    const w = frame.true_weights;
    const many = (w.coef?.length ?? 3) > 3;
    for (const el of this.sliders) setHidden(el, many);
    setHidden(this.coefNote, !many);
    if (many) {
      const what = k > 2 ? `${k} classes` : `degree ${w.degree}`;
      setText(
        this.coefNote,
        `This model has ${w.coef.length} coefficients (${what}); the Lab page lists and edits every one of them.`,
      );
    }
    if (k !== this.shownK) {
      this.shownK = k;
      for (const el of this.binary) el.classList.toggle("two-class-off", k > 2);
      setHidden(this.section, k === 2);
    }
    const m = frame.multiclass;
    if (k === 2 || !m || !m.roc) return;
    setText(this.macro, formatNumber(m.macro_auc, 3));
    if (m.roc !== this.curves) {
      this.curves = m.roc;
      this.buildLegend(m.roc);
      this.draw();
    }
  }

  buildLegend(curves) {
    const items = curves.map((c, i) => {
      const li = document.createElement("li");
      li.dataset.stat = `auc-${i}`;
      const swatch = document.createElement("span");
      swatch.className = `key key-${i}`;
      swatch.textContent = `class ${i} (${CLASS_SHAPES[i]}) vs the rest`;
      li.append(swatch, ` · AUC ${formatNumber(c.auc, 3)}`);
      return li;
    });
    this.legend.replaceChildren(...items);
    const text = curves.map((c, i) => `class ${i} AUC ${formatNumber(c.auc, 3)}`).join("; ");
    this.canvas.setAttribute("aria-label", `One-vs-rest ROC curves: ${text}`);
  }

  draw() {
    const curves = this.curves;
    if (curves === null || this.size.width === 0 || this.section.hidden) return;
    const { width, height, ctx } = fitCanvas(this.canvas, this.size.width, this.size.height);
    ctx.clearRect(0, 0, width, height);
    const f = new Frame2D(width, height, MARGIN, UNIT);
    drawAxes(ctx, f, { xTicks: TICKS, yTicks: TICKS, xLabel: "FPR", yLabel: "TPR" });
    ctx.save();
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = "#777";
    ctx.beginPath();
    ctx.moveTo(f.px(0), f.py(0));
    ctx.lineTo(f.px(1), f.py(1));
    ctx.stroke();
    curves.forEach((c, i) => {
      ctx.setLineDash(DASHES[i]);
      ctx.strokeStyle = CLASS_COLORS[i];
      ctx.lineWidth = 2.2;
      ctx.beginPath();
      c.fpr.forEach((x, j) => {
        const px = f.px(x);
        const py = f.py(c.tpr[j]);
        if (j === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      });
      ctx.stroke();
      // The class's marker at the curve's middle, so colour is not the only cue.
      const mid = Math.floor(c.fpr.length / 2);
      ctx.setLineDash([]);
      ctx.beginPath();
      markerPath(ctx, i, f.px(c.fpr[mid]), f.py(c.tpr[mid]), 4.5);
      ctx.fillStyle = CLASS_COLORS[i];
      ctx.fill();
      ctx.strokeStyle = "#fff";
      ctx.lineWidth = 1;
      ctx.stroke();
    });
    ctx.restore();
  }
}
