// Entry point: connect to the server, build the views, and commit the latest
// frame to them once per animation frame. Each view owns its part of the page;
// this module only routes messages and keyboard shortcuts between them.
// It runs against `host` (./host.js, issue 17): the root its elements are in and the
// transport to the session: the document and a WebSocket on the served page, a shadow
// root and the widget's comm in Jupyter (logitlab/widget/ bundles these same modules).

import { Banner } from "./banner.js";
import { CalibrationPanel } from "./calibration.js";
import { ChartTools } from "./chart-tools.js";
import { ChartTrust } from "./chart-trust.js";
import { CodePanel } from "./code.js"; // issue 15, branch regpath
import { CoefPanel } from "./coefs.js";
import { CsvPanel, completeState, restoreCustomData } from "./csv-data.js";
import { DataChart } from "./data-chart.js";
import { DataPanel } from "./data-controls.js";
import { EvaluatePanel } from "./evaluate.js";
import { FeaturesPanel } from "./features.js";
import { FilesPanel } from "./files.js";
import { formatNumber } from "./format.js";
import { host } from "./host.js"; // issue 17: the document or the widget's shadow root
import { Formula } from "./formula.js";
import { HyperPanel } from "./hyper.js";
import { InferencePanel } from "./inference.js";
import { InspectorPanel } from "./inspector.js";
import { LandscapePanel } from "./landscape.js"; // issue 15, branch landscape
import { LossChart } from "./loss-chart.js";
import { MulticlassPanel } from "./multiclass.js"; // issue 14, part 3
import { offerReload } from "./lost-data.js";
import { Notice } from "./notice.js";
import { ParamsPanel } from "./params.js";
import { RegPathPanel } from "./regpath.js"; // issue 15, branch regpath
import { ReplayPanel } from "./replay.js"; // issue 15, branch landscape
import { bindScenarios, bindShortcuts } from "./shortcuts.js";
import { StatsPanel } from "./stats.js";
import { serializeState } from "./state.js";
import { Trainer } from "./trainer.js";
import { UrlWriter } from "./url.js";

const doc = host.root;
const readout = doc.getElementById("hover-readout");
const notice = new Notice(doc.getElementById("connection"));
// Touch has no hover: there the read-out follows a finger on the chart.
if (matchMedia("(hover: none), (pointer: coarse)").matches) {
  readout.textContent = "Drag a finger on the chart to read x, y, z and p̂.";
}
const HOVER_HINT = readout.textContent;

// The latest frame, with the parts the server sends only on change carried over.
let latest = null;
let points = null;
let field = null;
let curve = null;
let carried = { regpath: null, code: null }; // issue 15 (regpath): sent only on change, kept
let carriedLandscape = { landscape: null, landscape_path: null, race: null }; // issue 15, branch landscape
let dirty = false;
let oneShot = null; // a card's scenario / start_auto, until the next commit
let hovering = false;
let errorSeq = -1;
// The state in the link; without one, the last Lab this browser had (closing the tab loses nothing).
let urlState = host.initialState();
const show = (text, how) => (how?.lost ? offerReload(doc, text) : notice.show(text));
// A link naming CSV points (#csv=HASH): give them to the server before the first hello.
urlState = await restoreCustomData(urlState, show);

/** What the last paint showed, for the benchmark and the browser tests (read-only). */
const perf = {
  paints: 0,
  lastPaint: 0, // the animation frame's timestamp
  lastPaintTime: 0, // performance.now() once the frame is drawn
  model: null,
  boundary: null,
  halfLine: null,
  steps: 0,
  drawMs: 0, // total milliseconds spent in commit() (views' update and draw)
  pngCaption: "", // the caption of the last "Download PNG"
  commits: 0,
  clippedLabels: 0, // loss-chart tick labels wider than their margin (should stay 0)
  view: null, // the data chart's window
};
host.expose(perf);

const connection = host.connect({
  // On a reconnect the server may be a new one: give it this page's CSV points again first.
  helloState: () => (latest !== null ? restoreCustomData(latest.state, show) : urlState),
  onFrame: receive,
  onProbe: (p) => {
    if (!hovering) return;
    const where = `x = ${formatNumber(p.x, 3)}, y = ${formatNumber(p.y, 3)} · `;
    if (p.probs) {
      // issue 14, part 3: every class's probability
      readout.textContent =
        where + p.probs.map((v, k) => `p̂${k} = ${formatNumber(v, 3)}`).join(", ");
      return;
    }
    readout.textContent = where + `z = ${formatNumber(p.z, 4)} · p̂ = ${formatNumber(p.p, 4)}`;
  },
  onError: (message) => {
    if (message.seq === connection.helloSeq && urlState !== null) {
      // The link's state did not validate: say so, and start from the defaults.
      urlState = null;
      show(`This link's lab state was not valid (${message.message}); loaded the defaults.`);
      // Keep the notice up past the answer to this hello (until the user's next action).
      errorSeq = connection.send({ type: "hello", state: null, curve_width: lossChart.columns });
      return;
    }
    files.error(message);
    trainer.error(message);
    csvPanel.failed(message);
    errorSeq = message.seq;
    notice.show(message.message, true); // cleared by the next frame or after a few seconds
  },
  onStatus: (status, text) => {
    // "closed" / "idle" stay until a frame arrives; "reconnected" for a few seconds.
    if (status === "open") return;
    if (status === "reconnected") notice.showFor(text);
    else notice.show(text);
  },
});

