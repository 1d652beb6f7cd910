/* topics report, document map: drawing. Stamps the points into one ImageData buffer,
 * then draws the overlays on top (selection box, drag box, topic labels, hover ring);
 * builds the legend; batches redraws into one animation frame.
 *
 * Reads of the state (map.js): canvas, ctx, root, legend, labelList, n, X, Y, valid,
 * model, info, isolated, lit, filterActive, cssW, cssH, dpr, selection, drag, hoverId,
 * startMs. Writes: img, u32, lastDrawn, lastDrawMs, firstDraw, frame, needPoints and the
 * root's data-drawn, data-draw-ms, data-first-draw-ms, data-setup-ms, data-labels,
 * data-colour-scheme. Adds window.topicsMapParts.draw.
 */
(function () {
  "use strict";

  var M = window.topicsMapParts;
  if (!M) { return; }
  var S = M.state;
  var el = M.el;

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

  function sizeCanvas() {
    M.view.fit();
    var canvas = S.canvas;
    var w = Math.max(1, Math.round(S.cssW * S.dpr)), h = Math.max(1, Math.round(S.cssH * S.dpr));
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    if (!S.img || S.img.width !== w || S.img.height !== h) {
      S.img = S.ctx.createImageData(w, h);
      S.u32 = new Uint32Array(S.img.data.buffer);
    }
  }

  // One pass over the draw order; pass -1 draws everything, 0 the dimmed, 1 the lit.
  function stampPass(pass, colours, d, W, H, c) {
    var order = S.info.order, topic = S.info.topic;
    var n = S.n, X = S.X, Y = S.Y, valid = S.valid, lit = S.lit, u32 = S.u32, dpr = S.dpr;
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
    if (S.cssW < 1 || S.cssH < 1) { return; }
    var W = S.img.width, H = S.img.height, dpr = S.dpr, info = S.info;
    S.u32.fill(M.colours.background);
    var d = Math.max(1, Math.round(M.view.pointSizeCss() * dpr));
    var c = M.view.coeffs();
    var drawn;
    if (S.filterActive) {
      drawn = stampPass(0, info.dimmed, d, W, H, c);
      drawn += stampPass(1, info.normal, d + Math.max(1, Math.round(dpr)), W, H, c);
    } else {
      drawn = stampPass(-1, info.normal, d, W, H, c);
    }
    S.lastDrawn = drawn;
    S.lastDrawMs = performance.now() - t0;
    S.root.setAttribute("data-drawn", String(drawn));
    S.root.setAttribute("data-draw-ms", S.lastDrawMs.toFixed(1));
    if (S.firstDraw) {
      S.firstDraw = false;
      S.root.setAttribute("data-first-draw-ms", performance.now().toFixed(1));
      S.root.setAttribute("data-setup-ms", (performance.now() - S.startMs).toFixed(1));
    }
  }

  function compose() {
    if (!S.img) { return; }
    var ctx = S.ctx, dpr = S.dpr, selection = S.selection, drag = S.drag, hoverId = S.hoverId;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.putImageData(S.img, 0, 0);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    var c = M.view.coeffs();
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
      var p = [S.X[hoverId] * c.ax + c.bx, S.Y[hoverId] * c.ay + c.by];
      var r = M.view.pointSizeCss() / 2 + 3;
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
  var labelKey = "";
  function drawLabels(c) {
    var ctx = S.ctx, info = S.info, isolated = S.isolated, cssW = S.cssW, cssH = S.cssH;
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
    var key = S.model + "|" + shown.map(function (s) { return s[0]; }).join(",");
    if (key !== labelKey) {
      labelKey = key;
      S.root.setAttribute("data-labels", String(shown.length));
      if (S.labelList) {
        S.labelList.replaceChildren.apply(S.labelList, shown.map(function (s) {
          return el("li", { "data-topic": String(s[0]) }, s[1]);
        }));
      }
    }
  }

  function flush() {
    S.frame = 0;
    if (S.needPoints || !S.img) { renderPoints(); }
    S.needPoints = false;
    compose();
  }

  // points=true when the view, colours or filter changed; false for overlays only.
  function schedule(points) {
    if (points) { S.needPoints = true; }
    if (!S.frame) { S.frame = window.requestAnimationFrame(flush); }
  }

  // ---------------------------------------------------------------- legend
  function buildLegend() {
    var legend = S.legend, info = S.info;
    if (!legend) { return; }
    legend.replaceChildren();
    var scheme = M.colours.scheme(info.counts.length - 1);  // topic ids 0 .. max
    S.root.setAttribute("data-colour-scheme", scheme ? "tiers" : "distinct");
    if (scheme) { legend.appendChild(el("p", { "class": "scheme muted" }, scheme)); }
    info.ids.forEach(function (id) {
      var b = el("button", { type: "button", "data-topic": String(id), "aria-pressed": "false" });
      var sw = el("span", { "class": "swatch" });
      sw.style.background = info.css[id + 1];
      b.appendChild(sw);
      b.appendChild(el("span", { "class": "words" }, id < 0 ? "outliers" : id + ": " + (info.words[id] || "")));
      b.appendChild(el("span", { "class": "count" }, info.counts[id + 1].toLocaleString()));
      b.title = M.models.label(S.model, id) + " — " + info.counts[id + 1].toLocaleString() + " documents; click to isolate";
      legend.appendChild(b);
    });
  }

  M.draw = { flush: flush, schedule: schedule, buildLegend: buildLegend };
})();
