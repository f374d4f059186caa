// A slider paired with a number box. The slider may be linear or logarithmic;
// with `follow`, its range widens (and narrows back) to hold the true value, so
// a value set by training is never clamped by the slider.

import { formatNumber } from "./format.js";
import { isFocused } from "./dom.js";

const LOG_TICKS = 1000;

export class NumberControl {
  /**
   * @param {HTMLInputElement} range
   * @param {HTMLInputElement} box
   * @param {object} options
   *   scale: "linear" | "log"; min, max: allowed values; follow: base half-width of a
   *   symmetric range that follows the value; integer: round values; digits: box precision;
   *   live: report while dragging (else on release); onValue(value): the user chose a value;
   *   busy(): true while a value the user chose is still unanswered (then frames, which
   *   answer older commands, do not move the control back under the user's hand).
   */
  constructor(range, box, options) {
    this.range = range;
    this.box = box;
    this.o = {
      scale: "linear",
      digits: 4,
      live: true,
      integer: false,
      follow: 0,
      busy: () => false,
      ...options,
    };
    this.value = null;
    this.held = false; // the pointer is down on the slider
    if (this.o.scale === "log") {
      range.min = "0";
      range.max = String(LOG_TICKS);
      range.step = "1";
    }
    range.addEventListener("pointerdown", () => {
      this.held = true;
    });
    range.addEventListener("pointerup", () => {
      this.held = false;
    });
    range.addEventListener("input", () => {
      const value = this.fromRange();
      this.box.value = this.text(value);
      if (this.o.live) this.choose(value);
    });
    range.addEventListener("change", () => {
      this.held = false;
      if (!this.o.live) this.choose(this.fromRange());
    });
    box.addEventListener("change", () => {
      const value = Number(box.value);
      if (box.value.trim() === "" || !Number.isFinite(value)) {
        this.box.value = this.text(this.value);
        return;
      }
      const clamped = Math.min(Math.max(value, this.o.min), this.o.max);
      this.choose(clamped);
      this.place(this.value);
      // The box shows the value actually used, and says why when it differs from the typed one.
      this.box.value = this.text(this.value);
      this.say(this.value === value ? "" : this.correction(value, this.value));
    });
    this.note = null;
  }

  correction(typed, used) {
    const shown = this.text(used);
    if (typed < this.o.min) return `${typed} is below the minimum ${this.text(this.o.min)}: using ${shown}.`;
    if (typed > this.o.max) return `${typed} is above the maximum ${this.text(this.o.max)}: using ${shown}.`;
    return `${typed} rounded to ${shown}.`;
  }

  /** A short note under the control (created on first use; hidden when empty). */
  say(text) {
    if (this.note === null) {
      if (text === "") return;
      this.note = document.createElement("p");
      this.note.className = "control-note";
      this.note.setAttribute("role", "status");
      (this.box.closest(".control") ?? this.box.parentElement).append(this.note);
    }
    this.note.textContent = text;
    this.note.hidden = text === "";
  }

  choose(value) {
    const v = this.o.integer ? Math.round(value) : value;
    this.value = v;
    this.o.onValue(v);
  }

  fromRange() {
    const t = Number(this.range.value);
    if (this.o.scale === "log") {
      const a = Math.log10(this.o.min);
      const b = Math.log10(this.o.max);
      const v = 10 ** (a + ((b - a) * t) / LOG_TICKS);
      return this.o.integer ? Math.round(v) : Number(v.toPrecision(3));
    }
    return t;
  }

  text(value) {
    if (value === null || !Number.isFinite(value)) return "";
    return this.o.integer ? String(Math.round(value)) : formatNumber(value, this.o.digits);
  }

  /** Move the slider (and widen its range if it follows) without reporting. */
  place(value) {
    if (this.o.scale === "log") {
      const a = Math.log10(this.o.min);
      const b = Math.log10(this.o.max);
      const tick = String(Math.round(((Math.log10(value) - a) / (b - a)) * LOG_TICKS));
      if (this.range.value !== tick) this.range.value = tick;
      return;
    }
    if (this.o.follow > 0) {
      let span = this.o.follow;
      while (Math.abs(value) > span && span < this.o.max) span *= 2;
      if (Number(this.range.max) !== span) {
        this.range.min = String(-span);
        this.range.max = String(span);
        // Keyboard steps of 0.01 over the base range; any value beyond it.
        this.range.step = span === this.o.follow ? "0.01" : "any";
      }
    }
    if (Number(this.range.value) !== value) this.range.value = String(value);
  }

  /** Show the server's value (skipped for the element the user is operating). */
  set(value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    // A frame answering an older command: showing its value would undo the newer input
    // (four quick ArrowRight presses ended one short when a frame came between them).
    if (this.o.busy()) return;
    this.value = value;
    if (!this.held) this.place(value);
    const text = this.text(value);
    if (!isFocused(this.box) && this.box.value !== text) this.box.value = text;
  }
}
