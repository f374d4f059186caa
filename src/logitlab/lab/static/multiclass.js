// More than two classes (issue 14, part 3): the "number of classes" control, the K × K
// confusion matrix with per-class and macro precision / recall / F1, τ switched off (the
// prediction is the argmax), and the views that are two-class only saying so. Every number
// comes from the server (frame.multiclass); with two classes this module only keeps the
// control in step and leaves the page as it was.

import { PRESET_NAMES } from "./data-controls.js";
import { setAttr, setHidden, setText } from "./dom.js";
import { formatNumber } from "./format.js";
import { CLASS_SHAPES } from "./palette.js";

const MULTICLASS_PRESETS = ["blobs", "overlap", "spiral"];

/** The "number of classes" control (Lab and ROC page): reloads the preset with K classes. */
export class ClassCount {
  constructor(doc, connection) {
    this.connection = connection;
    this.state = null;
    this.select = doc.getElementById("n-classes");
    this.note = doc.getElementById("n-classes-note");
    this.select.addEventListener("change", () => this.choose(Number(this.select.value)));
    // A preset clicked a moment ago may not have answered yet: K goes with that preset.
    this.requested = null;
    for (const button of doc.querySelectorAll("[data-preset]")) {
      button.addEventListener("click", () => {
        this.requested = button.dataset.preset;
      });
    }
  }

  choose(k) {
    if (this.state === null) return;
    const d = this.state.data;
    this.connection.send({
      type: "load_preset",
      preset: this.requested ?? d.preset,
      n_points: d.n_points,
      noise: d.noise,
      seed: d.seed,
      n_classes: k,
    });
  }

  update(frame) {
    this.state = frame.state;
    const d = frame.state.data;
    if (this.requested === d.preset) this.requested = null;
    const k = frame.n_classes ?? 2;
    const multi = MULTICLASS_PRESETS.includes(d.preset) && !d.custom;
    if (this.select.value !== String(k)) this.select.value = String(k);
    this.select.disabled = !multi;
    const name = d.custom ? "Your CSV data" : (PRESET_NAMES[d.preset] ?? d.preset);
    const verb = d.custom ? "have" : "has";
    setText(this.note, multi ? "" : `${name} ${verb} two classes; Blobs, Overlap and Spiral take 2–5.`);
  }
}

export class MulticlassPanel {
  constructor(doc, connection) {
    this.doc = doc;
    this.count = new ClassCount(doc, connection);
    this.argmaxNote = doc.getElementById("argmax-note");
    this.box = doc.getElementById("multi-eval");
    this.binary = doc.getElementById("binary-confusion");
    this.tauInputs = [doc.getElementById("tau"), doc.getElementById("tau-box")];
    this.twoClass = [...doc.querySelectorAll("[data-two-class]")];
    this.keys = [...doc.querySelectorAll("[data-min-classes]")];
    this.boundaryKey = doc.getElementById("key-boundary");
    this.scoreNames = ["precision", "recall", "f1"].map((n) => doc.getElementById(`${n}-name`));
    this.shownK = 2;
    this.tableKey = "";
    this.cells = [];
    this.classCells = [];
    this.notes = new Map(); // panel -> its "for two classes" note
  }

  update(frame) {
    this.count.update(frame);
    const k = frame.n_classes ?? 2;
    if (k !== this.shownK) this.switchTo(k);
    if (k > 2 && frame.multiclass) this.draw(frame.multiclass);
  }

  switchTo(k) {
    this.shownK = k;
    const many = k > 2;
    for (const el of this.twoClass) {
      if (el.dataset.twoClass === "hide") {
        el.classList.toggle("two-class-off", many);
        continue;
      }
      el.classList.toggle("two-class-off", many);
      let note = this.notes.get(el);
      if (note === undefined) {
        note = document.createElement("p");
        note.className = "note two-class-note";
        const heading = el.querySelector("h2");
        (heading?.closest(".loss-head") ?? heading ?? el.firstElementChild).after(note);
        this.notes.set(el, note);
      }
      setHidden(note, !many);
      setText(
        note,
        `This view is for two classes; this experiment has ${k}. Choose 2 classes (or a two-class preset) to use it.`,
      );
    }
    for (const key of this.keys) setHidden(key, k < Number(key.dataset.minClasses));
    setText(this.boundaryKey, many ? "boundary between classes" : "p̂ = τ");
    for (const input of this.tauInputs) input.disabled = many;
    setHidden(this.argmaxNote, !many);
    setHidden(this.binary, many);
    setHidden(this.box, !many);
    const names = many ? ["macro precision", "macro recall", "macro F1"] : ["precision", "recall", "F1"];
    this.scoreNames.forEach((el, i) => setText(el, names[i]));
  }

