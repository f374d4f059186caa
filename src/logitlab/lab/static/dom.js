// DOM writes that skip unchanged values, so a frame that changes little costs little.

export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
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
