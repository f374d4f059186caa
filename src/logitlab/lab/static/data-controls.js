// Data controls: presets, number of points, noise, new sample, active class, clear.

import { NumberControl } from "./controls.js";
import { setAttr, setText } from "./dom.js";

export const PRESET_NAMES = {
  blobs: "Blobs",
  balanced: "Balanced",
  overlap: "Overlap",
  imbalanced: "Imbalanced",
  xor: "XOR",
  "near-perfect": "Near-perfect",
  moons: "Moons",
  circles: "Circles",
  spiral: "Spiral", // issue 14, part 3
};

/** What the data is, for the "preset" stat: "Moons", "Moons (edited)", "iris" (a CSV). */
export function presetLabel(data) {
  const name = data.custom
    ? data.custom.source.replace(/\.csv$/i, "") || "CSV data"
    : (PRESET_NAMES[data.preset] ?? data.preset);
  return data.edits.length > 0 ? `${name} (edited)` : name;
}

export class DataPanel {
  constructor(doc, connection) {
    this.connection = connection;
    this.state = null;
    this.presetButtons = [...doc.querySelectorAll("[data-preset]")];
    for (const button of this.presetButtons) {
      button.addEventListener("click", () => this.load({ preset: button.dataset.preset }));
    }
    this.nPoints = new NumberControl(doc.getElementById("n-points"), doc.getElementById("n-points-box"), {
      scale: "log",
      min: 10,
      max: 100000,
      integer: true,
      live: false,
      onValue: (v) => this.load({ n_points: v }),
    });
    this.noise = new NumberControl(doc.getElementById("noise"), doc.getElementById("noise-box"), {
      min: 0,
      max: 5,
      live: false,
      onValue: (v) => this.load({ noise: v }),
    });
    doc.getElementById("new-sample").addEventListener("click", () => connection.send({ type: "new_sample" }));
    doc.getElementById("clear-points").addEventListener("click", () =>
      connection.send({ type: "edit", edit: { op: "clear" } }),
    );
    this.classButton = doc.getElementById("class-toggle");
    this.classButton.addEventListener("click", () => this.toggleClass());
    this.fieldBox = doc.getElementById("show-field");
    this.fieldBox.addEventListener("change", () =>
      connection.send({ type: "set_view", show_field: this.fieldBox.checked }),
    );
    this.seedNote = doc.getElementById("seed-note");
  }

  /** Reload the data: the current preset, size, noise and seed unless overridden. */
  load(overrides) {
    const d = this.state.data;
    this.connection.send({
      type: "load_preset",
      preset: d.preset,
      n_points: d.n_points,
      noise: d.noise,
      seed: d.seed,
      ...overrides,
    });
  }

  get activeClass() {
    return this.state === null ? 1 : this.state.view.active_class;
  }

  toggleClass() {
    if (this.state === null) return;
    // issue 14, part 3: cycle through the K classes (0, 1, …, K − 1, 0, …)
    const k = this.nClasses ?? 2;
    const next = (this.state.view.active_class + 1) % k;
    // Show the change at once; the server's frame confirms it.
    this.showClass(next);
    this.state = { ...this.state, view: { ...this.state.view, active_class: next } };
    this.connection.send({ type: "set_view", active_class: next });
  }

  showClass(cls) {
    setText(this.classButton, `Adding class ${cls}`);
    setAttr(this.classButton, "data-class", String(cls));
  }

  update(frame) {
    this.state = frame.state;
    this.nClasses = frame.n_classes ?? 2; // issue 14, part 3
    const d = frame.state.data;
    this.nPoints.set(d.n_points);
    this.noise.set(d.noise);
    this.showClass(frame.state.view.active_class);
    if (this.fieldBox.checked !== frame.state.view.show_field) {
      this.fieldBox.checked = frame.state.view.show_field;
    }
    for (const button of this.presetButtons) {
      setAttr(button, "aria-current", String(button.dataset.preset === d.preset && !d.custom));
    }
    setText(this.seedNote, `seed ${d.seed}`);
  }
}
