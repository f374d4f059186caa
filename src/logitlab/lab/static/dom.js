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

const scratch = document.createElement("template");

/**
 * Show server-made markup in `el`. When the new markup has the same elements as what
 * is shown (a formula whose numbers changed), only the changed text and attribute
 * values are rewritten, so the browser keeps its layout of the rest.
 */
export function setMarkup(el, html) {
  scratch.innerHTML = html;
  const fresh = scratch.content;
  if (sameChildren(el, fresh)) copyChildren(el, fresh);
  else el.replaceChildren(fresh);
}

function sameChildren(a, b) {
  if (a.childNodes.length !== b.childNodes.length) return false;
  for (let i = 0; i < a.childNodes.length; i += 1) {
    if (!sameShape(a.childNodes[i], b.childNodes[i])) return false;
  }
  return true;
}

function sameShape(a, b) {
  if (a.nodeType !== b.nodeType || a.nodeName !== b.nodeName) return false;
  if (a.nodeType === Node.ELEMENT_NODE) {
    if (a.attributes.length !== b.attributes.length) return false;
    for (const attr of b.attributes) if (!a.hasAttribute(attr.name)) return false;
  }
  return sameChildren(a, b);
}

function copyValues(a, b) {
  if (a.nodeType === Node.TEXT_NODE) {
    if (a.data !== b.data) a.data = b.data;
    return;
  }
  if (a.nodeType === Node.ELEMENT_NODE) {
    for (const attr of b.attributes) {
      if (a.getAttribute(attr.name) !== attr.value) a.setAttribute(attr.name, attr.value);
    }
  }
  copyChildren(a, b);
}

function copyChildren(a, b) {
  for (let i = 0; i < a.childNodes.length; i += 1) copyValues(a.childNodes[i], b.childNodes[i]);
}

export function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

export function setValue(el, value) {
  if (document.activeElement !== el && el.value !== value) el.value = value;
}

export function setHidden(el, hidden) {
  if (el.hidden !== hidden) el.hidden = hidden;
}
