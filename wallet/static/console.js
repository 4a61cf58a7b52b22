// The roster's progress bar: polls the job's JSON until it is done, updating the bar and
// the live status line. Without this script, the page's Refresh link does the same.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  var panel = document.querySelector("[data-job]");
  if (!panel || !window.fetch) {
    return;
  }
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  var doneText = panel.querySelector(".job-done-text").textContent;
  var runningText = panel.querySelector(".job-running-text").textContent;
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? String(values[name]) : all;
    });
  }
  function poll() {
    fetch(panel.getAttribute("data-job"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        bar.max = job.total || 1;
        bar.value = job.done;
        if (job.state === "done") {
          status.textContent = fill(doneText, job);
        } else if (job.state === "failed") {
          window.location.reload();
        } else {
          status.textContent = fill(runningText, job);
          window.setTimeout(poll, 500);
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  poll();
});
