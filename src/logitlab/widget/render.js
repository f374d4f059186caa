// anywidget's side of the Lab widget (issue 17): each view gets a shadow root holding the
// Lab's markup and CSS (so the Lab's styles and ids stay out of the notebook and the
// notebook's out of the Lab), then runs the bundled modules against it.

function render({ model, el }) {
  el.classList.add("logitlab-widget");
  // Keys typed in the Lab (C switches the class, Ctrl+Z undoes an edit) are the Lab's,
  // not JupyterLab's notebook shortcuts (C would copy the cell).
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  const root = el.shadowRoot ?? el.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = LAB_CSS;
  const frame = document.createElement("div");
  frame.className = "logitlab-root";
  frame.innerHTML = LAB_MARKUP;
  root.replaceChildren(style, frame);
  let alive = true;
  const env = { root, model, el, running: () => alive, sockets: [] };
  startLab(env).catch((error) => {
    const note = document.createElement("p");
    note.className = "widget-error";
    note.setAttribute("role", "alert");
    note.textContent = `The Lab could not start: ${error?.message ?? error}`;
    frame.prepend(note);
    console.error(error);
  });
  return () => {
    alive = false;
    for (const socket of env.sockets) socket.close();
  };
}

export default { render };
