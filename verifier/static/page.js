// Read a chosen JSON file into the text box, so the user sees what will be verified.
// Pictures (a photo of a QR code, a baked badge) are posted as they are.
// The form works without this script: the browser then posts the file itself.
//
// Opened at a link made by `laurel present --link` (PAGE#LV2:...), the page posts the
// payload in the URL fragment to be verified. Browsers never send a fragment to the
// server; this script is what reads it.
"use strict";

// The envelope in the fragment, or null: only an LV2 (or LV1) payload in the base45 alphabet.
function payloadInFragment() {
  var hash = window.location.hash;
  if (hash.length < 2) {
    return null;
  }
  var payload;
  try {
    payload = decodeURIComponent(hash.slice(1));
  } catch (error) {
    return null;
  }
  return /^LV[12]:[0-9A-Z $%*+\-./:]+$/.test(payload) ? payload : null;
}

document.addEventListener("DOMContentLoaded", function () {
  var input = document.getElementById("file");
  var text = document.getElementById("document");
  if (!input || !text) {
    return;
  }
  function postFragment() {
    var payload = payloadInFragment();
    if (payload === null || !text.form) {
      return false;
    }
    // Drop the fragment first: going back to this page must not post it again.
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    text.value = payload;
    text.form.submit();
    return true;
  }
  if (postFragment()) {
    return;
  }
  window.addEventListener("hashchange", postFragment);  // a link opened in this same tab
  if (!window.FileReader) {
    return;
  }
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file || !/\.(json|jsonld)$/i.test(file.name)) {
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      text.value = String(reader.result);
      input.value = "";  // the text box now holds the document; do not post it twice
      text.focus();
    };
    reader.readAsText(file);
  });
});

// Dates: the server writes them in UTC; here they are rewritten in the reader's own
// locale and time zone (<time datetime="..." data-format="date|datetime|time">).
function readerLocale() {
  var page = document.documentElement.lang || "en";
  var preferred = (navigator.languages && navigator.languages[0]) || navigator.language || "";
  // The reader's regional variant (en-GB, es-MX) when it is of the page's language.
  return preferred.split("-")[0].toLowerCase() === page ? preferred : page;
}

function localizeTimes() {
  if (!window.Intl || !Intl.DateTimeFormat) {
    return;
  }
  var locale = readerLocale();
  var styles = {
    date: { year: "numeric", month: "short", day: "numeric" },
    datetime: { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" },
    time: { hour: "numeric", minute: "2-digit", second: "2-digit", timeZoneName: "short" }
  };
  var times = document.querySelectorAll("time[datetime][data-format]");
  for (var i = 0; i < times.length; i++) {
    var element = times[i];
    var style = styles[element.getAttribute("data-format")];
    var moment = new Date(element.getAttribute("datetime"));
    if (!style || isNaN(moment.getTime())) {
      continue;
    }
    try {
      element.textContent = new Intl.DateTimeFormat(locale, style).format(moment);
    } catch (error) {
      // An unknown locale: the server's text stays.
    }
  }
}

// After a verification, move focus to the verdict (or the error) and announce it in
// the live region, so that a screen reader says at once what the page concluded.
function announceOutcome() {
  var heading = document.getElementById("verdict") || document.getElementById("error-title");
  var region = document.getElementById("announce");
  if (!heading) {
    return;
  }
  heading.focus();
  if (!region) {
    return;
  }
  var sentence = document.getElementById("verdict-sentence") || document.getElementById("error");
  var text = heading.textContent.trim() + ". " + (sentence ? sentence.textContent.trim() : "");
  // Set after a tick: a live region announces changes, not what it held at load.
  window.setTimeout(function () {
    region.textContent = text;
  }, 100);
}

document.addEventListener("DOMContentLoaded", function () {
  localizeTimes();
  announceOutcome();
});
