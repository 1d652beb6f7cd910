/* topics report: the 2-D document map, a hand-written canvas scatter.
 *
 * Points are stamped straight into one ImageData buffer (no per-point paths, no
 * library), so 100k documents draw in a few milliseconds and panning stays smooth.
 * Hover uses a uniform grid over the data bounds, so a lookup touches a handful of
 * cells whatever the corpus size. Document text is untrusted: it reaches the page only
 * through textContent. Runs after docs.js (window.topicsStore: the documents, inline or
 * in sidecar files loaded on demand) and report.js; does nothing without #doc-map or
 * data.map.
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
  var tooltip = $("doc-map-tooltip");
  var legend = $("doc-map-legend");
  var modelSelect = $("doc-map-model");
  var searchBox = $("doc-map-search");
  var countOut = $("doc-map-count");
  var selectionBox = $("doc-map-selection");
  var ctx = canvas && canvas.getContext("2d");
  if (!ctx || !stage) { return; }

  var models = data.models || {};
  var modelNames = Object.keys(models);
  var n = store.n;

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
  var MIN_ZOOM = 0.5;
  var MAX_ZOOM = 2000;
  var LIST_LIMIT = 200;
  var PAD = 14;                // CSS pixels between the data bounds and the canvas edge

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

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); }); }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
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
  var extent = CORE;

  // Uniform grid over the data bounds, about two points per cell (counting sort).
  var G = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(n / 2))));
  var cellStart = new Int32Array(G * G + 1);
  var cellItems = new Int32Array(n);
  function cellX(x) { return Math.max(0, Math.min(G - 1, Math.floor((x - minX) / rangeX * G))); }
  function cellY(y) { return Math.max(0, Math.min(G - 1, Math.floor((y - minY) / rangeY * G))); }
  (function () {
    var cellOf = new Int32Array(n);
    var i;
    for (i = 0; i < n; i++) {
      if (!valid[i]) { cellOf[i] = -1; continue; }
      cellOf[i] = cellY(Y[i]) * G + cellX(X[i]);
      cellStart[cellOf[i] + 1]++;
    }
    for (i = 0; i < G * G; i++) { cellStart[i + 1] += cellStart[i]; }
    var fill = cellStart.slice(0, G * G);
    for (i = 0; i < n; i++) {
      if (cellOf[i] >= 0) { cellItems[fill[cellOf[i]]++] = i; }
    }
  })();

  // ---------------------------------------------------------------- models and colours
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
  var model = modelNames.indexOf(modelSelect && modelSelect.value) >= 0 ? modelSelect.value : modelNames[0];
  var info = modelInfo(model !== undefined ? model : "");  // no model: every point grey
  var isolated = null;          // topic id shown alone, or null
  var query = "";
  var found = null;             // the store's search state for ``query``
  var unsubscribe = null;
  var lit = new Uint8Array(n);  // 1 = highlighted by the active filter
  var filterActive = false;
  var litCount = n;
  var matchCount = 0;
  var k = 1, tx = 0, ty = 0;    // view: screen = fit(world) * k + t
  var cssW = 0, cssH = 0, dpr = 1, s0 = 1, ox = 0, oy = 0;
  var img = null, u32 = null;
  var lastDrawn = 0, lastDrawMs = 0, firstDraw = true;
  var hoverId = -1, hoverPos = null;
  var drag = null;
  var selection = null;         // {x0, y0, x1, y1} in data coordinates, ids
  var frame = 0, needPoints = false;

  // ---------------------------------------------------------------- view transform
  function fit() {
    cssW = stage.clientWidth;
    cssH = stage.clientHeight;
    dpr = window.devicePixelRatio || 1;
    var w = Math.max(1, cssW - 2 * PAD), h = Math.max(1, cssH - 2 * PAD);
    var vx = Math.max(extent.maxX - extent.minX, 1e-12), vy = Math.max(extent.maxY - extent.minY, 1e-12);
    s0 = Math.min(w / vx, h / vy);
    ox = (cssW - vx * s0) / 2;
    oy = (cssH - vy * s0) / 2;
  }

  // CSS-pixel coefficients: sx = x * ax + bx, sy = y * ay + by.
  function coeffs() {
    return {
      ax: s0 * k, bx: (ox - extent.minX * s0) * k + tx,
      ay: -s0 * k, by: (oy + extent.maxY * s0) * k + ty
    };
  }

  function project(i) {
    var c = coeffs();
    return [X[i] * c.ax + c.bx, Y[i] * c.ay + c.by];
  }

  // Points sized for the number of documents: about a third of the spacing they would
  // have spread evenly over the canvas, between 2 and 8 CSS pixels, growing with zoom.
  function pointSizeCss() {
    var area = Math.max(1, (cssW || 600) * (cssH || 600));
    var base = Math.max(2, Math.min(8, 0.3 * Math.sqrt(area / Math.max(1, n))));
    return Math.min(base * Math.pow(k, 0.35), 16);
  }

  // Rows of a stamp of d device pixels: a square up to 3 px, a disc above.
  var stampCache = {};
  function stamp(d) {
    if (stampCache[d]) { return stampCache[d]; }
    var left = new Int32Array(d), right = new Int32Array(d);
    var c = (d - 1) / 2, r2 = (d / 2) * (d / 2) + 0.25;
    for (var row = 0; row < d; row++) {
      if (d <= 3) { left[row] = 0; right[row] = d; continue; }
      var dy = row - c, half = Math.sqrt(Math.max(0, r2 - dy * dy));
      left[row] = Math.max(0, Math.ceil(c - half));
      right[row] = Math.min(d, Math.floor(c + half) + 1);
    }
    stampCache[d] = { left: left, right: right };
    return stampCache[d];
  }

  // ---------------------------------------------------------------- drawing
  function sizeCanvas() {
    fit();
    var w = Math.max(1, Math.round(cssW * dpr)), h = Math.max(1, Math.round(cssH * dpr));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    if (!img || img.width !== w || img.height !== h) {
      img = ctx.createImageData(w, h);
      u32 = new Uint32Array(img.data.buffer);
    }
  }

  // One pass over the draw order; pass -1 draws everything, 0 the dimmed, 1 the lit.
  function stampPass(pass, colours, d, W, H, c) {
    var order = info.order, topic = info.topic;
    var s = stamp(d), left = s.left, right = s.right;
    var half = d / 2, drawn = 0;
    var ax = c.ax * dpr, bx = c.bx * dpr - half, ay = c.ay * dpr, by = c.by * dpr - half;
    for (var j = 0; j < n; j++) {
      var i = order[j];
      if (!valid[i] || (pass >= 0 && lit[i] !== pass)) { continue; }
      var x0 = Math.round(X[i] * ax + bx), y0 = Math.round(Y[i] * ay + by);
      if (x0 <= -d || y0 <= -d || x0 >= W || y0 >= H) { continue; }
      var colour = colours[topic[i] + 1];
      if (x0 + half >= 0 && x0 + half < W && y0 + half >= 0 && y0 + half < H) { drawn++; }
      if (x0 >= 0 && y0 >= 0 && x0 + d <= W && y0 + d <= H) {
        for (var r = 0; r < d; r++) {
          var base = (y0 + r) * W + x0;
          for (var q = left[r]; q < right[r]; q++) { u32[base + q] = colour; }
        }
      } else {  // clipped at the canvas edge
        for (var r2 = 0; r2 < d; r2++) {
          var yy = y0 + r2;
          if (yy < 0 || yy >= H) { continue; }
          for (var q2 = left[r2]; q2 < right[r2]; q2++) {
            var xx = x0 + q2;
            if (xx >= 0 && xx < W) { u32[yy * W + xx] = colour; }
          }
        }
      }
    }
    return drawn;
  }

  function renderPoints() {
    var t0 = performance.now();
    sizeCanvas();
    if (cssW < 1 || cssH < 1) { return; }
    var W = img.width, H = img.height;
    u32.fill(pack(BACKGROUND));
    var d = Math.max(1, Math.round(pointSizeCss() * dpr));
    var c = coeffs();
    var drawn;
    if (filterActive) {
      drawn = stampPass(0, info.dimmed, d, W, H, c);
      drawn += stampPass(1, info.normal, d + Math.max(1, Math.round(dpr)), W, H, c);
    } else {
      drawn = stampPass(-1, info.normal, d, W, H, c);
    }
    lastDrawn = drawn;
    lastDrawMs = performance.now() - t0;
    root.setAttribute("data-drawn", String(drawn));
    root.setAttribute("data-draw-ms", lastDrawMs.toFixed(1));
    if (firstDraw) {
      firstDraw = false;
      root.setAttribute("data-first-draw-ms", performance.now().toFixed(1));
      root.setAttribute("data-setup-ms", (performance.now() - startMs).toFixed(1));
    }
  }

  function compose() {
    if (!img) { return; }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.putImageData(img, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    var c = coeffs();
    if (selection) {
      var sx0 = selection.x0 * c.ax + c.bx, sx1 = selection.x1 * c.ax + c.bx;
      var sy0 = selection.y1 * c.ay + c.by, sy1 = selection.y0 * c.ay + c.by;
      ctx.fillStyle = "rgba(37, 99, 235, 0.06)";
      ctx.strokeStyle = "rgba(37, 99, 235, 0.9)";
      ctx.lineWidth = 1;
      ctx.fillRect(sx0, sy0, sx1 - sx0, sy1 - sy0);
      ctx.strokeRect(sx0 + 0.5, sy0 + 0.5, sx1 - sx0, sy1 - sy0);
    }
    if (drag && drag.mode === "box" && drag.moved) {
      ctx.setLineDash([4, 3]);
      ctx.strokeStyle = "#1f2937";
      ctx.lineWidth = 1;
      ctx.strokeRect(Math.min(drag.x0, drag.x) + 0.5, Math.min(drag.y0, drag.y) + 0.5,
        Math.abs(drag.x - drag.x0), Math.abs(drag.y - drag.y0));
      ctx.setLineDash([]);
    }
    drawLabels(c);
    if (hoverId >= 0) {
      var p = [X[hoverId] * c.ax + c.bx, Y[hoverId] * c.ay + c.by];
      var r = pointSizeCss() / 2 + 3;
      ctx.beginPath();
      ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
      ctx.lineWidth = 2;
      ctx.strokeStyle = "#111827";
      ctx.stroke();
    }
  }

  // Topic names at topic centres, biggest topics first, sized by topic size; a label
  // that would overlap one already placed moves up or down a line, else is left out.
  // The drawn labels are listed in #doc-map-labels (offscreen) for screen readers and tests.
  var labelList = $("doc-map-labels");
  var labelKey = "";
  function drawLabels(c) {
    var ids = info.ids.filter(function (id) {
      return id >= 0 && info.counts[id + 1] > 0 && info.centres[id] &&
        (isolated === null || isolated === id);
    });
    ids.sort(function (a, b) { return info.counts[b + 1] - info.counts[a + 1] || a - b; });
    var biggest = ids.length ? info.counts[ids[0] + 1] : 1;
    var placed = [], shown = [];
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ids.forEach(function (id) {
      var centre = info.centres[id];
      var x = centre[0] * c.ax + c.bx, y = centre[1] * c.ay + c.by;
      if (x < 0 || x > cssW || y < 0 || y > cssH) { return; }
      var size = Math.round(11 + 7 * Math.sqrt(info.counts[id + 1] / biggest));
      var text = info.words[id] || String(id);
      if (text.length > 40) { text = text.slice(0, 39) + "…"; }
      ctx.font = "600 " + size + "px system-ui, -apple-system, 'Segoe UI', sans-serif";
      var w = ctx.measureText(text).width + 6, h = size * 1.25;
      var offsets = [0, -h, h, -2 * h, 2 * h];
      for (var o = 0; o < offsets.length; o++) {
        var box = { x0: x - w / 2, x1: x + w / 2, y0: y + offsets[o] - h / 2, y1: y + offsets[o] + h / 2 };
        if (box.x0 < 0 || box.x1 > cssW || box.y0 < 0 || box.y1 > cssH) { continue; }
        var clash = placed.some(function (b) {
          return box.x0 < b.x1 && box.x1 > b.x0 && box.y0 < b.y1 && box.y1 > b.y0;
        });
        if (clash) { continue; }
        placed.push(box);
        ctx.lineWidth = 4;
        ctx.strokeStyle = "rgba(255, 255, 255, 0.92)";
        ctx.strokeText(text, x, y + offsets[o]);
        ctx.fillStyle = "#111827";
        ctx.fillText(text, x, y + offsets[o]);
        shown.push([id, text]);
        return;
      }
    });
    var key = model + "|" + shown.map(function (s) { return s[0]; }).join(",");
    if (key !== labelKey) {
      labelKey = key;
      root.setAttribute("data-labels", String(shown.length));
      if (labelList) {
        labelList.replaceChildren.apply(labelList, shown.map(function (s) {
          return el("li", { "data-topic": String(s[0]) }, s[1]);
        }));
      }
    }
  }

  function flush() {
    frame = 0;
    if (needPoints || !img) { renderPoints(); }
    needPoints = false;
    compose();
  }

  // points=true when the view, colours or filter changed; false for overlays only.
  function schedule(points) {
    if (points) { needPoints = true; }
    if (!frame) { frame = window.requestAnimationFrame(flush); }
  }

  // ---------------------------------------------------------------- hit testing
  function hitRadiusCss() { return Math.max(6, pointSizeCss() / 2 + 3); }

  function hitTest(mx, my) {
    var c = coeffs();
    var r = hitRadiusCss(), r2 = r * r;
    var wx = (mx - c.bx) / c.ax, wy = (my - c.by) / c.ay, rw = r / (s0 * k);
    if (wx + rw < minX || wx - rw > maxX || wy + rw < minY || wy - rw > maxY) { return -1; }
    var gx0 = cellX(wx - rw), gx1 = cellX(wx + rw), gy0 = cellY(wy - rw), gy1 = cellY(wy + rw);
    var best = -1, bestD = Infinity, bestLit = false;
    for (var gy = gy0; gy <= gy1; gy++) {
      for (var gx = gx0; gx <= gx1; gx++) {
        var cell = gy * G + gx;
        for (var j = cellStart[cell]; j < cellStart[cell + 1]; j++) {
          var i = cellItems[j];
          var dx = X[i] * c.ax + c.bx - mx, dy = Y[i] * c.ay + c.by - my;
          var d = dx * dx + dy * dy;
          if (d > r2) { continue; }
          var isLit = !filterActive || lit[i] === 1;
          // A highlighted point wins over a dimmed one; then the nearest.
          if ((isLit && !bestLit) || (isLit === bestLit && d < bestD)) {
            best = i; bestD = d; bestLit = isLit;
          }
        }
      }
    }
    return best;
  }

  // Every document whose mark covers the cursor (stacked near-duplicates included).
  function under(mx, my) {
    var c = coeffs();
    var r = pointSizeCss() / 2 + 1, r2 = r * r;
    var wx = (mx - c.bx) / c.ax, wy = (my - c.by) / c.ay, rw = r / (s0 * k);
    if (wx + rw < minX || wx - rw > maxX || wy + rw < minY || wy - rw > maxY) { return []; }
    var out = [];
    for (var gy = cellY(wy - rw); gy <= cellY(wy + rw); gy++) {
      for (var gx = cellX(wx - rw); gx <= cellX(wx + rw); gx++) {
        var cell = gy * G + gx;
        for (var j = cellStart[cell]; j < cellStart[cell + 1]; j++) {
          var i = cellItems[j];
          var dx = X[i] * c.ax + c.bx - mx, dy = Y[i] * c.ay + c.by - my;
          if (dx * dx + dy * dy <= r2 && (!filterActive || lit[i] === 1)) { out.push(i); }
        }
      }
    }
    return out.sort(function (a, b) { return a - b; });
  }

  function showStack(ids) {
    selection = null;
    root.setAttribute("data-stacked", String(ids.length));
    renderList(ids, ids.length.toLocaleString() + " documents under the cursor ");
    schedule(false);
  }

  // ---------------------------------------------------------------- tooltip
  function showTooltip(id, p) {
    if (!tooltip) { return; }
    if (id < 0) { tooltip.hidden = true; return; }
    if (tooltip.getAttribute("data-doc") !== String(id)) {
      var doc = store.light(id);
      if (!doc) {
        // Its title lives in a sidecar file: show the topic now, the words once read.
        store.withDocs([id], ["light"], function () {
          if (hoverId === id && tooltip.getAttribute("data-doc") === String(id) + "?") {
            tooltip.removeAttribute("data-doc");
            showTooltip(id, hoverPos);
          }
        });
      }
      var children = [el("div", { "class": "map-tip-title" }, doc ? doc.title : "Document " + id)];
      if (doc && doc.snippet) { children.push(el("div", { "class": "map-tip-snippet" }, doc.snippet)); }
      if (!doc) { children.push(el("div", { "class": "map-tip-snippet" }, "loading…")); }
      var meta = topicLabel(model, info.topic[id]);
      var label = store.label(id);
      if (label) { meta = label + " · " + meta; }
      children.push(el("div", { "class": "map-tip-topic" }, meta));
      tooltip.replaceChildren.apply(tooltip, children);
      tooltip.setAttribute("data-doc", String(id) + (doc ? "" : "?"));
    }
    tooltip.hidden = false;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var left = p[0] + 14, top = p[1] + 14;
    if (left + w > cssW - 4) { left = Math.max(4, p[0] - 14 - w); }
    if (top + h > cssH - 4) { top = Math.max(4, p[1] - 14 - h); }
    tooltip.style.left = left + "px";
    tooltip.style.top = top + "px";
  }

  function updateHover() {
    var id = hoverPos && !drag ? hitTest(hoverPos[0], hoverPos[1]) : -1;
    showTooltip(id, hoverPos);
    canvas.classList.toggle("hovering", id >= 0);
    if (id !== hoverId) { hoverId = id; schedule(false); }
  }

  var hoverFrame = 0;
  function scheduleHover() {
    if (!hoverFrame) {
      hoverFrame = window.requestAnimationFrame(function () { hoverFrame = 0; updateHover(); });
    }
  }

  // ---------------------------------------------------------------- filters
  function refilter() {
    filterActive = isolated !== null || query !== "";
    matchCount = 0;
    if (!filterActive) {
      litCount = n;
    } else {
      var matches = query && found ? found.matches : null;
      var topic = info.topic;
      litCount = 0;
      for (var i = 0; i < n; i++) {
        var match = !query || (matches !== null && matches[i] === 1);
        if (match && query) { matchCount++; }
        var ok = match && (isolated === null || topic[i] === isolated);
        lit[i] = ok ? 1 : 0;
        if (ok) { litCount++; }
      }
    }
    root.setAttribute("data-highlighted", String(litCount));
    root.setAttribute("data-search-done", String(!query || Boolean(found && found.done)));
    root.setAttribute("data-topic", isolated === null ? "" : String(isolated));
    if (countOut) {
      var text = "";
      if (query) {
        text = matchCount.toLocaleString() + (matchCount === 1 ? " match" : " matches");
        if (found && found.error) {
          text += " (search stopped: " + found.error.message + ")";
        } else if (found && !found.done) {
          text += " so far (" + Math.floor(100 * found.searched / Math.max(1, n)) + "% read)";
        }
        if (isolated !== null) { text += " · " + litCount.toLocaleString() + " in topic " + isolated; }
      } else if (isolated !== null) {
        text = litCount.toLocaleString() + " documents in topic " + isolated;
      }
      countOut.textContent = text;
    }
    if (legend) {
      Array.prototype.forEach.call(legend.querySelectorAll("button[data-topic]"), function (b) {
        var t = Number(b.getAttribute("data-topic"));
        b.setAttribute("aria-pressed", String(isolated === t));
        b.classList.toggle("dim", isolated !== null && isolated !== t);
      });
    }
    if (selection) { collectSelection(); }
    hoverId = -1;
    if (tooltip) { tooltip.removeAttribute("data-doc"); }
    if (hoverPos) { scheduleHover(); }
    schedule(true);
  }

  function isolate(topic) {
    isolated = topic === null || topic === undefined || topic === isolated ? null : Number(topic);
    refilter();
    return isolated;
  }

  var progressPending = false;
  function setQuery(q) {
    var next = String(q || "").trim().toLowerCase();
    if (next !== query || !found) {
      if (unsubscribe) { unsubscribe(); unsubscribe = null; }
      found = null;
      query = next;
      if (query) {
        var sync = true;
        // Inline: answered at once. Chunked: each file read adds its matches.
        unsubscribe = store.search(query, function (state) {
          found = state;
          if (sync) { return; }
          if (state.done) { refilter(); return; }
          if (progressPending) { return; }
          progressPending = true;
          window.requestAnimationFrame(function () { progressPending = false; refilter(); });
        });
        sync = false;
      }
    }
    refilter();
    return filterActive ? litCount : matchCount;
  }

  // ---------------------------------------------------------------- legend
  function buildLegend() {
    if (!legend) { return; }
    legend.replaceChildren();
    var scheme = colourScheme(info.counts.length - 1);  // topic ids 0 .. max
    root.setAttribute("data-colour-scheme", scheme ? "tiers" : "distinct");
    if (scheme) { legend.appendChild(el("p", { "class": "scheme muted" }, scheme)); }
    info.ids.forEach(function (id) {
      var b = el("button", { type: "button", "data-topic": String(id), "aria-pressed": "false" });
      var sw = el("span", { "class": "swatch" });
      sw.style.background = info.css[id + 1];
      b.appendChild(sw);
      b.appendChild(el("span", { "class": "words" }, id < 0 ? "outliers" : id + ": " + (info.words[id] || "")));
      b.appendChild(el("span", { "class": "count" }, info.counts[id + 1].toLocaleString()));
      b.title = topicLabel(model, id) + " — " + info.counts[id + 1].toLocaleString() + " documents; click to isolate";
      legend.appendChild(b);
    });
  }

  function colorBy(name) {
    if (!Object.prototype.hasOwnProperty.call(models, name)) { return false; }
    model = name;
    info = modelInfo(name);
    if (modelSelect && modelSelect.value !== name) { modelSelect.value = name; }
    root.setAttribute("data-model", name);
    isolated = null;
    buildLegend();
    refilter();
    return true;
  }

  // ---------------------------------------------------------------- box selection
  function collectSelection() {
    var s = selection, ids = [];
    for (var i = 0; i < n; i++) {
      if (valid[i] && X[i] >= s.x0 && X[i] <= s.x1 && Y[i] >= s.y0 && Y[i] <= s.y1 &&
          (!filterActive || lit[i] === 1)) {
        ids.push(i);
      }
    }
    s.ids = ids;
    root.setAttribute("data-selected", String(ids.length));
    renderSelection();
  }

  function selectRect(ax0, ay0, ax1, ay1) {  // CSS pixels on the canvas
    var c = coeffs();
    var xa = (Math.min(ax0, ax1) - c.bx) / c.ax, xb = (Math.max(ax0, ax1) - c.bx) / c.ax;
    var ya = (Math.max(ay0, ay1) - c.by) / c.ay, yb = (Math.min(ay0, ay1) - c.by) / c.ay;
    selection = { x0: xa, x1: xb, y0: ya, y1: yb, ids: [] };
    collectSelection();
    schedule(false);
    return selection.ids.slice();
  }

  function clearSelection() {
    selection = null;
    root.setAttribute("data-selected", "0");
    if (selectionBox) { selectionBox.hidden = true; selectionBox.replaceChildren(); }
    schedule(false);
  }

  function renderSelection() {
    var ids = selection.ids;
    renderList(ids, ids.length.toLocaleString() +
      (ids.length === 1 ? " document" : " documents") + " in the selected area" +
      (filterActive ? " (highlighted only) " : " "));
  }

  var listToken = 0;
  function renderList(ids, title) {
    if (!selectionBox) { return; }
    var token = ++listToken;
    // In a large report the titles come from sidecar files: list once they are read.
    store.withDocs(ids.slice(0, LIST_LIMIT), ["light"], function () {
      if (token === listToken) { drawList(ids, title); }
    });
  }

  function drawList(ids, title) {
    selectionBox.replaceChildren();
    var head = el("div", { "class": "drill-head" });
    head.appendChild(el("strong", null, title));
    head.appendChild(el("button", { type: "button", "data-map-action": "clear-selection" }, "clear"));
    selectionBox.appendChild(head);
    var list = el("ol");
    ids.slice(0, LIST_LIMIT).forEach(function (id) {
      var li = el("li");
      var doc = store.light(id);
      li.appendChild(el("a", { href: "#doc-" + id, "data-map-doc": String(id) }, doc ? doc.title : "Document " + id));
      li.appendChild(el("span", { "class": "muted" }, " · " + topicLabel(model, info.topic[id])));
      list.appendChild(li);
    });
    selectionBox.appendChild(list);
    if (ids.length > LIST_LIMIT) {
      selectionBox.appendChild(el("p", { "class": "muted" }, "Showing the first " + LIST_LIMIT +
        " of " + ids.length.toLocaleString() + "; draw a smaller box to see the rest."));
    }
    selectionBox.hidden = false;
  }

  function openDoc(id) {
    if (window.topicsReport && typeof window.topicsReport.openDocument === "function") {
      window.topicsReport.openDocument(id);
    }
  }

  // ---------------------------------------------------------------- pan and zoom
  function zoomAt(factor, mx, my) {
    var nk = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, k * factor));
    var f = nk / k;
    if (f === 1) { return; }
    tx = mx - (mx - tx) * f;
    ty = my - (my - ty) * f;
    k = nk;
    schedule(true);
    if (hoverPos) { scheduleHover(); }
  }

  function panBy(dx, dy) { tx += dx; ty += dy; schedule(true); }

  function resetView() { k = 1; tx = 0; ty = 0; extent = CORE; showExtent(); schedule(true); }

  function fitAll() { k = 1; tx = 0; ty = 0; extent = FULL; showExtent(); schedule(true); }

  var fitAllButton = $("doc-map-fit-all");
  function showExtent() {
    root.setAttribute("data-extent", extent === FULL ? "all" : "core");
    if (fitAllButton) {
      fitAllButton.hidden = CORE === FULL;
      fitAllButton.disabled = extent === FULL;
      fitAllButton.textContent = "Fit all (" + outsideCore.toLocaleString() + " far out)";
    }
  }

  function local(event) {
    var rect = canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  canvas.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    var p = local(event);
    drag = { mode: event.shiftKey ? "box" : "pan", x0: p[0], y0: p[1], x: p[0], y: p[1], tx: tx, ty: ty, moved: false };
    try { canvas.setPointerCapture(event.pointerId); } catch (e) { /* synthetic pointer */ }
    canvas.focus({ preventScroll: true });
    event.preventDefault();
  });

  canvas.addEventListener("pointermove", function (event) {
    var p = local(event);
    if (!drag) { hoverPos = p; scheduleHover(); return; }
    drag.x = p[0]; drag.y = p[1];
    if (!drag.moved && Math.abs(p[0] - drag.x0) + Math.abs(p[1] - drag.y0) > 3) {
      drag.moved = true;
      hoverPos = null;
      updateHover();
      canvas.classList.add(drag.mode === "box" ? "boxing" : "panning");
    }
    if (!drag.moved) { return; }
    if (drag.mode === "pan") {
      tx = drag.tx + (p[0] - drag.x0);
      ty = drag.ty + (p[1] - drag.y0);
      schedule(true);
    } else {
      schedule(false);
    }
  });

  function endDrag(event, cancelled) {
    if (!drag) { return; }
    var d = drag;
    drag = null;
    canvas.classList.remove("panning", "boxing");
    try { canvas.releasePointerCapture(event.pointerId); } catch (e) { /* not captured */ }
    var p = local(event);
    if (!cancelled && !d.moved && d.mode === "pan") {
      var stacked = under(p[0], p[1]);
      if (stacked.length > 1) {
        showStack(stacked);
      } else {
        var id = hitTest(p[0], p[1]);
        if (id >= 0) { openDoc(id); }
      }
    } else if (!cancelled && d.moved && d.mode === "box") {
      selectRect(d.x0, d.y0, p[0], p[1]);
    }
    hoverPos = p;
    scheduleHover();
    schedule(false);
  }
  canvas.addEventListener("pointerup", function (event) { endDrag(event, false); });
  canvas.addEventListener("pointercancel", function (event) { endDrag(event, true); });
  canvas.addEventListener("pointerleave", function () {
    if (drag) { return; }
    hoverPos = null;
    updateHover();
  });

  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? cssH : 1;
    var p = local(event);
    zoomAt(Math.exp(-event.deltaY * unit * 0.0015), p[0], p[1]);
  }, { passive: false });

  canvas.addEventListener("keydown", function (event) {
    var step = 60, handled = true;
    if (event.key === "+" || event.key === "=") { zoomAt(1.25, cssW / 2, cssH / 2); }
    else if (event.key === "-" || event.key === "_") { zoomAt(0.8, cssW / 2, cssH / 2); }
    else if (event.key === "0") { resetView(); }
    else if (event.key === "ArrowLeft") { panBy(step, 0); }
    else if (event.key === "ArrowRight") { panBy(-step, 0); }
    else if (event.key === "ArrowUp") { panBy(0, step); }
    else if (event.key === "ArrowDown") { panBy(0, -step); }
    else if (event.key === "Escape") { clearSelection(); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  // ---------------------------------------------------------------- controls
  if (modelSelect) {
    modelSelect.addEventListener("change", function () { colorBy(modelSelect.value); });
  }
  if (legend) {
    legend.addEventListener("click", function (event) {
      var b = event.target.closest("button[data-topic]");
      if (b) { isolate(Number(b.getAttribute("data-topic"))); }
    });
  }
  var searchTimer = 0;
  if (searchBox) {
    searchBox.addEventListener("input", function () {
      // Large corpora: wait for a pause in typing instead of scanning on every key.
      window.clearTimeout(searchTimer);
      if (n <= 20000) { setQuery(searchBox.value); return; }
      searchTimer = window.setTimeout(function () { setQuery(searchBox.value); }, 150);
    });
  }
  var showAll = $("doc-map-show-all");
  if (showAll) {
    showAll.addEventListener("click", function () {
      isolated = null;
      if (searchBox) { searchBox.value = ""; }
      query = "";
      refilter();
    });
  }
  var resetButton = $("doc-map-reset");
  if (resetButton) { resetButton.addEventListener("click", resetView); }
  if (fitAllButton) { fitAllButton.addEventListener("click", fitAll); }
  if (selectionBox) {
    selectionBox.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-map-doc]");
      if (link) {
        event.preventDefault();
        openDoc(Number(link.getAttribute("data-map-doc")));
      } else if (event.target.closest("[data-map-action=clear-selection]")) {
        clearSelection();
      }
    });
  }

  if (typeof ResizeObserver === "function") {
    new ResizeObserver(function () { schedule(true); }).observe(stage);  // eslint-disable-line no-new
  } else {
    window.addEventListener("resize", function () { schedule(true); });
  }

  // ---------------------------------------------------------------- start
  root.setAttribute("data-points", String(n));
  root.setAttribute("data-selected", "0");
  if (model !== undefined) {
    root.setAttribute("data-model", model);
    if (modelSelect) { modelSelect.value = model; }
  }
  buildLegend();
  showExtent();
  refilter();
  if (frame) { window.cancelAnimationFrame(frame); }
  flush();  // the first frame is drawn synchronously: the map is there as soon as the page is

  window.topicsMap = {
    pointCount: function () { return n; },
    drawnCount: function () { return lastDrawn; },
    highlightedCount: function () { return litCount; },
    projected: function (id) { return id >= 0 && id < n && valid[id] ? project(id) : null; },
    hit: function (x, y) { return hitTest(x, y); },
    colorBy: colorBy,
    model: function () { return model; },
    isolate: isolate,
    search: function (q) { if (searchBox) { searchBox.value = q; } return setQuery(q); },
    select: selectRect,
    selected: function () { return selection ? selection.ids.slice() : []; },
    clearSelection: clearSelection,
    zoom: function (factor, x, y) { zoomAt(factor, x === undefined ? cssW / 2 : x, y === undefined ? cssH / 2 : y); },
    pan: panBy,
    resetView: resetView,
    fitAll: fitAll,
    extent: function () { return { minX: extent.minX, maxX: extent.maxX, minY: extent.minY, maxY: extent.maxY, all: extent === FULL }; },
    labels: function () { return labelList ? Array.prototype.map.call(labelList.children, function (li) { return li.textContent; }) : []; },
    under: under,
    pointSize: function () { return pointSizeCss(); },
    view: function () { return { k: k, tx: tx, ty: ty }; },
    redraw: function () { needPoints = true; if (frame) { window.cancelAnimationFrame(frame); } flush(); return lastDrawMs; }
  };
})();