const chart = new DataChart(doc.getElementById("data-chart"), {
  onAdd: (x, y) =>
    connection.send({ type: "edit", edit: { op: "add", x, y, cls: dataPanel.activeClass } }),
  onMove: (index, x, y) => connection.send({ type: "edit", edit: { op: "move", index, x, y } }),
  onDelete: (index) => connection.send({ type: "edit", edit: { op: "delete", index } }),
  onSelect: (index) => connection.send({ type: "inspect", index }), // Point inspector (issue 16)
  onHover: (x, y) => {
    hovering = true;
    connection.probe(x, y);
  },
  onLeave: () => {
    hovering = false;
    readout.textContent = HOVER_HINT;
  },
});
const lossChart = new LossChart(doc.getElementById("loss-chart"), doc.getElementById("loss-readout"));
connection.curveWidth = () => lossChart.columns;
const dataPanel = new DataPanel(doc, connection);
const csvPanel = new CsvPanel(doc, connection);
const trainer = new Trainer(doc, connection);
// The views: each ES module draws its part of every frame (update(frame)); a new view
// is one line here and one in VIEWS (src/logitlab/lab/views/__init__.py).
const panels = [
  dataPanel,
  csvPanel,
  trainer,
  new ParamsPanel(doc, connection),
  new HyperPanel(doc, connection),
  new EvaluatePanel(doc, connection),
  new StatsPanel(doc),
  new Banner(doc),
  new Formula(doc),
  new ChartTools(doc, connection, chart),
  // Trust views (issue 16).
  new CalibrationPanel(doc),
  new InspectorPanel(doc, connection),
  new InferencePanel(doc),
  new ChartTrust(doc, connection, chart),
  new RegPathPanel(doc, connection), // issue 15, branch regpath
  new CodePanel(doc, connection, trainer), // issue 15, branch regpath
  new FeaturesPanel(doc, connection), // issue 14: degree, standardize, test share
  new CoefPanel(doc, connection), // issue 14: every coefficient at degree > 1
  new MulticlassPanel(doc, connection), // issue 14, part 3: K > 2 classes
  new ReplayPanel(doc, connection, trainer), // issue 15, branch landscape
  new LandscapePanel(doc, connection), // issue 15, branch landscape
];
// The landscape's draw counts, for the browser tests (through the host: the widget has no window global).
perf.landscape = panels.find((p) => p instanceof LandscapePanel)?.perf ?? null;
const files = new FilesPanel(doc, connection, {
  currentState: () => (latest === null ? null : completeState(latest.state)),
  charts: composeCharts,
});
const url = host.served ? new UrlWriter(doc) : null; // a widget leaves the notebook's URL alone
let sentCurveWidth = lossChart.columns;

const logAxis = doc.getElementById("log-axis");
logAxis.addEventListener("change", () =>
  connection.send({ type: "set_view", log_loss_axis: logAxis.checked }),
);

function receive(frame) {
  if (frame.points !== null) points = frame.points;
  if (frame.field !== null || !frame.state.view.show_field) field = frame.field;
  if (frame.curve !== null) curve = frame.curve;
  if (frame.seq > errorSeq && connection.open) notice.clear();
  latest = { ...frame, points, field, curve };
  carried = { regpath: frame.regpath ?? carried.regpath, code: frame.code ?? carried.code };
  Object.assign(latest, carried); // issue 15, branch regpath
  for (const key of Object.keys(carriedLandscape)) carriedLandscape[key] = frame[key] ?? carriedLandscape[key];
  Object.assign(latest, carriedLandscape); // issue 15, branch landscape
  // A card's frame (scenario, start_auto) is drawn once per animation frame like the rest:
  // kept until committed, so a frame arriving after it in the same animation frame does
  // not hide it (Auto-train then never started).
  if (frame.scenario || frame.start_auto) {
    oneShot = {
      scenario: frame.scenario ?? oneShot?.scenario ?? null,
      start_auto: Boolean(frame.start_auto) || Boolean(oneShot?.start_auto),
    };
  }
  if (oneShot !== null) Object.assign(latest, oneShot);
  chart.update(latest); // stores; keeps every points payload even if frames arrive in a burst
  dirty = true;
  // Auto-train: the answer is in, so the next batch can go now rather than at the next
  // animation frame; the server works while the browser draws this one.
  trainer.answered(frame.seq);
  trainer.tick();
}

