/* topics report, document map: the view. Fits the extent (CORE or FULL) into the canvas,
 * maps data coordinates to CSS pixels, sizes the points, zooms and pans.
 *
 * Reads of the state (map.js): stage, root, fitAllButton, n, X, Y, CORE, FULL,
 * outsideCore, hoverPos. Writes: cssW, cssH, dpr, s0, ox, oy (fit), k, tx, ty, extent.
 * Adds window.topicsMapParts.view.
 */
(function () {
  "use strict";

  var M = window.topicsMapParts;
  if (!M) { return; }
  var S = M.state;
  var MIN_ZOOM = 0.5;
  var MAX_ZOOM = 2000;
  var PAD = 14;                // CSS pixels between the data bounds and the canvas edge

  function fit() {
    S.cssW = S.stage.clientWidth;
    S.cssH = S.stage.clientHeight;
    S.dpr = window.devicePixelRatio || 1;
    var extent = S.extent;
    var w = Math.max(1, S.cssW - 2 * PAD), h = Math.max(1, S.cssH - 2 * PAD);
    var vx = Math.max(extent.maxX - extent.minX, 1e-12), vy = Math.max(extent.maxY - extent.minY, 1e-12);
    S.s0 = Math.min(w / vx, h / vy);
    S.ox = (S.cssW - vx * S.s0) / 2;
    S.oy = (S.cssH - vy * S.s0) / 2;
  }

  // CSS-pixel coefficients: sx = x * ax + bx, sy = y * ay + by.
  function coeffs() {
    var s0 = S.s0, k = S.k;
    return {
      ax: s0 * k, bx: (S.ox - S.extent.minX * s0) * k + S.tx,
      ay: -s0 * k, by: (S.oy + S.extent.maxY * s0) * k + S.ty
    };
  }

  function project(i) {
    var c = coeffs();
    return [S.X[i] * c.ax + c.bx, S.Y[i] * c.ay + c.by];
  }

  // Points sized for the number of documents: about a third of the spacing they would
  // have spread evenly over the canvas, between 2 and 8 CSS pixels, growing with zoom.
  function pointSizeCss() {
    var area = Math.max(1, (S.cssW || 600) * (S.cssH || 600));
    var base = Math.max(2, Math.min(8, 0.3 * Math.sqrt(area / Math.max(1, S.n))));
    return Math.min(base * Math.pow(S.k, 0.35), 16);
  }

  // ---------------------------------------------------------------- pan and zoom
  function zoomAt(factor, mx, my) {
    var nk = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, S.k * factor));
    var f = nk / S.k;
    if (f === 1) { return; }
    S.tx = mx - (mx - S.tx) * f;
    S.ty = my - (my - S.ty) * f;
    S.k = nk;
    M.draw.schedule(true);
    if (S.hoverPos) { M.hit.scheduleHover(); }
  }

  function panBy(dx, dy) { S.tx += dx; S.ty += dy; M.draw.schedule(true); }

  function resetView() { S.k = 1; S.tx = 0; S.ty = 0; S.extent = S.CORE; showExtent(); M.draw.schedule(true); }

  function fitAll() { S.k = 1; S.tx = 0; S.ty = 0; S.extent = S.FULL; showExtent(); M.draw.schedule(true); }

  function showExtent() {
    var button = S.fitAllButton;
    S.root.setAttribute("data-extent", S.extent === S.FULL ? "all" : "core");
    if (button) {
      button.hidden = S.CORE === S.FULL;
      button.disabled = S.extent === S.FULL;
      button.textContent = "Fit all (" + S.outsideCore.toLocaleString() + " far out)";
    }
  }

  M.view = {
    fit: fit, coeffs: coeffs, project: project, pointSizeCss: pointSizeCss,
    zoomAt: zoomAt, panBy: panBy, resetView: resetView, fitAll: fitAll, showExtent: showExtent
  };
})();
