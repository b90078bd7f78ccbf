// cloudblame web UI: the copy button of the event page and small conveniences of the Event History's
// filter bar; loaded only by the pages that have them (charts are SVG drawn on the server: no script).
// Our own code; no data is ever evaluated as code or inserted as HTML.
"use strict";

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  var area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.appendChild(area);
  area.select();
  var ok = document.execCommand("copy");
  document.body.removeChild(area);
  return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
}

function setUpCopyButtons() {
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copyTarget);
      var status = button.parentElement.querySelector(".copied");
      copyText(source ? source.textContent : "").then(function () {
        if (status) status.textContent = "copied";
      }, function () {
        if (status) status.textContent = "copy failed: select the text instead";
      });
    });
  });
}

function setUpTimeRange() {
  // Typing a from/to date means a custom range; picking a preset clears them.
  var range = document.getElementById("range");
  var since = document.getElementById("since");
  var until = document.getElementById("until");
  if (!range || !since || !until) return;
  [since, until].forEach(function (input) {
    input.addEventListener("change", function () { if (input.value) range.value = "custom"; });
  });
  range.addEventListener("change", function () {
    if (range.value !== "custom") { since.value = ""; until.value = ""; }
  });
}

function setUpShortUrls() {
  // The filter form leaves out empty fields, so a shared search URL holds only what was asked.
  var form = document.getElementById("filters");
  if (!form || typeof URLSearchParams === "undefined") return;
  var defaults = { range: "all", sort: "time_desc", limit: "50" };
  form.addEventListener("submit", function (event) {
    var params = new URLSearchParams();
    var custom = form.elements.range && form.elements.range.value === "custom";
    var cols = [];
    new FormData(form).forEach(function (value, name) {
      if (value === "" || defaults[name] === value || ((name === "since" || name === "until") && !custom)) return;
      if (name === "cols") cols.push(value); else params.append(name, value);
    });
    if (cols.join(",") !== form.dataset.defaultCols) cols.forEach(function (c) { params.append("cols", c); });
    event.preventDefault();
    var query = params.toString();
    window.location.assign(form.getAttribute("action") + (query ? "?" + query : ""));
  });
}

document.addEventListener("DOMContentLoaded", function () {
  setUpCopyButtons();
  setUpTimeRange();
  setUpShortUrls();
});
