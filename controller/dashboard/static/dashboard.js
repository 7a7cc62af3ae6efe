// Cloud ChatOps dashboard: the live apply log (server-sent events) and unlock confirmation.
// No inline script anywhere: the Content-Security-Policy allows scripts from /static/ only.
"use strict";

function followApply(section) {
  const runId = section.dataset.run;
  const bar = document.getElementById("progress");
  const percent = document.getElementById("percent");
  const log = document.getElementById("log");
  const status = document.getElementById("run-status");
  const waiting = document.getElementById("no-log");
  const source = new EventSource(`/runs/${encodeURIComponent(runId)}/events?after=${section.dataset.last || 0}`);
  source.addEventListener("progress", (event) => {
    const line = JSON.parse(event.data);
    if (waiting) waiting.remove();
    bar.value = line.percent;
    percent.textContent = `${line.percent} %`;
    log.textContent += `${line.line}\n`;
    log.scrollTop = log.scrollHeight;
  });
  source.addEventListener("done", (event) => {
    const end = JSON.parse(event.data);
    source.close();
    if (end.percent !== null) {
      bar.value = end.percent;
      percent.textContent = `${end.percent} %`;
    }
    if (end.finished_at) document.getElementById("finished").textContent = end.finished_at;
    if (end.took_seconds !== null) document.getElementById("took").textContent = `${end.took_seconds} s`;
    status.textContent = end.status.replace("_", " ");
    status.className = `badge status-${end.status}`;
    section.dataset.live = "done";
  });
  source.onerror = () => { section.dataset.connection = "retrying"; };
}

document.addEventListener("DOMContentLoaded", () => {
  const section = document.getElementById("apply");
  if (section && section.dataset.live === "yes") followApply(section);
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    button.addEventListener("click", (event) => {
      if (!window.confirm(button.dataset.confirm)) event.preventDefault();
    });
  }
});
