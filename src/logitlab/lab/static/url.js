// Keeps the address bar's fragment equal to the lab's state, at most a few
// writes a second (browsers throttle history updates made every frame).
// Links marked `data-keep-state` (the Lab <-> ROC page links) carry the state too:
// the newest state becomes their fragment at the moment they are followed or copied.

const MIN_INTERVAL_MS = 300;

export class UrlWriter {
  constructor(doc = document) {
    this.wanted = null;
    this.written = location.hash.replace(/^#/, "");
    this.lastWrite = -Infinity;
    this.links = [...doc.querySelectorAll("a[data-keep-state]")];
    for (const link of this.links) {
      link.addEventListener("click", () => this.carry(link));
      link.addEventListener("auxclick", () => this.carry(link));
      link.addEventListener("contextmenu", () => this.carry(link));
    }
  }

  carry(link) {
    const fragment = this.wanted ?? this.written;
    const target = new URL(link.getAttribute("href"), location.href);
    link.setAttribute("href", `${target.pathname}${target.search}${fragment ? `#${fragment}` : ""}`);
  }

  want(fragment) {
    this.wanted = fragment;
  }

  flush(now) {
    if (this.wanted === null || this.wanted === this.written) return;
    if (now - this.lastWrite < MIN_INTERVAL_MS) return;
    history.replaceState(null, "", `#${this.wanted}`);
    this.written = this.wanted;
    this.lastWrite = now;
  }
}
