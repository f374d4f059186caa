// The Calibration view (issue 16): a reliability diagram (mean p̂ of each bin against the
// share of class 1 in it, with the diagonal), the bin counts beneath, Brier and ECE.
// The bins and both scores come from views/calibration.py (logitlab.core.calibration).

import { setAttr, setText } from "./dom.js";
import { formatNumber } from "./format.js";
import { fitCanvas, watchSize } from "./geometry.js";
import { CURVE_COLOR } from "./palette.js";

const PAD = { left: 34, right: 8, top: 8, bottom: 22 };
const COUNTS_SHARE = 0.26; // of the plot height, for the count bars beneath

export class CalibrationPanel {
  constructor(doc) {
    this.canvas = doc.getElementById("calib-chart");
    this.rows = doc.getElementById("calib-rows");
    this.brier = doc.querySelector('[data-stat="brier"]');
    this.ece = doc.querySelector('[data-stat="ece"]');
    this.payload = null;
    this.size = { width: 0, height: 0 };
    watchSize(this.canvas, (width, height) => {
      this.size = { width, height };
      this.draw();
    });
  }

  update(frame) {
    const c = frame.calibration;
    if (c === null || c === undefined) return;
    setText(this.brier, formatNumber(c.brier, 4));
    setText(this.ece, formatNumber(c.ece, 4));
    setAttr(this.canvas, "aria-label", `Reliability diagram. ${c.text}`); // its text alternative
    setText(this.rows, `on the ${c.n} ${c.rows} points`);
    if (c !== this.payload) {
      this.payload = c;
      this.draw();
    }
  }

  draw() {
    const c = this.payload;
    if (c === null || this.size.width === 0) return;
    const { width, height, ctx } = fitCanvas(this.canvas, this.size.width, this.size.height);
    ctx.clearRect(0, 0, width, height);
    const w = width - PAD.left - PAD.right;
    const total = height - PAD.top - PAD.bottom;
    const countH = Math.round(total * COUNTS_SHARE);
    const h = total - countH - 14; // the diagram; the counts below it
    const px = (p) => PAD.left + p * w;
    const py = (q) => PAD.top + (1 - q) * h;
    ctx.font = "11px system-ui, sans-serif";
    ctx.fillStyle = "#333";
    ctx.strokeStyle = "rgba(0,0,0,0.08)";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of [0, 0.5, 1]) {
      ctx.beginPath();
      ctx.moveTo(PAD.left, py(t));
      ctx.lineTo(PAD.left + w, py(t));
      ctx.stroke();
      ctx.fillText(String(t), PAD.left - 4, py(t));
    }
    ctx.strokeStyle = "#555";
    ctx.strokeRect(PAD.left + 0.5, PAD.top + 0.5, w, h);
    // The diagonal: perfect calibration.
    ctx.setLineDash([5, 4]);
    ctx.strokeStyle = "#888";
    ctx.beginPath();
    ctx.moveTo(px(0), py(0));
    ctx.lineTo(px(1), py(1));
    ctx.stroke();
    ctx.setLineDash([]);
    // Each non-empty bin: a gap bar from the diagonal and a dot at (mean p̂, observed).
    const filled = c.bins.filter((b) => b.mean_p !== null);
    ctx.strokeStyle = "rgba(192, 57, 43, 0.55)";
    ctx.lineWidth = 3;
    for (const b of filled) {
      ctx.beginPath();
      ctx.moveTo(px(b.mean_p), py(b.mean_p));
      ctx.lineTo(px(b.mean_p), py(b.observed));
      ctx.stroke();
    }
    ctx.strokeStyle = CURVE_COLOR;
    ctx.lineWidth = 2;
    ctx.beginPath();
    filled.forEach((b, i) => (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, px(b.mean_p), py(b.observed)));
    ctx.stroke();
    ctx.fillStyle = CURVE_COLOR;
    for (const b of filled) {
      ctx.beginPath();
      ctx.arc(px(b.mean_p), py(b.observed), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    // Counts per bin beneath (a histogram of p̂), on their own scale.
    const top = PAD.top + h + 14;
    const most = Math.max(1, ...c.bins.map((b) => b.count));
    ctx.fillStyle = "rgba(0, 114, 178, 0.45)";
    for (const b of c.bins) {
      const bh = (b.count / most) * countH;
      ctx.fillRect(px(b.lo) + 1, top + countH - bh, Math.max(1, px(b.hi) - px(b.lo) - 2), bh);
    }
    ctx.strokeStyle = "#999";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(PAD.left, top + countH + 0.5);
    ctx.lineTo(PAD.left + w, top + countH + 0.5);
    ctx.stroke();
    ctx.fillStyle = "#333";
    ctx.textAlign = "right";
    ctx.fillText(String(most), PAD.left - 4, top + 5);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of [0, 0.5, 1]) ctx.fillText(String(t), px(t), top + countH + 3);
    ctx.textAlign = "left";
    ctx.textBaseline = "top";
    ctx.fillStyle = "#5a5a66";
    ctx.fillText("observed share of class 1", PAD.left + 4, PAD.top + 2);
    ctx.textAlign = "right";
    ctx.textBaseline = "bottom";
    ctx.fillText("mean p̂ of the bin", PAD.left + w - 2, PAD.top + h - 2);
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.fillText("points per bin", PAD.left + w / 2, top);
  }
}
