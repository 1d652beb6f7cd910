/* topics report, document map: hit testing. A uniform grid over the data bounds answers
 * "which document is under the cursor" (hover, click) and "which documents are stacked
 * here" by looking at a handful of cells whatever the corpus size; the hover tooltip;
 * the list under the map (stacked documents or a box selection).
 *
 * Reads of the state (map.js): n, X, Y, valid, minX, maxX, minY, maxY, rangeX, rangeY,
 * s0, k, lit, filterActive, model, info, cssW, cssH, store, root, canvas, tooltip,
 * selectionBox. Writes: hoverId, selection, and the root's data-stacked and
 * data-selected. Adds window.topicsMapParts.hit.
 */
(function () {
  "use strict";

  var M = window.topicsMapParts;
  if (!M) { return; }
  var S = M.state;
  var el = M.el;
  var n = S.n, X = S.X, Y = S.Y, valid = S.valid;
  var LIST_LIMIT = 200;

  // Uniform grid over the data bounds, about two points per cell (counting sort).
  var G = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(n / 2))));
  var cellStart = new Int32Array(G * G + 1);
  var cellItems = new Int32Array(n);
  function cellX(x) { return Math.max(0, Math.min(G - 1, Math.floor((x - S.minX) / S.rangeX * G))); }
  function cellY(y) { return Math.max(0, Math.min(G - 1, Math.floor((y - S.minY) / S.rangeY * G))); }
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

  function hitRadiusCss() { return Math.max(6, M.view.pointSizeCss() / 2 + 3); }

  function hitTest(mx, my) {
    var c = M.view.coeffs();
    var lit = S.lit, filterActive = S.filterActive;
    var r = hitRadiusCss(), r2 = r * r;
    var wx = (mx - c.bx) / c.ax, wy = (my - c.by) / c.ay, rw = r / (S.s0 * S.k);
    if (wx + rw < S.minX || wx - rw > S.maxX || wy + rw < S.minY || wy - rw > S.maxY) { return -1; }
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
    var c = M.view.coeffs();
    var lit = S.lit, filterActive = S.filterActive;
    var r = M.view.pointSizeCss() / 2 + 1, r2 = r * r;
    var wx = (mx - c.bx) / c.ax, wy = (my - c.by) / c.ay, rw = r / (S.s0 * S.k);
    if (wx + rw < S.minX || wx - rw > S.maxX || wy + rw < S.minY || wy - rw > S.maxY) { return []; }
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

  // ---------------------------------------------------------------- hover and tooltip
  function showTooltip(id, p) {
    var tooltip = S.tooltip, store = S.store;
    if (!tooltip) { return; }
    if (id < 0) { tooltip.hidden = true; return; }
    if (tooltip.getAttribute("data-doc") !== String(id)) {
      var doc = store.light(id);
      if (!doc) {
        // Its title lives in a sidecar file: show the topic now, the words once read.
        store.withDocs([id], ["light"], function () {
          if (S.hoverId === id && tooltip.getAttribute("data-doc") === String(id) + "?") {
            tooltip.removeAttribute("data-doc");
            showTooltip(id, S.hoverPos);
          }
        });
      }
      var children = [el("div", { "class": "map-tip-title" }, doc ? doc.title : "Document " + id)];
      if (doc && doc.snippet) { children.push(el("div", { "class": "map-tip-snippet" }, doc.snippet)); }
      if (!doc) { children.push(el("div", { "class": "map-tip-snippet" }, "loading…")); }
      var meta = M.models.label(S.model, S.info.topic[id]);
      var label = store.label(id);
      if (label) { meta = label + " · " + meta; }
      children.push(el("div", { "class": "map-tip-topic" }, meta));
      tooltip.replaceChildren.apply(tooltip, children);
      tooltip.setAttribute("data-doc", String(id) + (doc ? "" : "?"));
    }
    tooltip.hidden = false;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    var left = p[0] + 14, top = p[1] + 14;
    if (left + w > S.cssW - 4) { left = Math.max(4, p[0] - 14 - w); }
    if (top + h > S.cssH - 4) { top = Math.max(4, p[1] - 14 - h); }
    tooltip.style.left = left + "px";
    tooltip.style.top = top + "px";
  }

  function updateHover() {
    var id = S.hoverPos && !S.drag ? hitTest(S.hoverPos[0], S.hoverPos[1]) : -1;
    showTooltip(id, S.hoverPos);
    S.canvas.classList.toggle("hovering", id >= 0);
    if (id !== S.hoverId) { S.hoverId = id; M.draw.schedule(false); }
  }

  var hoverFrame = 0;
  function scheduleHover() {
    if (!hoverFrame) {
      hoverFrame = window.requestAnimationFrame(function () { hoverFrame = 0; updateHover(); });
    }
  }

  // ---------------------------------------------------------------- stacked and box lists
  function showStack(ids) {
    S.selection = null;
    S.root.setAttribute("data-stacked", String(ids.length));
    renderList(ids, ids.length.toLocaleString() + " documents under the cursor ");
    M.draw.schedule(false);
  }

  function collectSelection() {
    var s = S.selection, ids = [], lit = S.lit, filterActive = S.filterActive;
    for (var i = 0; i < n; i++) {
      if (valid[i] && X[i] >= s.x0 && X[i] <= s.x1 && Y[i] >= s.y0 && Y[i] <= s.y1 &&
          (!filterActive || lit[i] === 1)) {
        ids.push(i);
      }
    }
    s.ids = ids;
    S.root.setAttribute("data-selected", String(ids.length));
    renderSelection();
  }

  function selectRect(ax0, ay0, ax1, ay1) {  // CSS pixels on the canvas
    var c = M.view.coeffs();
    var xa = (Math.min(ax0, ax1) - c.bx) / c.ax, xb = (Math.max(ax0, ax1) - c.bx) / c.ax;
    var ya = (Math.max(ay0, ay1) - c.by) / c.ay, yb = (Math.min(ay0, ay1) - c.by) / c.ay;
    S.selection = { x0: xa, x1: xb, y0: ya, y1: yb, ids: [] };
    collectSelection();
    M.draw.schedule(false);
    return S.selection.ids.slice();
  }

  function clearSelection() {
    S.selection = null;
    S.root.setAttribute("data-selected", "0");
    if (S.selectionBox) { S.selectionBox.hidden = true; S.selectionBox.replaceChildren(); }
    M.draw.schedule(false);
  }

  function renderSelection() {
    var ids = S.selection.ids;
    renderList(ids, ids.length.toLocaleString() +
      (ids.length === 1 ? " document" : " documents") + " in the selected area" +
      (S.filterActive ? " (highlighted only) " : " "));
  }

  var listToken = 0;
  function renderList(ids, title) {
    if (!S.selectionBox) { return; }
    var token = ++listToken;
    // In a large report the titles come from sidecar files: list once they are read.
    S.store.withDocs(ids.slice(0, LIST_LIMIT), ["light"], function () {
      if (token === listToken) { drawList(ids, title); }
    });
  }

  function drawList(ids, title) {
    var box = S.selectionBox;
    box.replaceChildren();
    var head = el("div", { "class": "drill-head" });
    head.appendChild(el("strong", null, title));
    head.appendChild(el("button", { type: "button", "data-map-action": "clear-selection" }, "clear"));
    box.appendChild(head);
    var list = el("ol");
    ids.slice(0, LIST_LIMIT).forEach(function (id) {
      var li = el("li");
      var doc = S.store.light(id);
      li.appendChild(el("a", { href: "#doc-" + id, "data-map-doc": String(id) }, doc ? doc.title : "Document " + id));
      li.appendChild(el("span", { "class": "muted" }, " · " + M.models.label(S.model, S.info.topic[id])));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (ids.length > LIST_LIMIT) {
      box.appendChild(el("p", { "class": "muted" }, "Showing the first " + LIST_LIMIT +
        " of " + ids.length.toLocaleString() + "; draw a smaller box to see the rest."));
    }
    box.hidden = false;
  }

  M.hit = {
    hitTest: hitTest, under: under, updateHover: updateHover, scheduleHover: scheduleHover,
    showStack: showStack, collectSelection: collectSelection, selectRect: selectRect,
    clearSelection: clearSelection
  };
})();
