// textlens web page: a client of the service's public API, hand-written, with no dependencies.
// Images go to POST /ocr; PDFs (and images for another model family than the server's) go
// through the jobs API, so a long PDF shows its progress and survives a reload: its job id is
// kept in sessionStorage and followed again. Documents come from POST /export, the text panel's
// order from POST /reading-order, and what is loaded from GET /v1/models (a Florence-2 model
// there adds its tasks, sent to POST /predictions). Every request goes to this page's own server.
"use strict";

(() => {
  const JOBS = "/api/v2/ocr/jobs";
  const TOKEN_KEY = "textlens.token";
  const JOBS_KEY = "textlens.jobs";
  const FORMATS_KEY = "textlens.formats";
  const POLL_MS = 500;
  const FORMATS = [
    ["json", "JSON", ".json"],
    ["txt", "Text", ".txt"],
    ["md", "Markdown", ".md"],
    ["hocr", "hOCR", ".hocr"],
    ["alto", "ALTO", ".alto.xml"],
    ["pdf", "Searchable PDF", ".pdf"],
  ];
  // Florence-2's tasks as POST /predictions names them; those marked take a text input
  const FLORENCE_TASKS = [
    ["OCR", "OCR (text)"],
    ["OCR_WITH_REGION", "OCR with regions"],
    ["CAPTION", "Caption"],
    ["DETAILED_CAPTION", "Detailed caption"],
    ["MORE_DETAILED_CAPTION", "More detailed caption"],
    ["OD", "Object detection"],
    ["DENSE_REGION_CAPTION", "Dense region captions"],
    ["REGION_PROPOSAL", "Region proposals"],
    ["CAPTION_TO_PHRASE_GROUNDING", "Find a phrase (text input)"],
    ["OPEN_VOCABULARY_DETECTION", "Find objects by name (text input)"],
  ];
  const SVG = "http://www.w3.org/2000/svg";  // a namespace name, never fetched

  const $ = (selector, root = document) => root.querySelector(selector);
  const server = { family: null, florence: null };
  let sequence = 0;

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  // ---- talking to the server ------------------------------------------------------------

  function authHeaders(extra = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
  }

  function messageOf(body, response) {
    if (body && typeof body === "object") {
      const text = body.errorMsg || body.msg || body.detail || body.title ||
        (body.error && body.error.message);
      if (text) return String(text);
    }
    return `the server answered ${response.status} ${response.statusText}`.trim();
  }

  async function api(path, init = {}) {
    const response = await fetch(path, { ...init, headers: authHeaders(init.headers) });
    const type = response.headers.get("content-type") || "";
    if (!response.ok) {
      const body = type.includes("json") ? await response.json().catch(() => null) : null;
      const message = messageOf(body, response);
      if (response.status === 401 || (response.status === 403 && /token/i.test(message))) {
        askForToken(message);
      }
      throw new ApiError(response.status, message);
    }
    return response;
  }

  async function postJson(path, body) {
    return api(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  function base64Of(blob) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
      reader.onerror = () => reject(new Error("the file could not be read by the browser"));
      reader.readAsDataURL(blob);
    });
  }

  async function isPdf(file) {
    const head = new Uint8Array(await file.slice(0, 5).arrayBuffer());
    return String.fromCharCode(...head) === "%PDF-";
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---- what the server has loaded, and the token ----------------------------------------

  async function probe() {
    let models;
    try {
      models = await (await api("/v1/models")).json();
    } catch (error) {
      if (!(error instanceof ApiError)) announce(`The server cannot be reached: ${error.message}`);
      return;
    }
    const ids = (models.data || []).map((model) => String(model.id));
    const family = ids.map((id) => /PP-OCR[\w.-]*/.exec(id)).find(Boolean);
    if (family) {
      server.family = family[0];
      const select = $("#model");
      if (![...select.options].some((o) => o.value === server.family)) {
        select.add(new Option(server.family, server.family));
      }
      select.value = server.family;
    }
    server.florence = ids.find((id) => /florence/i.test(id)) || null;
    const box = $("#florence");
    box.hidden = !server.florence;
    const task = $("#task");
    if (server.florence && task.options.length === 1) {
      for (const [value, label] of FLORENCE_TASKS) task.add(new Option(label, value));
    }
  }

  function askForToken(message) {
    const form = $("#token-form");
    $("#token-why").textContent = sessionStorage.getItem(TOKEN_KEY)
      ? `The token was refused (${message}). Enter another.`
      : "This server needs an API token.";
    if (form.hidden) {
      form.hidden = false;
      $("#token").focus();
    }
  }

  function setUpToken() {
    $("#token-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, $("#token").value.trim());
      $("#token").value = "";
      $("#token-form").hidden = true;
      announce("Token saved for this tab.");
      await probe();
      for (const doc of Doc.all) if (doc.retryable) queue = queue.then(() => doc.retry());
    });
  }

  // ---- options --------------------------------------------------------------------------

  function options() {
    const chosen = {};
    for (const id of ["useDocOrientationClassify", "useDocUnwarping", "useTextlineOrientation"]) {
      if ($(`#${id}`).checked) chosen[id] = true;
    }
    const side = parseInt($("#textDetLimitSideLen").value, 10);
    if (side > 0) chosen.textDetLimitSideLen = side;
    const score = parseFloat($("#textRecScoreThresh").value);
    if (score >= 0 && score <= 1) chosen.textRecScoreThresh = score;
    return chosen;
  }

  function setUpFormats() {
    const saved = JSON.parse(localStorage.getItem(FORMATS_KEY) || "null");
    const box = $("#formats");
    for (const [value, label] of FORMATS) {
      const item = document.createElement("label");
      const check = document.createElement("input");
      check.type = "checkbox";
      check.value = value;
      check.checked = saved ? saved.includes(value) : true;
      check.addEventListener("change", () => {
        localStorage.setItem(FORMATS_KEY, JSON.stringify(chosenFormats()));
        for (const doc of Doc.all) doc.renderDownloads();
      });
      item.append(check, ` ${label}`);
      box.append(item);
    }
  }

  const chosenFormats = () =>
    [...document.querySelectorAll("#formats input:checked")].map((input) => input.value);

  // ---- one document: its card, its reading, its pages -----------------------------------

  class Doc {
    static all = [];

    constructor(name, file, jobId = null) {
      this.id = ++sequence;
      this.name = name;
      this.file = file;
      this.jobId = jobId;
      this.pages = [];
      this.current = 0;
      this.retryable = false;
      this.el = this.card();
      $("#docs").prepend(this.el);
      Doc.all.push(this);
    }

    get stem() {
      return this.name.replace(/\.[^.]+$/, "") || "document";
    }

    card() {
      const el = document.createElement("article");
      el.className = "doc";
      el.setAttribute("aria-labelledby", `doc-${this.id}-name`);
      el.innerHTML = `
        <header>
          <h3 id="doc-${this.id}-name"></h3>
          <span class="status" role="status"></span>
          <progress max="1" value="0" hidden></progress>
          <button type="button" class="retry" hidden>Retry</button>
          <button type="button" class="remove" aria-label="Remove">Remove</button>
        </header>
        <p class="error" role="alert" hidden></p>
        <div class="tools" hidden>
          <button type="button" class="copy-all">Copy all text</button>
          <span class="downloads"></span>
        </div>
        <nav class="pager" aria-label="Pages" hidden>
          <button type="button" class="prev">Previous page</button>
          <span class="where" aria-live="polite"></span>
          <button type="button" class="next">Next page</button>
        </nav>
        <div class="pages"></div>`;
      $("h3", el).textContent = this.name;
      $(".remove", el).addEventListener("click", () => this.remove());
      $(".retry", el).addEventListener("click", () => this.retry());
      $(".copy-all", el).addEventListener("click", () => copy(this.text(), "All text copied."));
      $(".prev", el).addEventListener("click", () => this.show(this.current - 1));
      $(".next", el).addEventListener("click", () => this.show(this.current + 1));
      return el;
    }

    status(text, done = null, total = null) {
      $(".status", this.el).textContent = text;
      const bar = $("progress", this.el);
      bar.hidden = total === null;
      if (total !== null) {
        bar.max = Math.max(total, 1);
        bar.value = done;
        bar.setAttribute("aria-label", text);
      }
    }

    fail(message) {
      this.el.classList.add("failed");
      this.status("Failed");
      const error = $(".error", this.el);
      error.textContent = message;
      error.hidden = false;
      $(".retry", this.el).hidden = !this.file;
      this.retryable = Boolean(this.file);
    }

    remove() {
      this.stopped = true;
      this.el.remove();
      Doc.all = Doc.all.filter((doc) => doc !== this);
      if (this.jobId) forgetJob(this.jobId);
      announce(`${this.name} removed.`);
    }

    // Resolves once this document no longer needs the OCR line: read, failed, or sent as a job.
    run() {
      return new Promise((release) => {
        this.release = release;
        this.start().finally(release);
      });
    }

    retry() {
      if (this.jobId) forgetJob(this.jobId);
      this.jobId = null;
      return this.run();
    }

    async start() {
      this.el.classList.remove("failed", "done");
      $(".error", this.el).hidden = true;
      $(".retry", this.el).hidden = true;
      this.retryable = false;
      try {
        if (this.jobId) {
          await this.follow();
        } else if (await isPdf(this.file)) {
          await this.submitJob();
        } else if ($("#task").value && server.florence) {
          await this.florence($("#task").value);
        } else if (server.family && $("#model").value !== server.family) {
          await this.submitJob();
        } else {
          await this.ocr();
        }
      } catch (error) {
        if (!this.stopped) this.fail(error.message || String(error));
      }
    }

    async ocr() {
      this.status("Reading…");
      const body = { file: await base64Of(this.file), fileType: 1, visualize: true, ...options() };
      const answer = await (await postJson("/ocr", body)).json();
      const pages = answer.result.ocrResults.map((page) => ({
        result: page.prunedResult,
        image: `data:image/jpeg;base64,${page.docPreprocessingImage || page.inputImage}`,
        turned: Boolean(page.docPreprocessingImage),
      }));
      await this.finish(pages);
    }

    async submitJob() {
      this.status("Sending…", 0, 1);
      const form = new FormData();
      form.append("file", this.file, this.name);
      form.append("model", $("#model").value);
      form.append("optionalPayload", JSON.stringify({ ...options(), visualize: true }));
      const answer = await (await api(JOBS, { method: "POST", body: form })).json();
      this.jobId = answer.data.jobId;
      rememberJob(this.jobId, this.name);
      if (this.release) this.release();
      await this.follow();
    }

    async follow() {
      for (;;) {
        if (this.stopped) return;
        let data;
        try {
          data = (await (await api(`${JOBS}/${this.jobId}`)).json()).data;
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) forgetJob(this.jobId);
          throw error;
        }
        const { extractedPages, totalPages } = data.extractProgress;
        if (data.state === "failed") throw new Error(data.errorMsg || "the job failed");
        if (data.state === "done") {
          this.status("Fetching the result…", extractedPages, totalPages);
          await this.finish(await this.jobPages(data.resultUrl.jsonUrl));
          return;
        }
        const waiting = data.state === "pending" ? "Waiting in the queue" : "Reading";
        this.status(`${waiting}: ${extractedPages} of ${totalPages} pages`, extractedPages,
          totalPages);
        await sleep(POLL_MS);
      }
    }

    async jobPages(url) {
      const response = await fetch(url);  // pre-signed: the link is its own credential
      if (!response.ok) throw new ApiError(response.status, "the job's result could not be read");
      const text = await response.text();
      return text.split("\n").filter((line) => line.trim()).map((line) => {
        const page = JSON.parse(line).result.ocrResults[0];
        return {
          result: page.prunedResult,
          image: page.docPreprocessingImage || page.inputImage,
          turned: Boolean(page.docPreprocessingImage),
          error: page.errorMsg || null,
        };
      });
    }

    async florence(task) {
      this.status("Reading…");
      const image = `data:${this.file.type || "image/png"};base64,${await base64Of(this.file)}`;
      const input = { images: [image], task };
      const phrase = $("#task-text").value.trim();
      if (phrase) input.text_input = phrase;
      const answer = await (await postJson("/predictions", { input })).json();
      const output = JSON.parse(answer.output);
      await this.finish(output.results.map((page) => ({
        ...florencePage(page),
        image,
        florence: task,
        raw: page,
        error: page.error || null,
      })));
    }

    async finish(pages) {
      this.pages = pages;
      await Promise.all(pages.map(orderPage));
      const box = $(".pages", this.el);
      box.replaceChildren(...pages.map((page, i) => pageView(this, page, i)));
      const failed = pages.filter((page) => page.error).length;
      const read = pages.length - failed;
      this.status(failed ? `${read} of ${pages.length} pages read; ${failed} failed`
        : `${pages.length} page${pages.length === 1 ? "" : "s"} read`);
      $(".tools", this.el).hidden = false;
      this.renderDownloads();
      $(".pager", this.el).hidden = pages.length < 2;
      this.show(0);
      this.el.classList.add("done");
      announce(`${this.name}: ${$(".status", this.el).textContent}`);
    }

    show(index) {
      const views = this.el.querySelectorAll(".page");
      if (!views.length) return;
      this.current = Math.max(0, Math.min(index, views.length - 1));
      views.forEach((view, i) => { view.hidden = i !== this.current; });
      $(".where", this.el).textContent = `Page ${this.current + 1} of ${views.length}`;
      $(".prev", this.el).disabled = this.current === 0;
      $(".next", this.el).disabled = this.current === views.length - 1;
    }

    text() {
      return this.pages.map(pageText).filter(Boolean).join("\n\n");
    }

    renderDownloads() {
      const box = $(".downloads", this.el);
      box.replaceChildren();
      if (!this.pages.length) return;
      const offered = this.pages.some((page) => page.florence) ? ["json"] : chosenFormats();
      if (offered.length) {
        const label = document.createElement("span");
        label.className = "label";
        label.textContent = "Download:";
        box.append(label);
      }
      for (const [format, name, suffix] of FORMATS) {
        if (!offered.includes(format)) continue;
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.format = format;
        button.textContent = name;
        button.addEventListener("click", () => this.download(format, suffix, button));
        box.append(button);
      }
    }

    async download(format, suffix, button) {
      button.disabled = true;
      try {
        let blob;
        if (format === "json") {
          const json = { file: this.name, pages: this.pages.map((page) => page.raw || page.result) };
          blob = new Blob([JSON.stringify(json, null, 1)], { type: "application/json" });
        } else {
          blob = await (await postJson("/export", await this.exportBody(format))).blob();
        }
        save(blob, this.stem + suffix);
        announce(`${this.stem}${suffix} downloaded.`);
      } catch (error) {
        const message = $(".error", this.el);
        message.textContent = `${format}: ${error.message}`;
        message.hidden = false;
      } finally {
        button.disabled = false;
      }
    }

    async exportBody(format) {
      const several = this.pages.length > 1 || (this.file && (await isPdf(this.file)));
      const pages = [];
      for (const [i, page] of this.pages.entries()) {
        if (page.error) continue;
        const entry = { prunedResult: page.result };
        if (several) entry.pageIndex = i;
        if (page.turned || !this.file) entry.image = await imageBase64(page.image);
        pages.push(entry);
      }
      const body = { format, name: this.stem, pages };
      if (this.file) body.file = await base64Of(this.file);
      return body;
    }
  }

  async function imageBase64(source) {
    if (source.startsWith("data:")) return source.replace(/^data:[^,]*,/, "");
    const response = await fetch(source);
    if (!response.ok) throw new ApiError(response.status, "the page image could not be read");
    return base64Of(await response.blob());
  }

  // ---- a page: its picture with the boxes, its text in reading order --------------------

  const grade = (score) => (score >= 0.9 ? "c-high" : score >= 0.7 ? "c-mid" : "c-low");

  async function orderPage(page) {
    const boxes = page.result && page.result.rec_boxes;
    page.blocks = null;
    if (!boxes || !boxes.length) return;
    try {
      page.blocks = (await (await postJson("/reading-order", { boxes })).json()).blocks;
    } catch {
      page.blocks = [boxes.map((_, i) => [i])];  // the detector's order, one line per row
    }
  }

  function pageText(page) {
    if (page.caption) return page.caption;
    if (!page.blocks) return "";
    const texts = page.result.rec_texts;
    return page.blocks
      .map((block) => block.map((row) => row.map((i) => texts[i]).join(" ")).join("\n"))
      .join("\n\n");
  }

  function pageView(doc, page, index) {
    const view = document.createElement("section");
    view.className = "page";
    view.dataset.page = String(index + 1);
    view.setAttribute("aria-label", `Page ${index + 1}`);
    const picture = document.createElement("div");
    picture.className = "picture";
    const text = document.createElement("div");
    text.className = "text";
    text.setAttribute("aria-label", `Text of page ${index + 1}, in reading order`);
    view.append(picture, text);
    if (page.error) {
      const error = document.createElement("p");
      error.className = "page-error";
      error.setAttribute("role", "alert");
      error.textContent = `Page ${index + 1}: ${page.error}`;
      text.append(error);
      return view;
    }
    picture.append(stage(page, index));
    if (page.caption) {
      const caption = document.createElement("p");
      caption.className = "caption";
      caption.textContent = page.caption;
      text.append(caption);
    }
    const texts = page.result.rec_texts || [];
    const scores = page.result.rec_scores || [];
    for (const block of page.blocks || []) {
      const box = document.createElement("div");
      box.className = "block";
      for (const row of block) {
        const line = document.createElement("p");
        line.className = "row";
        row.forEach((i, n) => {
          if (n) line.append(" ");
          const span = document.createElement("span");
          span.className = `line ${grade(scores[i])}`;
          span.dataset.i = String(i);
          span.tabIndex = 0;
          span.setAttribute("role", "button");
          span.title = `${Math.round(scores[i] * 100)} % sure; click to copy`;
          span.textContent = texts[i];
          line.append(span);
        });
        box.append(line);
      }
      text.append(box);
    }
    if (!texts.length && !page.caption) {
      const empty = document.createElement("p");
      empty.className = "empty";
      empty.textContent = "No text found on this page.";
      text.append(empty);
    }
    linkHighlights(view, texts);
    return view;
  }

  function stage(page, index) {
    const holder = document.createElement("div");
    holder.className = "stage";
    const img = document.createElement("img");
    img.alt = `Page ${index + 1}, with the detected lines drawn over it`;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    img.addEventListener("load", () => {
      svg.setAttribute("viewBox", `0 0 ${img.naturalWidth} ${img.naturalHeight}`);
      holder.dataset.loaded = "true";
    });
    img.addEventListener("error", () => {
      holder.dataset.loaded = "false";
      img.alt = `Page ${index + 1}: its picture could not be loaded (the link may have expired)`;
    });
    img.src = page.image;
    const polys = page.result.rec_polys || [];
    const scores = page.result.rec_scores || [];
    const texts = page.result.rec_texts || [];
    polys.forEach((poly, i) => {
      const shape = document.createElementNS(SVG, "polygon");
      shape.setAttribute("points", poly.map((point) => point.join(",")).join(" "));
      shape.setAttribute("class", `box ${grade(scores[i])}`);
      shape.dataset.i = String(i);
      const title = document.createElementNS(SVG, "title");
      title.textContent = `${texts[i]} (${Math.round(scores[i] * 100)} %)`;
      shape.append(title);
      svg.append(shape);
    });
    holder.append(img, svg);
    return holder;
  }

  function linkHighlights(view, texts) {
    const partners = (i) => view.querySelectorAll(`[data-i="${i}"]`);
    const mark = (target, on) => {
      const item = target.closest && target.closest("[data-i]");
      if (item) partners(item.dataset.i).forEach((el) => el.classList.toggle("hot", on));
    };
    for (const [event, on] of [["mouseover", true], ["mouseout", false], ["focusin", true],
      ["focusout", false]]) {
      view.addEventListener(event, (e) => mark(e.target, on));
    }
    view.addEventListener("click", (e) => {
      const item = e.target.closest && e.target.closest("[data-i]");
      if (item) copy(texts[Number(item.dataset.i)], "Line copied.");
    });
    view.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === " ") && e.target.matches(".line")) {
        e.preventDefault();
        copy(texts[Number(e.target.dataset.i)], "Line copied.");
      }
    });
  }

  // A page object of /predictions: its text (a caption, the OCR) and its labelled regions.
  function florencePage(page) {
    const regions = (page.regions || [])
      .filter((r) => Array.isArray(r.bbox) && r.bbox.length === 4);
    const boxes = regions.map((r) => r.bbox.map(Number));
    return {
      result: {
        rec_texts: regions.map((r) => String(r.text || "")),
        rec_scores: regions.map(() => 1),  // Florence-2 gives no confidence
        rec_boxes: boxes,
        rec_polys: boxes.map(([x0, y0, x1, y1]) => [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]),
      },
      caption: regions.length ? null : page.text || "",
    };
  }

  // ---- small helpers --------------------------------------------------------------------

  function announce(text) {
    $("#announce").textContent = text;
  }

  async function copy(text, done) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // plain http on another host has no clipboard API: the old way still works there
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    announce(done);
  }

  function save(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  function storedJobs() {
    try {
      return JSON.parse(sessionStorage.getItem(JOBS_KEY) || "[]");
    } catch {
      return [];
    }
  }

  function rememberJob(jobId, name) {
    sessionStorage.setItem(JOBS_KEY, JSON.stringify([...storedJobs(), { jobId, name }]));
  }

  function forgetJob(jobId) {
    const kept = storedJobs().filter((job) => job.jobId !== jobId);
    sessionStorage.setItem(JOBS_KEY, JSON.stringify(kept));
  }

  // ---- taking files in ------------------------------------------------------------------

  let queue = Promise.resolve();

  function take(files) {
    const list = [...files].filter((file) => file && file.size !== undefined);
    if (!list.length) return;
    announce(`${list.length} file${list.length === 1 ? "" : "s"} added.`);
    for (const file of list) {
      const doc = new Doc(file.name || `pasted-${sequence + 1}.png`, file);
      doc.status("Queued");
      // one document at a time to the OCR; a job, once sent, is followed on its own
      queue = queue.then(() => doc.run());
    }
  }

  function setUpIntake() {
    const drop = $("#drop");
    const pick = $("#pick");
    $("#choose").addEventListener("click", () => pick.click());
    pick.addEventListener("change", () => {
      take(pick.files);
      pick.value = "";
    });
    for (const name of ["dragenter", "dragover"]) {
      window.addEventListener(name, (event) => {
        event.preventDefault();
        drop.classList.add("over");
      });
    }
    window.addEventListener("dragleave", (event) => {
      if (!event.relatedTarget) drop.classList.remove("over");
    });
    window.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      take(event.dataTransfer ? event.dataTransfer.files : []);
    });
    window.addEventListener("paste", (event) => {
      const files = event.clipboardData ? [...event.clipboardData.files] : [];
      if (files.length) {
        event.preventDefault();
        take(files);
      }
    });
  }

  async function main() {
    setUpFormats();
    setUpToken();
    setUpIntake();
    await probe();
    for (const { jobId, name } of storedJobs()) {  // jobs sent before a reload
      const doc = new Doc(name, null, jobId);
      doc.status("Finding the job again…");
      doc.start();
    }
    document.body.dataset.ready = "true";
  }

  main();
})();
