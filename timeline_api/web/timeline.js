/* The timeline page: a pannable, zoomable view that loads each window it shows from the API.
   Plain JavaScript, shipped in the package: no framework, no CDN. */
"use strict";
(function () {
  const DAY = 86400000;
  const FILTERS = ["type", "actor", "country", "tag", "q"];
  const LISTED = "title,type,importance,start,start_precision,end,end_precision,earliest,latest," +
    "is_approximate,disputed";
  const LANE = 46; // px: a bar, and room under it for dates other sources claim
  const el = (id) => document.getElementById(id);
  const timeline = el("timeline"), lanes = el("lanes"), axis = el("axis"), status = el("status");
  const state = { from: 0, to: 0, filters: {}, selected: null, events: [], others: new Map() };
  let generation = 0, timer = null;

  // --- Dates: partial dates read at their widest, as the API does -----------------------------
  function utc(year, month, day) {
    const moment = new Date(Date.UTC(2000, month, day));
    moment.setUTCFullYear(year); // Date.UTC reads years below 100 as 19xx
    return moment.getTime();
  }
  function widest(partial) { // "2002", "2002-05" or "2002-05-06" → [first day, day after last)
    const [year, month, day] = partial.split("-").map(Number);
    if (day) return [utc(year, month - 1, day), utc(year, month - 1, day + 1)];
    if (month) return [utc(year, month - 1, 1), utc(year, month, 1)];
    return [utc(year, 0, 1), utc(year + 1, 0, 1)];
  }
  const day = (iso) => widest(iso)[0];
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  function shown(event) {
    const dates = event.start + (event.end ? ` – ${event.end}` : "");
    return (event.is_approximate ? "c. " : "") + dates;
  }

  // --- The address holds the view, so that it can be shared ----------------------------------
  function readAddress() {
    const params = new URLSearchParams(location.search);
    for (const name of FILTERS) state.filters[name] = params.get(name) || "";
    state.selected = params.get("event");
    if (params.get("from") && params.get("to")) {
      state.from = day(params.get("from"));
      state.to = day(params.get("to")) + DAY;
    }
    const form = el("filters");
    for (const name of FILTERS) form.elements[name].value = state.filters[name];
  }
  function writeAddress() {
    const params = new URLSearchParams();
    params.set("from", iso(state.from));
    params.set("to", iso(state.to - DAY));
    for (const name of FILTERS) if (state.filters[name]) params.set(name, state.filters[name]);
    if (state.selected) params.set("event", state.selected);
    history.replaceState(null, "", `${location.pathname}?${params}`);
  }
  function filterParams() {
    const params = new URLSearchParams();
    for (const name of FILTERS) if (state.filters[name]) params.set(name, state.filters[name]);
    return params;
  }

  // --- Loading: the window in view, the biggest events first ---------------------------------
  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || response.statusText);
    return body;
  }
  function scheduleLoad() {
    clearTimeout(timer);
    timer = setTimeout(load, 200);
  }
  async function load() {
    const mine = ++generation;
    const params = filterParams();
    params.set("from", iso(state.from));
    params.set("to", iso(state.to - DAY));
    params.set("sort", "-importance");
    params.set("limit", "500");
    params.set("fields", LISTED);
    status.textContent = "Loading…";
    try {
      const body = await getJSON(`/v1/events?${params}`);
      if (mine !== generation) return; // the user has moved on since
      state.events = body.data;
      timeline.dataset.loads = String(Number(timeline.dataset.loads || 0) + 1);
      timeline.dataset.loadedFrom = params.get("from");
      timeline.dataset.loadedTo = params.get("to");
      const more = body.links.next ? " — the most important; zoom in for the rest" : "";
      status.textContent = `${body.meta.count} of ${body.meta.total} events${more}`;
      render();
      loadOtherDates(state.events.filter((event) => event.disputed));
    } catch (error) {
      if (mine === generation) status.textContent = `Could not load: ${error.message}`;
    }
  }
  async function loadOtherDates(disputed) {
    // Dates other sources claim come with the full record: a few disputed events per window.
    const missing = disputed.filter((event) => !state.others.has(event.id));
    await Promise.all(missing.map(async (event) => {
      const detail = await getJSON(`/v1/events/${encodeURIComponent(event.id)}`);
      state.others.set(event.id, detail.alternative_dates);
    }));
    if (missing.length) render();
  }
  async function firstWindow() {
    const params = filterParams();
    params.set("by", "year");
    const stats = await getJSON(`/v1/stats/events?${params}`);
    const rows = stats.data.concat(stats.undated);
    if (!rows.length) {
      const now = Date.now();
      return [now - 5 * 365 * DAY, now];
    }
    const first = Math.min(...rows.map((row) => day(row.bucket_start)));
    const last = Math.max(...rows.map((row) => day(row.bucket_end))) + DAY;
    const margin = (last - first) * 0.03;
    return [first - margin, last + margin];
  }

  // --- Drawing ------------------------------------------------------------------------------
  const x = (ms) => ((ms - state.from) / (state.to - state.from)) * timeline.clientWidth;
  function node(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "class") element.className = value;
      else if (name.startsWith("data-")) element.setAttribute(name, value);
      else element[name] = value;
    }
    element.append(...children.filter((child) => child !== null && child !== undefined));
    return element;
  }
  function render() {
    renderAxis();
    lanes.textContent = "";
    const width = timeline.clientWidth;
    const ends = []; // per lane, where its last bar (or label) ends
    const events = [...state.events].sort((a, b) => a.earliest.localeCompare(b.earliest));
    for (const event of events) {
      const others = (state.others.get(event.id) || []).map((other) => [
        widest(other.start)[0], widest(other.end || other.start)[1], other]);
      const first = day(event.earliest), after = day(event.latest) + DAY;
      const left = Math.max(x(first), -4);
      const right = Math.min(Math.max(x(after), left + 6), width + 4);
      const reach = Math.max(right + 8 + Math.min(240, 7 * event.title.length),
        ...others.map(([, end]) => Math.min(x(end), width + 4)));
      const start = Math.min(left, ...others.map(([begin]) => Math.max(x(begin), -4)));
      let lane = ends.findIndex((end) => end < start - 4);
      if (lane < 0) lane = ends.push(0) - 1;
      ends[lane] = reach;
      const classes = ["event", event.start_precision];
      if (event.is_approximate) classes.push("approximate");
      if (event.disputed) classes.push("disputed");
      if (event.id === state.selected) classes.push("selected");
      const bar = node("div", {
        class: classes.join(" "), "data-id": event.id, title: `${event.title}\n${shown(event)}`,
      });
      Object.assign(bar.style, { left: `${left}px`, width: `${right - left}px`, top: `${lane * LANE}px` });
      // The title beside (or over) the bar: the bar itself stays as wide as the dates.
      const label = node("div", {
        class: event.disputed ? "label disputed" : "label", "data-for": event.id, title: bar.title },
        (event.is_approximate ? "≈ " : "") + event.title);
      const inside = right - left > 7 * event.title.length;
      Object.assign(label.style, { left: `${inside ? left + 4 : right + 4}px`, top: `${lane * LANE}px` });
      for (const part of [bar, label]) part.addEventListener("click", () => select(event.id));
      lanes.append(bar, label);
      for (const [begin, end, other] of others) {
        const ghost = node("div", { class: "event alternative", "data-of": event.id },
          `${other.start}${other.end ? ` – ${other.end}` : ""} (${other.source.publisher})`);
        const from = Math.max(x(begin), -4);
        Object.assign(ghost.style, { left: `${from}px`, top: `${lane * LANE + 28}px`,
          width: `${Math.max(Math.min(x(end), width + 4) - from, 6)}px` });
        lanes.append(ghost);
      }
    }
  }
  const STEPS = [ // [months, days] per tick; the first that leaves room for a label wins
    [0, 1], [0, 7], [1, 0], [3, 0], [12, 0], [24, 0], [60, 0], [120, 0], [240, 0], [600, 0],
    [1200, 0]];
  function renderAxis() {
    axis.textContent = "";
    const perPixel = (state.to - state.from) / Math.max(timeline.clientWidth, 1);
    const [months, days] = STEPS.find(([m, d]) => (m * 30.4 + d) * DAY / perPixel >= 90) ||
      STEPS[STEPS.length - 1];
    const start = new Date(state.from);
    let year = start.getUTCFullYear(), month = 0, date = 1;
    if (months) {
      year -= ((year % (months / 12 || 1)) + (months / 12 || 1)) % (months / 12 || 1);
      if (months < 12) month = start.getUTCMonth() - (start.getUTCMonth() % months);
    } else {
      month = start.getUTCMonth();
      date = start.getUTCDate();
    }
    for (let tick = utc(year, month, date), n = 0; tick < state.to && n < 400; n++) {
      const label = months >= 12 ? iso(tick).slice(0, 4) : months ? iso(tick).slice(0, 7) : iso(tick);
      const mark = node("div", { class: "tick" }, node("span", {}, label));
      mark.style.left = `${x(tick)}px`;
      axis.append(mark);
      const next = new Date(tick);
      if (months) next.setUTCMonth(next.getUTCMonth() + months);
      else next.setUTCDate(next.getUTCDate() + days);
      tick = next.getTime();
    }
  }

  // --- The side panel: sources and the sentences they say it in ------------------------------
  async function select(id) {
    state.selected = id;
    writeAddress();
    render();
    const details = el("details");
    el("panel").hidden = false;
    details.textContent = "Loading…";
    try {
      const event = await getJSON(`/v1/events/${encodeURIComponent(id)}`);
      if (state.selected !== id) return;
      details.replaceChildren(...describe(event));
    } catch (error) {
      details.textContent = `Could not load: ${error.message}`;
    }
  }
  function describe(event) {
    const precision = event.end_precision && event.end_precision !== event.start_precision
      ? `${event.start_precision} to ${event.end_precision}` : event.start_precision;
    const parts = [
      node("h2", {}, event.title),
      node("p", { class: "meta" }, `${event.type.name} · ${shown(event)} (known to the ${precision})`
        + (event.date_note ? ` · ${event.date_note}` : "")),
      node("p", {}, event.summary || ""),
    ];
    const names = (items, name) => items.map(name).join(", ");
    if (event.actors.length) {
      parts.push(node("p", { class: "meta" }, "Actors: " + names(event.actors, (a) => `${a.name} (${a.role})`)));
    }
    if (event.countries.length) {
      parts.push(node("p", { class: "meta" }, "Countries: " + names(event.countries, (c) => c.name)));
    }
    parts.push(node("h3", {}, "Sources"));
    for (const citation of event.citations) {
      const source = citation.source;
      const linked = source.url && /^https?:\/\//.test(source.url); // never a javascript: link
      const title = linked ? node("a", { href: source.url, rel: "noopener" }, source.title) : source.title;
      parts.push(node("p", { class: "citation" }, title, ` — ${source.publisher}` +
        (source.published ? `, ${source.published}` : "")));
      if (citation.quote) parts.push(node("blockquote", {}, citation.quote));
      if (citation.note) parts.push(node("p", { class: "meta" }, citation.note));
    }
    if (event.alternative_dates.length) {
      parts.push(node("h3", {}, "Dates other sources claim"));
      for (const other of event.alternative_dates) {
        parts.push(node("p", {}, `${other.start}${other.end ? ` – ${other.end}` : ""}, per ${other.source.title}`));
        if (other.quote) parts.push(node("blockquote", {}, other.quote));
        if (other.note) parts.push(node("p", { class: "meta" }, other.note));
      }
    }
    return parts;
  }

  // --- Moving: drag, wheel, buttons, keys ---------------------------------------------------
  const EARLIEST = utc(1, 0, 1), LATEST = utc(9999, 11, 31); // the API's calendar
  function moved() {
    const span = state.to - state.from;
    if (state.from < EARLIEST) [state.from, state.to] = [EARLIEST, EARLIEST + span];
    if (state.to > LATEST) [state.from, state.to] = [Math.max(LATEST - span, EARLIEST), LATEST];
    render();
    writeAddress();
    scheduleLoad();
  }
  function zoom(factor, atPixel) {
    const at = state.from + (atPixel / timeline.clientWidth) * (state.to - state.from);
    const span = Math.min(Math.max((state.to - state.from) * factor, 7 * DAY), 2000 * 365 * DAY);
    const share = (at - state.from) / (state.to - state.from);
    state.from = at - span * share;
    state.to = state.from + span;
    moved();
  }
  function pan(share) {
    const shift = (state.to - state.from) * share;
    state.from += shift;
    state.to += shift;
    moved();
  }
  let drag = null;
  timeline.addEventListener("pointerdown", (e) => {
    if (e.target.closest(".event, .label")) return;
    drag = { x: e.clientX, from: state.from, to: state.to };
    timeline.classList.add("dragging");
    timeline.setPointerCapture(e.pointerId);
  });
  timeline.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const shift = ((drag.x - e.clientX) / timeline.clientWidth) * (drag.to - drag.from);
    state.from = drag.from + shift;
    state.to = drag.to + shift;
    render();
  });
  const release = () => {
    if (!drag) return;
    drag = null;
    timeline.classList.remove("dragging");
    moved();
  };
  timeline.addEventListener("pointerup", release);
  timeline.addEventListener("pointercancel", release);
  timeline.addEventListener("wheel", (e) => {
    e.preventDefault();
    const box = timeline.getBoundingClientRect();
    zoom(e.deltaY > 0 ? 1.25 : 0.8, e.clientX - box.left);
  }, { passive: false });
  timeline.addEventListener("keydown", (e) => {
    const actions = { ArrowLeft: () => pan(-0.25), ArrowRight: () => pan(0.25),
      "+": () => zoom(0.5, timeline.clientWidth / 2), "-": () => zoom(2, timeline.clientWidth / 2) };
    if (actions[e.key]) { e.preventDefault(); actions[e.key](); }
  });
  document.querySelectorAll("[data-zoom]").forEach((button) => button.addEventListener("click",
    () => zoom(Number(button.dataset.zoom), timeline.clientWidth / 2)));
  document.querySelectorAll("[data-move]").forEach((button) => button.addEventListener("click",
    () => pan(Number(button.dataset.move))));
  el("close").addEventListener("click", () => {
    el("panel").hidden = true;
    state.selected = null;
    moved();
  });
  el("filters").addEventListener("submit", async (e) => {
    e.preventDefault();
    for (const name of FILTERS) state.filters[name] = e.target.elements[name].value.trim();
    state.others.clear();
    moved();
  });
  window.addEventListener("resize", render);

  async function start() {
    try {
      const types = await getJSON("/v1/event-types?limit=500");
      const chooser = el("filters").elements.type;
      for (const type of types.data) chooser.append(node("option", { value: type.id }, type.name));
    } catch (error) { /* the list works without the type menu */ }
    readAddress();
    if (!state.from) {
      try {
        [state.from, state.to] = await firstWindow();
      } catch (error) {
        status.textContent = `Could not load: ${error.message}`;
        return;
      }
    }
    writeAddress();
    render();
    await load();
    if (state.selected) select(state.selected);
  }
  start();
})();
