// What the Lab and ROC pages both do with the keyboard and the "Try this" cards:
// Ctrl+Z undoes a point edit, C switches the class of new points, a card sets up its
// scenario and brings the chart that shows it into view.

/** True when keys typed into `target` are text, not shortcuts. */
function typing(target) {
  if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !["range", "checkbox", "button"].includes(target.type);
}

/** Ctrl+Z (⌘Z) sends undo; C toggles the data panel's active class. */
export function bindShortcuts(doc, connection, dataPanel) {
  doc.addEventListener("keydown", (event) => {
    if (typing(event.target) || event.altKey) return;
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "z" && !event.shiftKey) {
      event.preventDefault();
      connection.send({ type: "undo" });
    } else if (!event.ctrlKey && !event.metaKey && event.key.toLowerCase() === "c") {
      dataPanel.toggleClass();
    }
  });
}

/** Every [data-scenario] button runs its scenario, then scrolls `target` into view at `block`. */
export function bindScenarios(doc, connection, target, block) {
  for (const button of doc.querySelectorAll("[data-scenario]")) {
    button.addEventListener("click", () => {
      connection.send({ type: "scenario", name: button.dataset.scenario });
      target.scrollIntoView({ behavior: "smooth", block });
    });
  }
}
