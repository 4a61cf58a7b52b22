// "Request a badge": wait for the OpenID4VP wallet's answer and show the verdict when it
// arrives, without a reload. Polls the request's status URI (same origin) every 2 s; the
// verdict is built with the report's own classes, in text nodes only.
"use strict";

function showVerdict(box, body) {
  var verified = body.status === "verified";
  var result = body.result || {};
  var verdict = document.createElement("div");
  verdict.className = "verdict " + (verified ? "verdict-ok" : "verdict-fail");
  var mark = document.createElement("span");
  mark.className = "verdict-mark";
  mark.setAttribute("aria-hidden", "true");
  mark.textContent = verified ? "\u2713" : "\u2717";
  var text = document.createElement("div");
  var title = document.createElement("h2");
  title.id = "verdict";
  title.className = "verdict-title";
  title.textContent = verified ? "Verified" : body.status === "expired" ? "Expired" : "Not verified";
  var tally = document.createElement("p");
  tally.className = "verdict-tally";
  var errors = result.errors || [];
  tally.textContent = body.status === "expired"
    ? "No answer arrived in time."
    : (result.checks || []).length + " checks passed" + (errors.length ? "; failed: " + errors.join(", ") : "");
  text.appendChild(title);
  text.appendChild(tally);
  verdict.appendChild(mark);
  verdict.appendChild(text);
  box.replaceChildren(verdict);
}

document.addEventListener("DOMContentLoaded", function () {
  var section = document.getElementById("oid4vp");
  var box = document.getElementById("oid4vp-verdict");
  if (!section || !box || !window.fetch) {
    return;
  }
  var statusUri = section.getAttribute("data-status-uri");
  function poll() {
    fetch(statusUri, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (body.status === "pending") {
          window.setTimeout(poll, 2000);
        } else {
          showVerdict(box, body);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
});
