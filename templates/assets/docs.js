/* topics report: the documents' store, shared by report.js and map.js.
 *
 * A small report holds every document inline (data.documents). A large one holds packed
 * per-document columns (data.docs: topic ids, weights, label ids; data.map: 16-bit
 * coordinates) and keeps each document's words in docs/*.js files beside the page,
 * loaded on demand by adding a script element (fetch of file:// is blocked; the CSP allows
 * the page's own folder). Each file calls topicsChunk(kind, index, rows).
 * Document text is untrusted: this file only stores it; the pages show it through
 * textContent.
 */
(function () {
  "use strict";

  var holder = document.getElementById("topics-data");
  if (!holder || window.topicsStore) { return; }
  var data = JSON.parse(holder.textContent);
  var inline = Array.isArray(data.documents) ? data.documents : null;
  var packed = inline ? null : data.docs || null;
  var n = inline ? inline.length : packed ? packed.n : 0;
  var FULL_KEEP = 32;             // full chunks kept in memory (least recently loaded go)
  var HAY_LIMIT = 200 * 1000 * 1000;  // characters of lower-cased text kept for search
  var PREFETCH = 12;              // chunks a search loads ahead of the one it scans

  // ---------------------------------------------------------------- packed columns
  function bytes(b64) {
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out;
  }

  // Little-endian on the wire; every browser this report targets is little-endian too.
  function column(spec) {
    var b = bytes(spec.b64);
    if (spec.type === "u16") { return new Uint16Array(b.buffer, 0, b.length >> 1); }
    if (spec.type === "u32") { return new Uint32Array(b.buffer, 0, b.length >> 2); }
    return b;
  }

  var topicCache = {}, weightCache = {}, labelIds = null, coordCache;

  function topics(model) {
    if (topicCache[model]) { return topicCache[model]; }
    var out = new Int32Array(n), i;
    if (packed) {
      var spec = packed.columns[model + "_topic"];
      var col = spec ? column(spec) : null;
      for (i = 0; i < n; i++) { out[i] = col ? col[i] - 1 : -1; }
    } else {
      var key = model + "_topic";
      for (i = 0; i < n; i++) {
        var t = inline[i][key];
        out[i] = typeof t === "number" && isFinite(t) && t >= 0 ? Math.floor(t) : -1;
      }
    }
    topicCache[model] = out;
    return out;
  }

  // Weight of each document's main topic (NaN for an outlier).
  function weights(model) {
    if (weightCache[model]) { return weightCache[model]; }
    var out = new Float64Array(n), topic = topics(model), i;
    if (packed) {
      var spec = packed.columns[model + "_weight"];
      var col = spec ? column(spec) : null;
      for (i = 0; i < n; i++) { out[i] = col && topic[i] >= 0 ? col[i] / packed.weight_steps : NaN; }
    } else {
      var key = model + "_weight";
      for (i = 0; i < n; i++) {
        var w = inline[i][key];
        out[i] = typeof w === "number" ? w : NaN;
      }
    }
    weightCache[model] = out;
    return out;
  }

  function label(i) {
    if (inline) { return inline[i].label || null; }
    if (!packed.columns.label) { return null; }
    if (!labelIds) { labelIds = column(packed.columns.label); }
    return labelIds[i] ? packed.labels[labelIds[i] - 1] : null;
  }

  // Map coordinates: {x, y, valid} as typed arrays, or null without a map.
  function coords() {
    if (coordCache !== undefined) { return coordCache; }
    var m = data.map;
    coordCache = null;
    if (!m) { return null; }
    var x = new Float64Array(n), y = new Float64Array(n), valid = new Uint8Array(n), i;
    if (m.packed) {
      var p = m.packed, qx = column(p.x), qy = column(p.y), steps = p.steps;
      var sx = (p.x.max - p.x.min) / steps, sy = (p.y.max - p.y.min) / steps;
      for (i = 0; i < n && i < qx.length; i++) {
        if (qx[i] > steps || qy[i] > steps) { continue; }
        x[i] = p.x.min + qx[i] * sx; y[i] = p.y.min + qy[i] * sy; valid[i] = 1;
      }
    } else if (m.x && m.y) {
      for (i = 0; i < n && i < m.x.length && i < m.y.length; i++) {
        var a = m.x[i], b = m.y[i];
        if (a !== null && b !== null && isFinite(+a) && isFinite(+b)) { x[i] = +a; y[i] = +b; valid[i] = 1; }
      }
    } else {
      return null;
    }
    coordCache = { x: x, y: y, valid: valid };
    return coordCache;
  }

  // ---------------------------------------------------------------- sidecar chunks
  var loaded = { light: {}, full: {} };
  var fullOrder = [];
  var waiting = {};

  window.topicsChunk = function (kind, index, rows) {
    if (!packed || !loaded[kind] || !Array.isArray(rows)) { return; }
    loaded[kind][index] = rows;
    if (kind === "full") {
      fullOrder.push(index);
      while (fullOrder.length > FULL_KEEP) { delete loaded.full[fullOrder.shift()]; }
    }
    var entry = waiting[kind + ":" + index];
    if (entry) { delete waiting[kind + ":" + index]; entry.resolve(rows); }
  };

  function chunkFile(kind, index) { return packed.chunks[kind].files[index]; }

  function loadChunk(kind, index) {
    if (loaded[kind][index]) { return Promise.resolve(loaded[kind][index]); }
    var key = kind + ":" + index;
    if (waiting[key]) { return waiting[key].promise; }
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) { entry.resolve = resolve; entry.reject = reject; });
    waiting[key] = entry;
    var src = chunkFile(kind, index);
    var script = document.createElement("script");
    function fail() {
      script.remove();
      if (waiting[key] !== entry) { return; }
      delete waiting[key];
      entry.reject(new Error("could not read " + src + ": open index.html inside its run folder, beside its docs folder"));
    }
    script.onload = fail;  // after the file ran: it failed only if it did not register itself
    script.onerror = fail;
    script.src = src;
    document.head.appendChild(script);
    return entry.promise;
  }

  function chunkOf(kind, i) { return Math.floor(i / packed.chunks[kind].size); }

  function row(kind, i) {
    if (inline) { return inline[i] || null; }
    var rows = loaded[kind][chunkOf(kind, i)];
    return rows ? rows[i % packed.chunks[kind].size] || null : null;
  }

  // Title, path, label, date and snippet of document i, or null until loaded.
  function light(i) { return row("light", i); }

  // Every field of document i (as in the inline rows), or null until loaded.
  function record(i) {
    if (inline) { return inline[i] || null; }
    var a = row("light", i), b = row("full", i);
    if (!a || !b) { return null; }
    var out = { id: i };
    Object.keys(a).forEach(function (k) { out[k] = a[k]; });
    Object.keys(b).forEach(function (k) { out[k] = b[k]; });
    return out;
  }

  function chunksFor(ids, kinds) {
    var want = [];
    kinds.forEach(function (kind) {
      var seen = {};
      ids.forEach(function (i) {
        var c = chunkOf(kind, i);
        if (!seen[c] && !loaded[kind][c]) { seen[c] = true; want.push([kind, c]); }
      });
    });
    return want;
  }

  function ready(ids, kinds) { return inline !== null || chunksFor(ids, kinds).length === 0; }

  // Call fn once the documents' chunks are in memory: at once when they already are.
  function withDocs(ids, kinds, fn, onError) {
    if (ready(ids, kinds)) { fn(); return; }
    Promise.all(chunksFor(ids, kinds).map(function (w) { return loadChunk(w[0], w[1]); }))
      .then(function () {
        // A full chunk evicted meanwhile (a search loading many) is loaded again.
        if (!ready(ids, kinds)) { withDocs(ids, kinds, fn, onError); return; }
        fn();
      }, function (err) { if (onError) { onError(err); } });
  }

  // ---------------------------------------------------------------- search
  // Case-insensitive substring search over every document's title and text. Inline: one
  // synchronous pass. Chunked: full chunk by chunk, listeners called after each one
  // with (matches, documents searched, done); lower-cased text is kept for the next
  // query up to HAY_LIMIT characters.
  var hay = {};
  var hayChars = 0;
  var searches = {};

  function hayOfChunk(index) {
    if (hay[index]) { return hay[index]; }
    var size = packed.chunks.full.size, start = index * size, end = Math.min(n, start + size);
    var out = new Array(end - start), chars = 0;
    for (var i = start; i < end; i++) {
      var b = row("full", i) || {};  // full rows repeat the title: search needs no other file
      out[i - start] = (String(b.title || "") + "\n" + String(b.text || b.snippet || "")).toLowerCase();
      chars += out[i - start].length;
    }
    if (hayChars + chars <= HAY_LIMIT) { hay[index] = out; hayChars += chars; }
    return out;
  }

  var inlineHay = null;
  function search(query, listener) {
    var q = String(query || "").trim().toLowerCase();
    var matches = new Uint8Array(n);
    if (inline) {
      if (!inlineHay) {
        inlineHay = inline.map(function (d) {
          return (String(d.title || "") + "\n" + String(d.text || d.snippet || "")).toLowerCase();
        });
      }
      var count = 0;
      for (var i = 0; i < n; i++) { if (inlineHay[i].indexOf(q) >= 0) { matches[i] = 1; count++; } }
      listener({ query: q, matches: matches, count: count, searched: n, done: true });
      return function () {};
    }
    var state = searches[q];
    if (!state) {
      state = { query: q, matches: matches, count: 0, searched: 0, done: false, listeners: [], error: null };
      searches[q] = state;
      runSearch(state);
    }
    state.listeners.push(listener);
    listener(state);
    return function () {
      var at = state.listeners.indexOf(listener);
      if (at >= 0) { state.listeners.splice(at, 1); }
      if (!state.listeners.length && searches[q] === state) { delete searches[q]; state.cancelled = true; }
    };
  }

  function runSearch(state) {
    var chunks = packed.chunks.full.files.length, size = packed.chunks.full.size;
    var k = 0;
    function notify() { state.listeners.slice().forEach(function (f) { f(state); }); }
    function scan(index) {
      var h = hayOfChunk(index), start = index * size;
      for (var j = 0; j < h.length; j++) {
        if (h[j].indexOf(state.query) >= 0) { state.matches[start + j] = 1; state.count++; }
      }
      state.searched = Math.min(n, start + h.length);
    }
    function need(index) {
      var ids = [index * size, Math.min(n, (index + 1) * size) - 1];
      return Promise.all(chunksFor(ids, ["full"]).map(function (w) { return loadChunk(w[0], w[1]); }));
    }
    function step() {
      if (state.cancelled) { return; }
      var began = performance.now();
      // Chunks already lower-cased are scanned in one go, up to ~30 ms at a time.
      while (k < chunks && hay[k] && performance.now() - began < 30) { scan(k); k++; }
      if (k >= chunks) { state.done = true; notify(); return; }
      if (hay[k]) { notify(); window.setTimeout(step, 0); return; }
      for (var a = 1; a <= PREFETCH && k + a < chunks; a++) {
        if (!hay[k + a]) { need(k + a).catch(function () { /* reported when scanned */ }); }
      }
      need(k).then(function () {
        if (state.cancelled) { return; }
        if (!ready([k * size, Math.min(n, (k + 1) * size) - 1], ["full"])) { step(); return; }
        scan(k);
        k++;
        notify();
        step();
      }, function (err) {
        state.error = err;
        state.done = true;
        notify();
      });
    }
    step();
  }

  window.topicsStore = {
    data: data,
    n: n,
    chunked: packed !== null,
    topics: topics,
    weights: weights,
    label: label,
    coords: coords,
    light: light,
    record: record,
    ready: ready,
    withDocs: withDocs,
    search: search
  };
})();
