// Loaded before the ipywidgets html-manager: names the controls it renders
// after their visible descriptions, for screen readers and axe.
//
// The html-manager renders a control's `description` as a <label
// class="widget-label">. A dropdown's <select> is bound to it with `for`, but
// a slider's handle (a <div role="slider"> of noUiSlider) and a row of toggle
// buttons are not: the handle has no accessible name, and a screen reader
// cannot tell which toggle button is the pressed one. This script, whenever
// the page's widgets change,
//   * labels each slider handle by its description (aria-labelledby) and
//     reads out the option's label (aria-valuetext, the text of the readout)
//     instead of the option's index;
//   * makes each row of toggle buttons a group labelled by its description
//     and marks the pressed button with aria-pressed.
(function () {
  "use strict";
  var counter = 0;

  function labelId(view) {
    var label = view.querySelector(":scope > label.widget-label");
    if (!label || !label.textContent.trim()) return null;
    if (!label.id) label.id = "widget-label-" + ++counter;
    return label.id;
  }

  function setAttribute(element, name, value) {
    if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  }

  function describeSlider(view) {
    var handle = view.querySelector(".noUi-handle");
    if (!handle) return;
    var id = labelId(view);
    if (id) setAttribute(handle, "aria-labelledby", id);
    var readout = view.querySelector(":scope > .widget-readout");
    if (readout && readout.textContent.trim()) {
      setAttribute(handle, "aria-valuetext", readout.textContent.trim());
    }
  }

  function describeToggleButtons(view) {
    var group = view.querySelector(":scope > div");
    if (!group) return;
    var id = labelId(view);
    setAttribute(group, "role", "group");
    if (id) setAttribute(group, "aria-labelledby", id);
    group.querySelectorAll("button").forEach(function (button) {
      setAttribute(button, "aria-pressed", button.classList.contains("mod-active") ? "true" : "false");
    });
  }

  function describeAll() {
    document.querySelectorAll(".widget-slider").forEach(describeSlider);
    document.querySelectorAll(".widget-toggle-buttons").forEach(describeToggleButtons);
  }

  var scheduled = false;
  function schedule() {
    if (scheduled) return;
    scheduled = true;
    // A microtask, not a frame: the names are in place before anyone reads them.
    Promise.resolve().then(function () {
      scheduled = false;
      describeAll();
    });
  }

  function start() {
    new MutationObserver(schedule).observe(document.body, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: ["class", "aria-valuenow"],
    });
    describeAll();
  }

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
})();
