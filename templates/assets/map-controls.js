/* topics report, document map: controls. Pointer (pan, box select, click, hover), wheel
 * and keyboard on the canvas; the model select, search box, legend, buttons and the list
 * under the map; resizing; the first frame; and window.topicsMap, the map's public API
 * (tests and benches drive the map through it).
 *
 * Reads of the state (map.js): everything the API reports (n, lastDrawn, litCount,
 * valid, model, selection, cssW, cssH, extent, FULL, labelList, k, tx, ty, lastDrawMs,
 * frame) and the DOM nodes it listens on. Writes: drag, hoverPos, tx, ty (while
 * panning), isolated and query (show all), needPoints (redraw), the root's data-points,
 * data-selected and data-model. Last of the map files: sets window.topicsMap and
 * removes window.topicsMapParts.
 */
(function () {
  "use strict";

  var M = window.topicsMapParts;
  if (!M) { return; }
  var S = M.state;
  var canvas = S.canvas, root = S.root;
  var view = M.view, draw = M.draw, hit = M.hit, filter = M.filter;

  function openDoc(id) {
    if (window.topicsReport && typeof window.topicsReport.openDocument === "function") {
      window.topicsReport.openDocument(id);
    }
  }

  function local(event) {
    var rect = canvas.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  // ---------------------------------------------------------------- pointer
  canvas.addEventListener("pointerdown", function (event) {
    if (event.button !== 0) { return; }
    var p = local(event);
    S.drag = { mode: event.shiftKey ? "box" : "pan", x0: p[0], y0: p[1], x: p[0], y: p[1], tx: S.tx, ty: S.ty, moved: false };
    try { canvas.setPointerCapture(event.pointerId); } catch (e) { /* synthetic pointer */ }
    canvas.focus({ preventScroll: true });
    event.preventDefault();
  });

  canvas.addEventListener("pointermove", function (event) {
    var p = local(event);
    var drag = S.drag;
    if (!drag) { S.hoverPos = p; hit.scheduleHover(); return; }
    drag.x = p[0]; drag.y = p[1];
    if (!drag.moved && Math.abs(p[0] - drag.x0) + Math.abs(p[1] - drag.y0) > 3) {
      drag.moved = true;
      S.hoverPos = null;
      hit.updateHover();
      canvas.classList.add(drag.mode === "box" ? "boxing" : "panning");
    }
    if (!drag.moved) { return; }
    if (drag.mode === "pan") {
      S.tx = drag.tx + (p[0] - drag.x0);
      S.ty = drag.ty + (p[1] - drag.y0);
      draw.schedule(true);
    } else {
      draw.schedule(false);
    }
  });

  function endDrag(event, cancelled) {
    if (!S.drag) { return; }
    var d = S.drag;
    S.drag = null;
    canvas.classList.remove("panning", "boxing");
    try { canvas.releasePointerCapture(event.pointerId); } catch (e) { /* not captured */ }
    var p = local(event);
    if (!cancelled && !d.moved && d.mode === "pan") {
      var stacked = hit.under(p[0], p[1]);
      if (stacked.length > 1) {
        hit.showStack(stacked);
      } else {
        var id = hit.hitTest(p[0], p[1]);
        if (id >= 0) { openDoc(id); }
      }
    } else if (!cancelled && d.moved && d.mode === "box") {
      hit.selectRect(d.x0, d.y0, p[0], p[1]);
    }
    S.hoverPos = p;
    hit.scheduleHover();
    draw.schedule(false);
  }
  canvas.addEventListener("pointerup", function (event) { endDrag(event, false); });
  canvas.addEventListener("pointercancel", function (event) { endDrag(event, true); });
  canvas.addEventListener("pointerleave", function () {
    if (S.drag) { return; }
    S.hoverPos = null;
    hit.updateHover();
  });

  canvas.addEventListener("wheel", function (event) {
    event.preventDefault();
    var unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? S.cssH : 1;
    var p = local(event);
    view.zoomAt(Math.exp(-event.deltaY * unit * 0.0015), p[0], p[1]);
  }, { passive: false });

  canvas.addEventListener("keydown", function (event) {
    var step = 60, handled = true;
    if (event.key === "+" || event.key === "=") { view.zoomAt(1.25, S.cssW / 2, S.cssH / 2); }
    else if (event.key === "-" || event.key === "_") { view.zoomAt(0.8, S.cssW / 2, S.cssH / 2); }
    else if (event.key === "0") { view.resetView(); }
    else if (event.key === "ArrowLeft") { view.panBy(step, 0); }
    else if (event.key === "ArrowRight") { view.panBy(-step, 0); }
    else if (event.key === "ArrowUp") { view.panBy(0, step); }
    else if (event.key === "ArrowDown") { view.panBy(0, -step); }
    else if (event.key === "Escape") { hit.clearSelection(); }
    else { handled = false; }
    if (handled) { event.preventDefault(); }
  });

  // ---------------------------------------------------------------- controls
  var modelSelect = S.modelSelect, searchBox = S.searchBox, selectionBox = S.selectionBox;
  if (modelSelect) {
    modelSelect.addEventListener("change", function () { filter.colorBy(modelSelect.value); });
  }
  if (S.legend) {
    S.legend.addEventListener("click", function (event) {
      var b = event.target.closest("button[data-topic]");
      if (b) { filter.isolate(Number(b.getAttribute("data-topic"))); }
    });
  }
  var searchTimer = 0;
  if (searchBox) {
    searchBox.addEventListener("input", function () {
      // Large corpora: wait for a pause in typing instead of scanning on every key.
      window.clearTimeout(searchTimer);
      if (S.n <= 20000) { filter.setQuery(searchBox.value); return; }
      searchTimer = window.setTimeout(function () { filter.setQuery(searchBox.value); }, 150);
    });
  }
  var showAll = document.getElementById("doc-map-show-all");
  if (showAll) {
    showAll.addEventListener("click", function () {
      S.isolated = null;
      if (searchBox) { searchBox.value = ""; }
      S.query = "";
      filter.refilter();
    });
  }
  var resetButton = document.getElementById("doc-map-reset");
  if (resetButton) { resetButton.addEventListener("click", view.resetView); }
  if (S.fitAllButton) { S.fitAllButton.addEventListener("click", view.fitAll); }
  if (selectionBox) {
    selectionBox.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-map-doc]");
      if (link) {
        event.preventDefault();
        openDoc(Number(link.getAttribute("data-map-doc")));
      } else if (event.target.closest("[data-map-action=clear-selection]")) {
        hit.clearSelection();
      }
    });
  }

  if (typeof ResizeObserver === "function") {
    new ResizeObserver(function () { draw.schedule(true); }).observe(S.stage);  // eslint-disable-line no-new
  } else {
    window.addEventListener("resize", function () { draw.schedule(true); });
  }

  // ---------------------------------------------------------------- start
  root.setAttribute("data-points", String(S.n));
  root.setAttribute("data-selected", "0");
  if (S.model !== undefined) {
    root.setAttribute("data-model", S.model);
    if (modelSelect) { modelSelect.value = S.model; }
  }
  draw.buildLegend();
  view.showExtent();
  filter.refilter();
  if (S.frame) { window.cancelAnimationFrame(S.frame); }
  draw.flush();  // the first frame is drawn synchronously: the map is there as soon as the page is

  window.topicsMap = {
    pointCount: function () { return S.n; },
    drawnCount: function () { return S.lastDrawn; },
    highlightedCount: function () { return S.litCount; },
    projected: function (id) { return id >= 0 && id < S.n && S.valid[id] ? view.project(id) : null; },
    hit: function (x, y) { return hit.hitTest(x, y); },
    colorBy: filter.colorBy,
    model: function () { return S.model; },
    isolate: filter.isolate,
    search: function (q) { if (searchBox) { searchBox.value = q; } return filter.setQuery(q); },
    select: hit.selectRect,
    selected: function () { return S.selection ? S.selection.ids.slice() : []; },
    clearSelection: hit.clearSelection,
    zoom: function (factor, x, y) { view.zoomAt(factor, x === undefined ? S.cssW / 2 : x, y === undefined ? S.cssH / 2 : y); },
    pan: view.panBy,
    resetView: view.resetView,
    fitAll: view.fitAll,
    extent: function () {
      var e = S.extent;
      return { minX: e.minX, maxX: e.maxX, minY: e.minY, maxY: e.maxY, all: e === S.FULL };
    },
    labels: function () {
      var list = S.labelList;
      return list ? Array.prototype.map.call(list.children, function (li) { return li.textContent; }) : [];
    },
    under: hit.under,
    pointSize: function () { return view.pointSizeCss(); },
    view: function () { return { k: S.k, tx: S.tx, ty: S.ty }; },
    redraw: function () {
      S.needPoints = true;
      if (S.frame) { window.cancelAnimationFrame(S.frame); }
      draw.flush();
      return S.lastDrawMs;
    }
  };
  // The parts hold each other in closures now; the page keeps one global, as before.
  delete window.topicsMapParts;
})();
