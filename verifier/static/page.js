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
