// Entry point of the ROC & AUC page. The session is the Lab's: the state travels in
// the URL fragment (state.js, url.js) and the hello names page "roc", so every frame
// carries the ROC analysis. Views take the latest frame; one commit per animation frame.

import { Connection, savedState } from "./connection.js";
import { NumberControl } from "./controls.js";
import { DataChart } from "./data-chart.js";
import { DataPanel, presetLabel } from "./data-controls.js";
import { setText } from "./dom.js";
import { formatNumber } from "./format.js";
import { Notice } from "./notice.js";
import { ParamsPanel } from "./params.js";
import { ClassCount } from "./multiclass.js"; // issue 14, part 3
import { CurveChart } from "./roc-curves.js";
import { ScoreHistogram } from "./roc-hist.js";
import { RocMulti } from "./roc-multi.js"; // issue 14, part 3
import { AtTauPanel, ThresholdPanel } from "./roc-panel.js";
import { bindScenarios, bindShortcuts } from "./shortcuts.js";
import { parseState, serializeState } from "./state.js";
import { Trainer } from "./trainer.js";
import { UrlWriter } from "./url.js";

const doc = document;
const notice = new Notice(doc.getElementById("connection"));
const readout = doc.getElementById("hover-readout");
// Touch has no hover: there the read-out follows a finger on the chart (as in the Lab).
if (matchMedia("(hover: none), (pointer: coarse)").matches) {
  readout.textContent = "Drag a finger on the chart to read x, y and p̂.";
}
const HOVER_HINT = readout.textContent;

let latest = null;
let points = null;
let field = null;
let curves = null;
let dirty = false;
let hovering = false;
let errorSeq = -1;
// Without a state in the link, start where the Lab last stopped in this browser.
let urlState = parseState(location.hash) ?? savedState();

/** What the last paint showed, for the benchmark and the browser tests (read-only). */
// lastPaint: the animation frame's timestamp; lastPaintTime: performance.now() once drawn.
const perf = { paints: 0, lastPaint: 0, lastPaintTime: 0, roc: null, curves: null, state: null };
window.logitlabPerf = perf;

const connection = new Connection({
  url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
  page: "roc",
  helloState: () => (latest !== null ? latest.state : urlState),
  onFrame: receive,
  onProbe: (p) => {
    if (!hovering) return;
    const where = `x = ${formatNumber(p.x, 3)}, y = ${formatNumber(p.y, 3)} · `;
    readout.textContent = p.probs // issue 14, part 3: every class's probability
      ? where + p.probs.map((v, k) => `p̂${k} = ${formatNumber(v, 3)}`).join(", ")
      : where + `p̂ = ${formatNumber(p.p, 4)}`;
  },
  onError: (message) => {
    if (message.seq === connection.helloSeq && urlState !== null) {
      urlState = null;
      notice.show(`This link's lab state was not valid (${message.message}); loaded the defaults.`);
      connection.send({ type: "hello", state: null, curve_width: 16, page: "roc" });
      return;
    }
    trainer.error(message);
    errorSeq = message.seq;
    notice.show(message.message, true); // cleared by the next frame or after a few seconds
  },
  onStatus: (status, text) => {
    // "closed" / "idle" stay until a frame arrives; "reconnected" for a few seconds.
    if (status === "open") return;
    const shown = text || "Lost the connection to the Lab server; reconnecting…";
    if (status === "reconnected") notice.showFor(shown);
    else notice.show(shown);
  },
});
// The page has no loss chart: ask for the smallest loss curve the protocol allows.
connection.curveWidth = () => 16;

const chart = new DataChart(doc.getElementById("data-chart"), {
  onAdd: (x, y) =>
    connection.send({ type: "edit", edit: { op: "add", x, y, cls: dataPanel.activeClass } }),
  onMove: (index, x, y) => connection.send({ type: "edit", edit: { op: "move", index, x, y } }),
  onDelete: (index) => connection.send({ type: "edit", edit: { op: "delete", index } }),
  onHover: (x, y) => {
    hovering = true;
    connection.probe(x, y);
  },
  onLeave: () => {
    hovering = false;
    readout.textContent = HOVER_HINT;
  },
});
const pickTau = (tau) => threshold.setTau(tau);
const rocChart = new CurveChart(doc.getElementById("roc-chart"), doc.getElementById("roc-readout"), "roc", pickTau);
const prChart = new CurveChart(doc.getElementById("pr-chart"), doc.getElementById("pr-readout"), "pr", pickTau);
const histogram = new ScoreHistogram(doc.getElementById("hist-chart"), doc.getElementById("hist-readout"));
const threshold = new ThresholdPanel(doc, connection);
const atTau = new AtTauPanel(doc);
const dataPanel = new DataPanel(doc, connection);
const trainer = new Trainer(doc, connection);
const params = new ParamsPanel(doc, connection);
const classCount = new ClassCount(doc, connection); // issue 14, part 3
const rocMulti = new RocMulti(doc);
const eta = new NumberControl(doc.getElementById("eta"), doc.getElementById("eta-box"), {
  scale: "log",
  min: 1e-4,
  max: 10,
  onValue: (v) => connection.sendLatest("training", { type: "set_training", learning_rate: v }),
  busy: () => connection.busy("training"),
});
const stepsStat = doc.querySelector('[data-stat="steps"]');
const presetStat = doc.querySelector('[data-stat="preset"]');
const url = new UrlWriter();

function receive(frame) {
  if (frame.points !== null) points = frame.points;
  if (frame.field !== null || !frame.state.view.show_field) field = frame.field;
  if (frame.roc !== null && frame.roc.curves !== null) curves = frame.roc.curves;
  if (frame.seq > errorSeq && connection.open) notice.clear();
  latest = { ...frame, points, field };
  chart.update(latest);
  dirty = true;
  trainer.answered(frame.seq);
  trainer.tick();
}

function commit(now) {
  trainer.tick(now);
  const binary = latest !== null && latest.roc !== null && curves !== null;
  if (dirty && (binary || (latest.n_classes ?? 2) > 2)) {
    dirty = false;
    const roc = latest.roc;
    if (binary) {
      rocChart.update(curves, roc);
      prChart.update(curves, roc);
      histogram.update(curves, roc);
      threshold.update(latest, curves);
      atTau.update(latest, curves);
    }
    rocMulti.update(latest); // issue 14, part 3: K > 2 classes; every coefficient
    classCount.update(latest);
    dataPanel.update(latest);
    trainer.update(latest);
    params.update(latest);
    eta.set(latest.state.training.learning_rate);
    setText(stepsStat, String(latest.steps));
    setText(presetStat, presetLabel(latest.state.data));
    url.want(serializeState(latest.state));
    perf.paints += 1;
    perf.lastPaint = now;
    perf.roc = roc;
    perf.curves = curves;
    perf.state = latest.state;
  }
  chart.draw();
  rocChart.draw();
  prChart.draw();
  histogram.draw();
  if (perf.lastPaint === now) perf.lastPaintTime = performance.now();
  perf.rocPoint = rocChart.painted;
  perf.prPoint = prChart.painted;
  perf.rocLabels = { marks: rocChart.markLabels ?? [], tau: rocChart.tauLabel ?? null };
  perf.prLabels = { marks: prChart.markLabels ?? [], tau: prChart.tauLabel ?? null };
  perf.histTau = histogram.painted;
  url.flush(now);
  requestAnimationFrame(commit);
}
requestAnimationFrame(commit);

bindShortcuts(doc, connection, dataPanel);
bindScenarios(doc, connection, doc.getElementById("curves-title"), "start");
