// The status line at the bottom of the window (connection state, refused commands).

const FADE_SECONDS = 6; // an error or "reconnected" goes away by itself after this

export class Notice {
  constructor(el) {
    this.el = el;
    this.timer = 0;
    this.until = 0; // performance.now() before which a frame does not clear it
  }

  /** Show `text`; with `fade`, it goes away after a few seconds (and stays that long). */
  show(text, fade = false) {
    this.el.textContent = text;
    this.el.hidden = false;
    clearTimeout(this.timer);
    this.until = 0;
    if (fade) this.timer = setTimeout(() => this.hide(), FADE_SECONDS * 1000);
  }

  /** Like show(text, true), but no frame clears it before it fades ("reconnected"). */
  showFor(text) {
    this.show(text, true);
    this.until = performance.now() + FADE_SECONDS * 1000;
  }

  /** A frame arrived that answers a later command than the one the notice is about. */
  clear() {
    if (!this.el.hidden && performance.now() > this.until) this.hide();
  }

  hide() {
    clearTimeout(this.timer);
    this.el.hidden = true;
  }
}
