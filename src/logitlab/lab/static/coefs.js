// Every coefficient by its feature name (issue 14): at degree > 1 the Parameters panel
// lists x, y, x², x·y, …, b, each a number box the user may type into (never clamped
// to a slider's range). Degree 1 keeps params.js's w₀, w₁, b sliders.

import { isFocused, setHidden, setText } from "./dom.js";
import { formatNumber } from "./format.js";

const WEIGHT_LIMIT = 1e6;
// Writing 28 number boxes costs the page a frame's budget: while training they follow the
// server at most this often (the numbers are unreadable faster), and the last values always land.
const REFRESH_MS = 250;

export class CoefPanel {
  constructor(doc, connection) {
    this.doc = doc;
    this.connection = connection;
    this.list = doc.getElementById("coef-list");
    this.note = doc.getElementById("coef-note");
    this.sliders = ["w0", "w1", "b"].map((name) => doc.querySelector(`[data-control="${name}"]`));
    this.names = "";
    this.boxes = [];
    this.shown = -Infinity; // when the boxes were last written
    this.pending = null; // values waiting for the next refresh
    this.timer = null;
  }

  build(names) {
    this.list.replaceChildren();
    let lastClass = null;
    this.boxes = names.map((name, index) => {
      // K > 2 classes (issue 14, part 3): "x² (class 1)" is listed as x² under "class 1".
      const perClass = /^(.*) \(class (\d+)\)$/.exec(name);
      if (perClass !== null && perClass[2] !== lastClass) {
        lastClass = perClass[2];
        const head = document.createElement("div");
        head.className = "coef-class";
        head.dataset.class = lastClass;
        head.textContent = `class ${lastClass}`;
        this.list.append(head);
      }
      // The intercept is "b" (K > 2 classes: "b (class k)", issue 14 part 3).
      const intercept = name === "b" || name.startsWith("b (");
      const row = document.createElement("div");
      row.className = "coef-row";
      const label = document.createElement("label");
      const id = `coef-${index}`;
      label.htmlFor = id;
      label.textContent = perClass === null ? name : perClass[1];
      const box = document.createElement("input");
      box.type = "number";
      box.id = id;
      box.step = "any";
      box.setAttribute("aria-label", intercept ? `intercept ${name}` : `weight of ${name}`);
      box.addEventListener("change", () => {
        const value = Number(box.value);
        if (box.value.trim() === "" || !Number.isFinite(value) || Math.abs(value) > WEIGHT_LIMIT) {
          box.setCustomValidity(`A coefficient is a number between −1e6 and 1e6 (the state's range).`);
          box.reportValidity();
          return;
        }
        box.setCustomValidity("");
        this.connection.send({ type: "set_coef", index, value });
      });
      row.append(label, box);
      this.list.append(row);
      return box;
    });
  }

  update(frame) {
    const c = frame.coefficients;
    const many = c !== null && c !== undefined && c.values.length > 3;
    for (const el of this.sliders) setHidden(el, many);
    setHidden(this.list, !many);
    setHidden(this.note, !(c?.standardized ?? false));
    if (c?.standardized) {
      setText(
        this.note,
        "Standardized: each weight multiplies its column minus the training mean, divided by the training SD.",
      );
    }
    if (!many) return;
    const key = c.names.join("|");
    if (key !== this.names) {
      this.names = key;
      this.build(c.names);
      this.shown = -Infinity;
    }
    this.pending = c.values;
    const wait = this.shown + REFRESH_MS - performance.now();
    if (wait <= 0) this.write();
    else if (this.timer === null) this.timer = setTimeout(() => this.write(), wait);
  }

  write() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const values = this.pending;
    if (values === null || values.length !== this.boxes.length) return;
    this.pending = null;
    this.shown = performance.now();
    values.forEach((v, i) => {
      const box = this.boxes[i];
      const text = formatNumber(v, 6);
      if (!isFocused(box) && box.value !== text) box.value = text;
    });
  }
}