function commit(now) {
  const start = performance.now();
  trainer.tick();
  if (dirty) {
    dirty = false;
    for (const panel of panels) panel.update(latest);
    oneShot = null;
    lossChart.update(latest.curve, latest.state.view.log_loss_axis, latest.exact_fit === true); // review
    if (logAxis.checked !== latest.state.view.log_loss_axis) {
      logAxis.checked = latest.state.view.log_loss_axis;
    }
    url?.want(serializeState(latest.state));
    perf.paints += 1;
    perf.lastPaint = now;
    perf.model = latest.true_weights;
    perf.boundary = latest.boundary;
    perf.halfLine = latest.half_line;
    perf.steps = latest.steps;
    perf.view = latest.view;
    perf.contours = latest.contours ?? null; // issue 14: the boundary curves at degree > 1
  }
  chart.draw();
  lossChart.draw();
  perf.clippedLabels = lossChart.clippedLabels;
  if (perf.lastPaint === now) perf.lastPaintTime = performance.now();
  url?.flush(now);
  if (connection.open && lossChart.columns !== sentCurveWidth) {
    sentCurveWidth = lossChart.columns;
    connection.sendLatest("curve", { type: "set_view", curve_width: sentCurveWidth });
  }
  perf.drawMs += performance.now() - start;
  perf.commits += 1;
  if (host.running()) requestAnimationFrame(commit);
}
requestAnimationFrame(commit);

/** The PNG's caption: what the charts show, so a saved image explains itself. */
function captionLines() {
  if (latest === null) return [];
  const w = latest.true_weights;
  const term = (v, name) => `${v < 0 ? "−" : "+"} ${formatNumber(Math.abs(v), 4)}${name}`;
  const degree = w.degree ?? 1; // issue 14: a polynomial is named, not written out
  const z =
    degree === 1
      ? `z = ${formatNumber(w.w0, 4)}x ${term(w.w1, "y")} ${term(w.b, "")}`
      : `z = polynomial of degree ${degree} in x, y (${w.coef.length} coefficients${w.standardize ? ", standardized" : ""})`;
  const preset = doc.querySelector('[data-stat="preset"]').textContent;
  const t = latest.state.training;
  const k = latest.n_classes ?? 2; // issue 14, part 3: the softmax model
  const model =
    k > 2
      ? `softmax over ${k} classes, each z_k ${degree === 1 ? "linear" : `a polynomial of degree ${degree}`} in x, y (${w.coef.length} coefficients) · prediction: the most probable class`
      : `${z} · p̂ = σ(z) · τ = ${latest.state.view.tau}`;
  return [
    `${preset} · N = ${latest.metrics.n_points} · ${latest.steps} steps (${t.optimizer}, η = ${t.learning_rate}, ` +
      `penalty ${t.penalty}${t.penalty === "none" ? "" : `, λ = ${t.lam}`})`,
    `${model} · log loss ${formatNumber(latest.metrics.log_loss, 4)}`,
  ];
}

function composeCharts() {
  const a = chart.size; // the data chart's CSS size (its layers differ in size)
  const b = doc.querySelector("#loss-chart canvas");
  const ratio = window.devicePixelRatio || 1;
  const out = document.createElement("canvas");
  const gap = 16;
  const lines = captionLines();
  perf.pngCaption = lines.join("\n");
  const lineHeight = 18;
  const width = a.width + gap + b.clientWidth;
  const chartHeight = Math.max(a.height, b.clientHeight);
  const height = chartHeight + 8 + lines.length * lineHeight + 6;
  out.width = Math.round(width * ratio);
  out.height = Math.round(height * ratio);
  const ctx = out.getContext("2d");
  ctx.scale(ratio, ratio);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, width, height);
  chart.composite(ctx, 0, 0);
  ctx.drawImage(b, a.width + gap, 0, b.clientWidth, b.clientHeight);
  ctx.fillStyle = "#1b1b1f";
  ctx.font = "13px system-ui, sans-serif";
  ctx.textBaseline = "top";
  lines.forEach((line, i) => ctx.fillText(line, 6, chartHeight + 8 + i * lineHeight, width - 12));
  return out;
}

bindShortcuts(doc, connection, dataPanel);
bindScenarios(doc, connection, doc.getElementById("data-chart"), "center");
