// Parameters w₀, w₁, b: sliders that follow the true value, and number boxes.

import { NumberControl } from "./controls.js";

const WEIGHT_LIMIT = 1e6;
const NAMES = ["w0", "w1", "b"];

export class ParamsPanel {
  constructor(doc, connection) {
    this.controls = {};
    for (const name of NAMES) {
      this.controls[name] = new NumberControl(doc.getElementById(name), doc.getElementById(`${name}-box`), {
        min: -WEIGHT_LIMIT,
        max: WEIGHT_LIMIT,
        follow: 5,
        digits: 6,
        onValue: (value) => connection.sendLatest("model", { type: "set_model", [name]: value }),
        busy: () => connection.busy("model"),
      });
    }
  }

  update(frame) {
    const w = frame.true_weights;
    for (const name of NAMES) this.controls[name].set(w[name]);
  }
}
