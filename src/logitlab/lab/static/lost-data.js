// A link whose CSV points neither this browser nor the server has any more (issue 12):
// say so where the data are shown, until the user acts, and offer to load the file again.

/** Show `text` in an alert above the Data panel's CSV row, with "Load the CSV file again". */
export function offerReload(doc, text) {
  let box = doc.getElementById("lost-data");
  if (box === null) {
    box = document.createElement("div");
    box.id = "lost-data";
    box.className = "lost-data";
    box.setAttribute("role", "alert");
    const row = doc.querySelector(".csv-row");
    if (row !== null) row.before(box);
    else doc.querySelector("main, .lab")?.prepend(box);
  }
  const message = document.createElement("p");
  message.textContent = text;
  const input = doc.getElementById("csv-file");
  const actions = document.createElement("div");
  actions.className = "row wrap";
  if (input !== null) {
    const reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Load the CSV file again";
    reload.addEventListener("click", () => input.click());
    actions.append(reload);
    input.addEventListener("change", () => box.remove(), { once: true });
  }
  const dismiss = document.createElement("button");
  dismiss.type = "button";
  dismiss.textContent = "Dismiss";
  dismiss.addEventListener("click", () => box.remove());
  actions.append(dismiss);
  box.replaceChildren(message, actions);
}
