/* Pictureday bulk uploader: many files at once, each in chunks (resumable: the server keeps
   what arrived; choosing the same files again after a dropped connection or a closed tab goes
   on from the last byte), three files in parallel, a progress bar per file and overall, and
   each file's outcome (uploaded, duplicate, or rejected with the reason). */
(function () {
  "use strict";
  const root = document.querySelector("[data-uploader]");
  const progressCard = document.getElementById("processing");
  const text = root ? JSON.parse(document.getElementById("uploader-text").textContent) : {};
  const csrf = (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] ||
    (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  const PARALLEL = 3;
  let active = 0;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const format = (template, values) => template.replace(/%\((\w+)\)s/g, (_, key) => values[key]);

  async function api(method, url, body, headers) {
    const response = await fetch(url, {
      method, body, credentials: "same-origin",
      headers: Object.assign({ "X-CSRFToken": csrf, Accept: "application/json" }, headers || {}),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { status: response.status, ok: response.ok, data };
  }

  function errorText(data) {
    if (!data) return "";
    if (typeof data === "string") return data;
    if (data.detail) return data.detail;
    return Object.values(data).flat().join(" ");
  }

  function Row(file, list) {
    const node = document.getElementById("upload-row").content.firstElementChild.cloneNode(true);
    node.querySelector(".name").textContent = file.name;
    const state = node.querySelector(".state");
    const bar = node.querySelector(".bar span");
    const outcomes = node.querySelector(".entry-outcomes");
    list.appendChild(node);
    return {
      state(value, kind) { state.textContent = value; node.dataset.state = kind || ""; },
      progress(fraction) { bar.style.width = Math.round(fraction * 100) + "%"; },
      outcomes(items) {
        const single = items.length === 1 && items[0].file_name === file.name;
        items.forEach((item) => {
          if (single) { this.state(item.reason ? text[item.result] + ": " + item.reason : text[item.result], item.result); return; }
          const li = document.createElement("li");
          li.dataset.state = item.result;
          li.textContent = item.file_name + " — " + text[item.result] + (item.reason ? ": " + item.reason : "");
          outcomes.appendChild(li);
        });
        if (!single) {
          const rejected = items.filter((item) => item.result === "rejected").length;
          this.state(items.length - rejected + " / " + items.length, rejected ? "partial" : "accepted");
        }
      },
    };
  }

  async function withRetries(step, row) {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await step();
        if (result.status < 500) return result;
      } catch (e) { /* network down: wait and try again */ }
      row.state(text.retrying, "retrying");
      await sleep(Math.min(30000, 1000 * 2 ** Math.min(attempt, 5)));
    }
  }

  async function uploadFile(file, row, classId, onBytes) {
    const fingerprint = [file.name, file.size, file.lastModified].join(":");
    const started = await withRetries(() => api("POST", "/api/uploads/", JSON.stringify({
      shoot: Number(root.dataset.shoot), school_class: classId || null,
      file_name: file.name, size_bytes: file.size, fingerprint,
    }), { "Content-Type": "application/json" }), row);
    if (!started.ok) { row.state(text.rejected + ": " + errorText(started.data), "rejected"); return false; }
    let upload = started.data;
    let offset = upload.received_bytes;
    onBytes(offset);
    const chunkSize = Number(root.dataset.chunk);
    while (upload.status === "receiving" && offset < file.size) {
      row.state(text.uploading, "uploading");
      const chunk = file.slice(offset, offset + chunkSize);
      const sent = await withRetries(() => api("PUT", "/api/uploads/" + upload.id + "/chunk/", chunk, {
        "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset),
      }), row);
      if (sent.status === 409) { offset = sent.data.received_bytes; continue; }
      if (!sent.ok) { row.state(text.rejected + ": " + errorText(sent.data), "rejected"); return false; }
      upload = sent.data;
      onBytes(upload.received_bytes - offset);
      offset = upload.received_bytes;
      row.progress(offset / file.size);
    }
    while (upload.status === "receiving") {  // a ZIP is unpacked in the background
      row.state(/\.zip$/i.test(file.name) ? text.unpacking : text.uploading, "uploading");
      await sleep(1500);
      const polled = await withRetries(() => api("GET", "/api/uploads/" + upload.id + "/"), row);
      if (polled.ok) upload = polled.data;
    }
    row.progress(1);
    row.outcomes(upload.outcome);
    return upload.outcome.some((item) => item.result !== "rejected");
  }

  function start(files) {
    const list = root.querySelector(".upload-list");
    const summary = root.querySelector(".upload-summary");
    const classId = root.querySelector("select[name=school_class]").value;
    const total = files.reduce((sum, file) => sum + file.size, 0);
    let sentBytes = 0, done = 0, failed = 0;
    summary.hidden = false;
    const refresh = () => {
      root.querySelector("[data-overall]").style.width = (total ? Math.round(100 * sentBytes / total) : 100) + "%";
      root.querySelector("[data-summary]").textContent = format(text.summary, { done, total: files.length, failed });
    };
    const queue = files.map((file) => ({ file, row: Row(file, list) }));
    queue.forEach((item) => item.row.state(text.waiting, "waiting"));
    refresh();
    const worker = async () => {
      while (queue.length) {
        const { file, row } = queue.shift();
        active++;
        const ok = await uploadFile(file, row, classId, (bytes) => { sentBytes += bytes; refresh(); });
        active--;
        done++; if (!ok) failed++;
        refresh();
        pollProgress();
      }
    };
    for (let i = 0; i < PARALLEL; i++) worker();
  }

  if (root) {
    const input = root.querySelector("input[type=file]");
    input.addEventListener("change", () => { start(Array.from(input.files)); input.value = ""; });
    const zone = root.querySelector(".dropzone");
    ["dragenter", "dragover"].forEach((name) => zone.addEventListener(name, (event) => { event.preventDefault(); zone.classList.add("over"); }));
    ["dragleave", "drop"].forEach((name) => zone.addEventListener(name, () => zone.classList.remove("over")));
    zone.addEventListener("drop", (event) => { event.preventDefault(); start(Array.from(event.dataTransfer.files)); });
    window.addEventListener("beforeunload", (event) => { if (active) { event.preventDefault(); event.returnValue = text.leave; } });
  }

  /* Live processing status: counts refresh every two seconds while photos are processing. */
  let polling = false;
  async function pollProgress() {
    if (!progressCard || polling) return;
    polling = true;
    const initialTotal = Number(progressCard.dataset.total);
    const initialDone = Number(progressCard.dataset.done);
    for (;;) {
      const { ok, data } = await api("GET", progressCard.dataset.progressUrl);
      if (ok) {
        const pending = data.uploaded + data.processing;
        const set = (key, value) => { progressCard.querySelector('[data-count="' + key + '"]').textContent = value; };
        set("total", data.total); set("ready", data.ready); set("pending", pending); set("failed", data.failed);
        progressCard.querySelector(".bar span").style.width = (data.total ? Math.round(100 * data.done / data.total) : 0) + "%";
        if (data.done !== initialDone || data.total !== initialTotal) progressCard.querySelector(".new-photos").hidden = false;
        if (!pending && !active) break;
      }
      await sleep(2000);
    }
    polling = false;
  }
  if (progressCard && Number(progressCard.dataset.total) > Number(progressCard.dataset.done)) pollProgress();

  const selectAll = document.querySelector("[data-select-all]");
  if (selectAll) {
    selectAll.addEventListener("change", () => {
      document.querySelectorAll("#grid-form input[name=photos]").forEach((box) => { box.checked = selectAll.checked; });
    });
  }
})();
