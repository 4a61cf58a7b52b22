// A teacher's badge portfolio: dates in the reader's own locale and time zone, and the
// "Verify" form, which opens the verifier page the reader chose with the badge in the
// link's fragment (a browser never sends a fragment to any server). Without this script
// the page still shows everything, and the "Verify at" link (when there is one) works.
"use strict";

function readerLocale() {
  var page = document.documentElement.lang || "en";
  var preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "";
  return preferred.split("-")[0].toLowerCase() === page ? preferred : page;
}

function localizeTimes() {
  if (!window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var format;
  try {
    format = new Intl.DateTimeFormat(readerLocale(), { year: "numeric", month: "short", day: "numeric" });
  } catch (error) {
    return;
  }
  var times = document.querySelectorAll("time[datetime][data-format]");
  for (var i = 0; i < times.length; i++) {
    var moment = new Date(times[i].getAttribute("datetime"));
    if (!isNaN(moment.getTime())) {
      times[i].textContent = format.format(moment);
    }
  }
}

// RFC 3986 "Fragment": of the payload's alphabet only the space and "%" need escaping.
function verifyLink(base, payload) {
  var url;
  try {
    url = new URL(base);
  } catch (error) {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return null;
  }
  url.hash = "";
  return url.href.replace(/#$/, "") + "#" + payload.replace(/%/g, "%25").replace(/ /g, "%20");
}

function wireVerifyForms() {
  var forms = document.querySelectorAll("form.verify-form[data-payload]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.currentTarget;
      var input = form.querySelector("input[type=url]");
      var error = form.querySelector(".form-error");
      var link = verifyLink(input.value.trim(), form.getAttribute("data-payload"));
      if (link === null) {
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return;
      }
      error.hidden = true;
      input.removeAttribute("aria-invalid");
      window.location.assign(link);
    });
  }
}

document.addEventListener("DOMContentLoaded", function () {
  localizeTimes();
  wireVerifyForms();
});
