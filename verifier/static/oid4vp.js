// "Request a badge": wait for the OpenID4VP wallet's answer and show the verdict when it
// arrives, without a reload. Polls the request's status URI (same origin) every 2 s; the
// verdict is built with the report's own classes, in text nodes only.
"use strict";

// The words come from the page (data-* attributes of #oid4vp, in its language); the
// sentence is the verdict the status URI carries, in the page's language ("verdicts").
function showVerdict(section, box, body) {
  var verified = body.status === "verified";
  var result = body.result || {};
  var words = section.dataset;
  var verdict = document.createElement("div");
  verdict.className = "verdict " + (verified ? "verdict-verified" : "verdict-failed");
  var mark = document.createElement("span");
  mark.className = "verdict-mark";
  mark.setAttribute("aria-hidden", "true");
  mark.textContent = verified ? "\u2713" : "\u2717";
  var text = document.createElement("div");
  text.className = "verdict-body";
  var title = document.createElement("h2");
  title.id = "verdict";
  title.className = "verdict-title";
  title.tabIndex = -1;
  title.textContent = verified ? words.verified : body.status === "expired" ? words.expired : words.notVerified;
  var sentence = document.createElement("p");
  sentence.id = "verdict-sentence";
  sentence.className = "verdict-sentence";
  var errors = result.errors || [];
  if (body.status === "expired") {
    sentence.textContent = words.noAnswer;
  } else if (body.verdicts && body.verdicts[document.documentElement.lang]) {
    sentence.textContent = body.verdicts[document.documentElement.lang].sentence;
  } else {
    sentence.textContent = (result.checks || []).length + " \u2713" + (errors.length ? "; \u2717 " + errors.join(", ") : "");
  }
  text.appendChild(title);
  text.appendChild(sentence);
  verdict.appendChild(mark);
  verdict.appendChild(text);
  box.replaceChildren(verdict);
  // As after a Verify: focus on the verdict, and the live region around it reads it out.
  title.focus();
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
          showVerdict(section, box, body);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
});