  build(k) {
    const doc = this.doc;
    this.box.replaceChildren();
    const table = document.createElement("table");
    table.className = "confusion multi-confusion";
    const caption = document.createElement("caption");
    caption.textContent = "Confusion matrix (prediction: the most probable class)";
    this.caption = document.createElement("span");
    caption.append(this.caption);
    table.append(caption);
    // "predicted" once over the K columns (K words would not fit beside each other).
    const top = table.createTHead().insertRow();
    top.append(document.createElement("td"));
    const over = th(doc, "predicted", "colgroup");
    over.colSpan = k;
    top.append(over);
    const head = table.tHead.insertRow();
    head.append(document.createElement("td"));
    for (let j = 0; j < k; j += 1) {
      const cell = th(doc, String(j), "col");
      cell.setAttribute("aria-label", `predicted ${j}`);
      head.append(cell);
    }
    const body = table.createTBody();
    this.cells = [];
    for (let i = 0; i < k; i += 1) {
      const row = body.insertRow();
      row.append(th(doc, `actual ${i}`, "row"));
      const cells = [];
      for (let j = 0; j < k; j += 1) {
        const td = row.insertCell();
        if (i === j) td.className = "diagonal";
        const span = document.createElement("span");
        span.dataset.cell = `a${i}-p${j}`;
        span.textContent = "0";
        td.append(span);
        cells.push(span);
      }
      this.cells.push(cells);
    }
    const scores = document.createElement("table");
    scores.className = "class-scores";
    const sc = document.createElement("caption");
    sc.textContent = "Each class against the rest";
    scores.append(sc);
    const sh = scores.createTHead().insertRow();
    for (const name of ["class", "precision", "recall", "F1", "points"]) sh.append(th(doc, name, "col"));
    const sb = scores.createTBody();
    this.classCells = [];
    for (let c = 0; c <= k; c += 1) {
      const row = sb.insertRow();
      const macro = c === k;
      const label = macro ? "macro average" : `${c} (${CLASS_SHAPES[c]})`;
      const head = th(doc, label, "row");
      if (!macro) head.dataset.class = String(c);
      row.append(head);
      const cells = [];
      for (const stat of ["precision", "recall", "f1", "support"]) {
        const td = row.insertCell();
        td.dataset.stat = macro ? `macro-${stat}` : `class-${c}-${stat}`;
        td.textContent = "—";
        cells.push(td);
      }
      if (macro) row.className = "macro";
      this.classCells.push(cells);
    }
    this.box.append(table, scores);
  }

  draw(m) {
    const k = m.n_classes;
    if (this.tableKey !== String(k)) {
      this.tableKey = String(k);
      this.build(k);
    }
    setText(this.caption, m.rows === "test" ? " · test points" : "");
    for (let i = 0; i < k; i += 1) {
      for (let j = 0; j < k; j += 1) setText(this.cells[i][j], String(m.matrix[i][j]));
    }
    for (let c = 0; c < k; c += 1) {
      const [p, r, f, n] = this.classCells[c];
      setText(p, formatNumber(m.precision[c], 3));
      setText(r, formatNumber(m.recall[c], 3));
      setText(f, formatNumber(m.f1[c], 3));
      setText(n, String(m.support[c]));
    }
    const [p, r, f, n] = this.classCells[k];
    setText(p, formatNumber(m.macro_precision, 3));
    setText(r, formatNumber(m.macro_recall, 3));
    setText(f, formatNumber(m.macro_f1, 3));
    setText(n, String(m.support.reduce((a, b) => a + b, 0)));
    setAttr(this.box, "data-classes", String(k));
  }
}

function th(doc, text, scope) {
  const el = document.createElement("th");
  el.scope = scope;
  el.textContent = text;
  return el;
}
