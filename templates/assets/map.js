/* topics report: the 2-D document map, a hand-written canvas scatter. This file: the one
 * state object every map file shares, the palette and each model's colours and draw order.
 *
 * Points are stamped straight into one ImageData buffer (no per-point paths, no
 * library), so 100k documents draw in a few milliseconds and panning stays smooth.
 * Hover uses a uniform grid over the data bounds, so a lookup touches a handful of
 * cells whatever the corpus size. Document text is untrusted: it reaches the page only
 * through textContent. Runs after dom.js, docs.js (window.topicsStore: the documents,
 * inline or in sidecar files loaded on demand) and report.js; does nothing without
 * #doc-map or data.map.
 *
 * The map is six files joined into one script element in this order (topics/report/render.py):
 *   map.js          state, palette, per-model colours (this file)
 *   map-view.js     zoom, pan, extent and the world-to-screen transform
 *   map-draw.js     ImageData stamping, topic labels, overlays, legend, frame scheduling
 *   map-hit.js      the uniform grid: hover and click hit tests, stacked and box lists
 *   map-filter.js   model, topic and search filters (which points are lit)
 *   map-controls.js tooltip, pointer, wheel, keyboard, buttons, start, window.topicsMap
 * They talk through window.topicsMapParts = {state, colours, models, view, draw, hit,
 * filter}: each file adds its part; functions of later files are looked up when called,
 * never at load. map-controls.js removes that global once the map is wired, so the page
 * ends with window.topicsMap (the public API) as before.
 *
 * Writes: window.topicsMapParts and all of the state below at start; afterwards only
 * `models` (its cache) is written here.
 */
