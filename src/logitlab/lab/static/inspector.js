// The Point inspector panel (issue 16): the selected point's coordinates, class, p̂, loss
// term, share of the loss, gradient contribution and leave-one-out change per coefficient
// (views/inspector.py). "Delete selected point" sends an ordinary delete edit, so Undo
// brings the point back (and selects it again). The arrow and ghost: chart-trust.js.

import { setHidden, setText } from "./dom.js";
import { formatNumber, formatPercent } from "./format.js";

export class InspectorPanel {
  constructor(doc, connection) {
    this.doc = doc;
    this.empty = doc.getElementById("inspector-empty");
    this.body = doc.getElementById("inspector-body");
    this.stat = {};
    for (const el of this.body.querySelectorAll("[data-stat]")) this.stat[el.dataset.stat] = el;
    this.table = doc.getElementById("inspector-coefs");
    this.note = doc.getElementById("inspector-loo-note");
    this.remove = doc.getElementById("inspector-delete");
    this.clear = doc.getElementById("inspector-clear");
    this.index = null;
    this.remove.addEventListener("click", () => {
      if (this.index !== null) connection.send({ type: "edit", edit: { op: "delete", index: this.index } });
    });
    this.clear.addEventListener("click", () => connection.send({ type: "inspect", index: -1 }));
    this.rowsKey = "";
  }

  update(frame) {
    const p = frame.inspector;
    setHidden(this.empty, p !== null);
    setHidden(this.body, p === null);
    this.index = p === null ? null : p.index;
    if (p === null) return;
    const values = {
      "point-index": String(p.index + 1),
      "point-xy": `(${formatNumber(p.x, 4)}, ${formatNumber(p.y, 4)})`,
      "point-class": String(p.cls),
      "point-p": formatNumber(p.p, 4),
      "point-loss": formatNumber(p.loss, 4),
      "point-share": formatPercent(p.share, 2),
    };
    for (const [name, text] of Object.entries(values)) setText(this.stat[name], text);
    setText(this.note, p.loo_note);
    const names = p.gradient.map((g) => g.name);
    const key = names.join("|");
    if (key !== this.rowsKey) {
      this.rowsKey = key;
      const body = this.table.tBodies[0];
      body.replaceChildren(
        ...names.map((name) => {
          const tr = document.createElement("tr");
          const th = document.createElement("th");
          th.scope = "row";
          th.textContent = name;
          tr.append(th, document.createElement("td"), document.createElement("td"));
          return tr;
        }),
      );
    }
    const rows = this.table.tBodies[0].rows;
    p.gradient.forEach((g, i) => {
      setText(rows[i].cells[1], g.value);
      setText(rows[i].cells[2], p.loo.length ? p.loo[i].value : "—");
      rows[i].cells[2].dataset.cell = `loo-${g.name}`;
    });
  }
}
