// Read a chosen JSON file into the text box, so the user sees what will be verified.
// Pictures (a photo of a QR code, a baked badge) are posted as they are.
// The form works without this script: the browser then posts the file itself.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var input = document.getElementById("file");
  var text = document.getElementById("document");
  if (!input || !text || !window.FileReader) {
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