(function () {
  "use strict";

  var startMs = performance.now();
  var root = document.getElementById("doc-map");
  if (!root) { return; }
  var store = window.topicsStore;
  var data = store && store.data;
  var coords = store && store.coords();
  if (!data || !coords) { return; }

  function $(id) { return document.getElementById(id); }
  var canvas = $("doc-map-canvas");
  var stage = $("doc-map-stage");
  var ctx = canvas && canvas.getContext("2d");
  if (!ctx || !stage) { return; }

  var models = data.models || {};
  var n = store.n;

  // ---------------------------------------------------------------- palette
  // Categorical palette: d3 category10 (its grey dropped: grey means outlier), then
  // colours picked greedily to be as far as possible (CIELAB) from all before them, from
  // the background and from the outlier grey: any two of the 40 differ by ΔE ≥ 25.
  var PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
    "#17becf", "#0000ff", "#ff1eff", "#0f5a3c", "#690fb4", "#f0b478", "#ff0078", "#69690f",
    "#96c387", "#0078ff", "#960f4b", "#ff8787", "#964b00", "#c300a5", "#00d200", "#00d296",
    "#d269ff", "#a5b4ff", "#d2960f", "#004bff", "#5a3c69", "#005a00", "#a51eff", "#004ba5",
    "#ff0000", "#f0a5c3", "#87d22d", "#871e78", "#4bc3ff", "#5a2d96", "#962d2d", "#3ca587"
  ];
  var OUTLIER = "#b8bcc4";
  var BACKGROUND = [255, 255, 255];
  var DIM_MIX = 0.2;           // a dimmed point keeps 20% of its colour over the background

  function rgb(hex) {
    return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)];
  }

  function hsl(h, s, l) {  // beyond the palette: golden-angle hues
    var a = s * Math.min(l, 1 - l);
    function f(k) {
      var t = (k + h / 30) % 12;
      return Math.round(255 * (l - a * Math.max(-1, Math.min(t - 3, 9 - t, 1))));
    }
    return [f(0), f(8), f(4)];
  }

  // Beyond the 40 colours: topics 40-79 take the palette again in a light tint, 80-119 in
  // a dark shade (the legend says so), then golden-angle hues. The name drawn at each
  // topic's centre tells apart the few topics that share a hue.
  var TIERS = [
    function (c) { return c; },
    function (c) { return mixWith(c, [255, 255, 255], 0.45); },
    function (c) { return mixWith(c, [0, 0, 0], 0.4); }
  ];

  function mixWith(c, other, share) {
    return [0, 1, 2].map(function (k) { return Math.round(c[k] * (1 - share) + other[k] * share); });
  }

  function topicRgb(id) {
    if (id < 0) { return rgb(OUTLIER); }
    var tier = Math.floor(id / PALETTE.length);
    if (tier < TIERS.length) { return TIERS[tier](rgb(PALETTE[id % PALETTE.length])); }
    return hsl((id * 137.508) % 360, 0.55 + 0.2 * (id % 2), 0.42 + 0.12 * (id % 3));
  }

  function colourScheme(nTopics) {  // the legend's note on colours, "" when all differ
    var p = PALETTE.length;
    if (nTopics <= p) { return ""; }
    var note = "Topics 0–" + (p - 1) + " have their own colours; topics " + p + "–" +
      (Math.min(nTopics, 2 * p) - 1) + " repeat them in a light tint";
    if (nTopics > 2 * p) {
      note += ", topics " + 2 * p + "–" + (Math.min(nTopics, 3 * p) - 1) + " in a dark shade";
    }
    if (nTopics > 3 * p) { note += ", and the rest take hues of their own"; }
    return note + ". The name on the map tells them apart.";
  }

  function cssColour(c) { return "rgb(" + c[0] + "," + c[1] + "," + c[2] + ")"; }

  var LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  function pack(c) {
    return LITTLE_ENDIAN
      ? ((255 << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0
      : ((c[0] << 24) | (c[1] << 16) | (c[2] << 8) | 255) >>> 0;
  }
  function mix(c, t) {
    return [0, 1, 2].map(function (i) { return Math.round(BACKGROUND[i] + (c[i] - BACKGROUND[i]) * t); });
  }

  // ---------------------------------------------------------------- coordinates
  var X = coords.x;
  var Y = coords.y;
  var valid = coords.valid;
  var minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  (function () {
    for (var i = 0; i < n; i++) {
      var x = X[i], y = Y[i];
      if (valid[i]) {
        if (x < minX) { minX = x; }
        if (x > maxX) { maxX = x; }
        if (y < minY) { minY = y; }
        if (y > maxY) { maxY = y; }
      }
    }
    if (minX > maxX) { minX = 0; maxX = 1; minY = 0; maxY = 1; }
    if (maxX - minX < 1e-12) { minX -= 0.5; maxX += 0.5; }
    if (maxY - minY < 1e-12) { minY -= 0.5; maxY += 0.5; }
  })();
  var rangeX = maxX - minX, rangeY = maxY - minY;
  var FULL = { minX: minX, maxX: maxX, minY: minY, maxY: maxY };

  // The view's extent ignores far outliers: the 1st to 99th percentile of each axis plus
  // a quarter of that range, so a few stray points cannot squeeze the rest into a corner
  // ("fit all" shows everything).
  var CORE = (function () {
    var m = 0, i;
    for (i = 0; i < n; i++) { m += valid[i]; }
    if (m < 50) { return FULL; }
    var xs = new Float64Array(m), ys = new Float64Array(m);  // typed: a numeric sort
    for (i = 0, m = 0; i < n; i++) { if (valid[i]) { xs[m] = X[i]; ys[m] = Y[i]; m++; } }
    xs.sort();
    ys.sort();
    function q(arr, f) { return arr[Math.min(arr.length - 1, Math.max(0, Math.round(f * (arr.length - 1))))]; }
    var x0 = q(xs, 0.01), x1 = q(xs, 0.99), y0 = q(ys, 0.01), y1 = q(ys, 0.99);
    // A quarter of the inner range on each side: the edge of a blob stays in view.
    var mx = Math.max(0.25 * (x1 - x0), 1e-9), my = Math.max(0.25 * (y1 - y0), 1e-9);
    var b = {
      minX: Math.max(minX, x0 - mx), maxX: Math.min(maxX, x1 + mx),
      minY: Math.max(minY, y0 - my), maxY: Math.min(maxY, y1 + my)
    };
    // Not worth it when it would hardly zoom in.
    if (b.maxX - b.minX > 0.9 * rangeX && b.maxY - b.minY > 0.9 * rangeY) { return FULL; }
    return b;
  })();
  var outsideCore = 0;
  for (var oi = 0; oi < n; oi++) {
    if (valid[oi] && (X[oi] < CORE.minX || X[oi] > CORE.maxX || Y[oi] < CORE.minY || Y[oi] > CORE.maxY)) {
      outsideCore++;
    }
  }

  // ---------------------------------------------------------------- models and colours
  // What the map needs of one model, computed once: topic (Int32Array, -1 = outlier),
  // counts (index topic + 1), order (draw order), ids (the legend's topics), words (topic
  // id -> name), centres (topic id -> label anchor), normal and dimmed (packed pixel
  // colours) and css (legend swatches), all three indexed by topic + 1.
  var modelCache = {};
  function modelInfo(name) {
    if (modelCache[name]) { return modelCache[name]; }
    var topic = store.topics(name);
    var maxTopic = -1;
    var i;
    for (i = 0; i < n; i++) { if (topic[i] > maxTopic) { maxTopic = topic[i]; } }
    var defined = (models[name] && models[name].topics) || [];
    defined.forEach(function (tp) { if (tp.id > maxTopic) { maxTopic = tp.id; } });
    var counts = new Int32Array(maxTopic + 2);  // index t + 1; 0 holds the outliers
    for (i = 0; i < n; i++) { counts[topic[i] + 1]++; }
    // Draw order: outliers first (underneath), then by topic; a counting sort keeps it O(n).
    var start = new Int32Array(maxTopic + 3);
    for (i = 0; i <= maxTopic + 1; i++) { start[i + 1] = start[i] + counts[i]; }
    var order = new Int32Array(n);
    for (i = 0; i < n; i++) { order[start[topic[i] + 1]++] = i; }
    var words = {};
    defined.forEach(function (tp) {
      words[tp.id] = (tp.name || (tp.words || []).slice(0, 3).join(", ")).replace(/_/g, " ");
    });
    // Label anchor of each topic: the median of its documents' coordinates (robust to
    // the few documents of a topic that lie elsewhere).
    // ``order`` holds each topic's documents contiguously: sort each run's coordinates.
    var centres = {};
    for (var t = 0; t <= maxTopic; t++) {
      var from = start[t], to = start[t + 1];  // after the fill: topic t's range
      var xs = new Float64Array(to - from), ys = new Float64Array(to - from), m = 0;
      for (var j = from; j < to; j++) {
        var d = order[j];
        if (valid[d]) { xs[m] = X[d]; ys[m] = Y[d]; m++; }
      }
      if (m) {
        xs = xs.subarray(0, m).sort();
        ys = ys.subarray(0, m).sort();
        centres[t] = [xs[m >> 1], ys[m >> 1]];
      }
    }
    var ids = [];
    for (i = 0; i <= maxTopic; i++) {
      if (counts[i + 1] > 0 || Object.prototype.hasOwnProperty.call(words, i)) { ids.push(i); }
    }
    if (counts[0] > 0) { ids.push(-1); }
    var normal = new Uint32Array(maxTopic + 2);
    var dimmed = new Uint32Array(maxTopic + 2);
    var css = [];
    for (i = -1; i <= maxTopic; i++) {
      var c = topicRgb(i);
      normal[i + 1] = pack(c);
      dimmed[i + 1] = pack(mix(c, DIM_MIX));
      css[i + 1] = cssColour(c);
    }
    modelCache[name] = {
      topic: topic, counts: counts, order: order, ids: ids, words: words, centres: centres,
      normal: normal, dimmed: dimmed, css: css
    };
    return modelCache[name];
  }

  function topicLabel(name, id) {
    if (window.topicsReport && typeof window.topicsReport.topicName === "function") {
      try { return window.topicsReport.topicName(name, id); } catch (e) { /* fall through */ }
    }
    if (id < 0) { return "outlier"; }
    var w = modelInfo(name).words[id];
    return w ? id + ": " + w : String(id);
  }

  // ---------------------------------------------------------------- state
  var modelSelect = $("doc-map-model");
  var modelNames = Object.keys(models);
  var model = modelNames.indexOf(modelSelect && modelSelect.value) >= 0 ? modelSelect.value : modelNames[0];

  var state = {
    // Set once here, read by every file.
    startMs: startMs,        // performance.now() when map.js started (data-setup-ms)
    root: root,              // #doc-map: the data-* attributes tests and benches read
    store: store,            // window.topicsStore (docs.js)
    n: n,                    // number of documents
    models: models,          // data.models: {name: {title, topics: [{id, name, words}]}}
    canvas: canvas, ctx: ctx, stage: stage,
    tooltip: $("doc-map-tooltip"), legend: $("doc-map-legend"), modelSelect: modelSelect,
    searchBox: $("doc-map-search"), countOut: $("doc-map-count"),
    selectionBox: $("doc-map-selection"), labelList: $("doc-map-labels"),
    fitAllButton: $("doc-map-fit-all"),
    X: X, Y: Y, valid: valid,  // coordinates (Float64Array x2) and 1 where a document has them
    minX: minX, maxX: maxX, minY: minY, maxY: maxY,  // data bounds of the valid points
    rangeX: rangeX, rangeY: rangeY,                  // never 0
    FULL: FULL,              // extent holding every point ("fit all")
    CORE: CORE,              // extent without the far outliers (the default view)
    outsideCore: outsideCore,  // points outside CORE, for the fit-all button

    // Model and filter: written by map-filter.js.
    model: model,            // name of the model colouring the map (undefined: none)
    info: modelInfo(model !== undefined ? model : ""),  // its modelInfo(); no model: every point grey
    isolated: null,          // topic id shown alone, or null
    query: "",               // the search, trimmed and lower-cased
    found: null,             // the store's search state for ``query``
    unsubscribe: null,       // stops the store's search for ``query``
    lit: new Uint8Array(n),  // 1 = highlighted by the active filter
    filterActive: false,     // isolated !== null or query !== ""
    litCount: n,             // points lit (n without a filter)
    matchCount: 0,           // documents matching ``query``

    // View: written by map-view.js (fit, zoom, pan, extent).
    k: 1, tx: 0, ty: 0,      // view: screen = fit(world) * k + t
    extent: CORE,            // CORE or FULL: what k = 1 fits in the canvas
    cssW: 0, cssH: 0, dpr: 1,  // canvas size in CSS pixels, device pixels per CSS pixel
    s0: 1, ox: 0, oy: 0,     // fit(): CSS pixels per data unit at k = 1 and its offsets

    // Drawing: written by map-draw.js.
    img: null, u32: null,    // the ImageData points are stamped into, and a 32-bit view of it
    lastDrawn: 0,            // points inside the canvas in the last frame (data-drawn)
    lastDrawMs: 0,           // time of the last points pass
    firstDraw: true,         // no frame drawn yet
    frame: 0,                // pending requestAnimationFrame id, 0 when none
    needPoints: false,       // the next frame re-stamps the points (else overlays only)

    // Pointer: written by map-hit.js and map-controls.js.
    hoverId: -1,             // document under the cursor (ringed, in the tooltip), or -1
    hoverPos: null,          // cursor [x, y] in CSS pixels on the canvas, null when away
    drag: null,              // pointer drag in progress: {mode: "pan"|"box", x0, y0, x, y, tx, ty, moved}
    selection: null          // {x0, y0, x1, y1} in data coordinates, ids
  };

  window.topicsMapParts = {
    state: state,
    colours: { background: pack(BACKGROUND), scheme: colourScheme },
    models: { info: modelInfo, label: topicLabel },
    el: window.topicsDom.el  // dom.js
  };
})();
