// DOM writes that skip unchanged values, so a frame that changes little costs little.

export function setText(el, text) {
  // Change the one text node in place: replacing it (textContent) would rebuild its layout.
  const node = el.firstChild;
  if (node !== null && node.nodeType === Node.TEXT_NODE && node.nextSibling === null) {
    if (node.data !== text) node.data = text;
  } else if (el.textContent !== text) {
    el.textContent = text;
  }
}

const TOKENS = /<\/?[a-zA-Z][^>]*>|[^<]+/g;
const ATTRS = /([^\s=/]+)="([^"]*)"/g;
const shown = new WeakMap(); // element -> what setMarkup put in it, for the fast path

/** The markup's tags without attribute values, its texts, and each start tag's attributes. */
function split(html) {
  const shape = [];
  const texts = [];
  const attrs = [];
  for (const [token] of html.matchAll(TOKENS)) {
    if (token[0] === "<") {
      shape.push(token.replace(ATTRS, "$1"));
      if (token[1] !== "/") attrs.push([...token.matchAll(ATTRS)].map((m) => [m[1], m[2]]));
    } else {
      shape.push("#");
      texts.push(token);
    }
  }
  return { shape: shape.join(""), texts, attrs };
}

/**
 * Show server-made markup in `el`. When the new markup has the same elements as what
 * is shown (a formula whose numbers changed), only the changed texts and attribute
 * values are rewritten, in the nodes already there: no parsing, and the browser keeps
 * its layout of the rest. Markup with character references takes the full path.
 */
export function setMarkup(el, html) {
  const parts = html.includes("&") ? null : split(html);
  const last = shown.get(el);
  if (parts !== null && last !== undefined && last.shape === parts.shape) {
    parts.texts.forEach((text, i) => {
      if (text !== last.texts[i]) last.textNodes[i].data = text;
    });
    parts.attrs.forEach((list, i) => {
      for (const [name, value] of list) {
        if (last.elements[i].getAttribute(name) !== value) last.elements[i].setAttribute(name, value);
      }
    });
    last.texts = parts.texts;
    return;
  }
  el.innerHTML = html;
  shown.delete(el);
  if (parts === null) return;
  const textNodes = [];
  const elements = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    (node.nodeType === Node.TEXT_NODE ? textNodes : elements).push(node);
  }
  // Only when the parser made one node per token can later texts go straight to them.
  if (textNodes.length === parts.texts.length && elements.length === parts.attrs.length) {
    shown.set(el, { shape: parts.shape, texts: parts.texts, textNodes, elements });
  }
}

export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

/** True when `el` has the focus. Asks `el`'s own root: the document, or the Jupyter
 * widget's shadow root (for the document, the focused element is then the widget). */
export function isFocused(el) {
  return el.getRootNode().activeElement === el;
}

export function setValue(el, value) {
  if (!isFocused(el) && el.value !== value) el.value = value;
}

export function setHidden(el, hidden) {
  if (el.hidden !== hidden) el.hidden = hidden;
}
