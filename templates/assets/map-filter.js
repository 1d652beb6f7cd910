/* topics report, document map: filters. Which model colours the map, which topic is
 * isolated, which documents match the search; from those, which points are lit, and the
 * counts and attributes that report it.
 *
 * Reads of the state (map.js): n, store, models, root, countOut, legend, modelSelect,
 * tooltip, selection, hoverPos. Writes: model, info, isolated, query, found,
 * unsubscribe, lit, filterActive, litCount, matchCount, hoverId, and the root's
 * data-highlighted, data-search-done, data-topic, data-model. Adds
 * window.topicsMapParts.filter.
 */
(function () {
  "use strict";

  var M = window.topicsMapParts;
  if (!M) { return; }
  var S = M.state;
  var n = S.n;

  function refilter() {
    var isolated = S.isolated, query = S.query, found = S.found, root = S.root;
    var litCount = n, matchCount = 0;
    S.filterActive = isolated !== null || query !== "";
    if (S.filterActive) {
      var matches = query && found ? found.matches : null;
      var topic = S.info.topic, lit = S.lit;
      litCount = 0;
      for (var i = 0; i < n; i++) {
        var match = !query || (matches !== null && matches[i] === 1);
        if (match && query) { matchCount++; }
        var ok = match && (isolated === null || topic[i] === isolated);
        lit[i] = ok ? 1 : 0;
        if (ok) { litCount++; }
      }
    }
    S.litCount = litCount;
    S.matchCount = matchCount;
    root.setAttribute("data-highlighted", String(litCount));
    root.setAttribute("data-search-done", String(!query || Boolean(found && found.done)));
    root.setAttribute("data-topic", isolated === null ? "" : String(isolated));
    if (S.countOut) {
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
      S.countOut.textContent = text;
    }
    if (S.legend) {
      Array.prototype.forEach.call(S.legend.querySelectorAll("button[data-topic]"), function (b) {
        var t = Number(b.getAttribute("data-topic"));
        b.setAttribute("aria-pressed", String(isolated === t));
        b.classList.toggle("dim", isolated !== null && isolated !== t);
      });
    }
    if (S.selection) { M.hit.collectSelection(); }
    S.hoverId = -1;
    if (S.tooltip) { S.tooltip.removeAttribute("data-doc"); }
    if (S.hoverPos) { M.hit.scheduleHover(); }
    M.draw.schedule(true);
  }

  function isolate(topic) {
    S.isolated = topic === null || topic === undefined || topic === S.isolated ? null : Number(topic);
    refilter();
    return S.isolated;
  }

  var progressPending = false;
  function setQuery(q) {
    var next = String(q || "").trim().toLowerCase();
    if (next !== S.query || !S.found) {
      if (S.unsubscribe) { S.unsubscribe(); S.unsubscribe = null; }
      S.found = null;
      S.query = next;
      if (S.query) {
        var sync = true;
        // Inline: answered at once. Chunked: each file read adds its matches.
        S.unsubscribe = S.store.search(S.query, function (state) {
          S.found = state;
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
    return S.filterActive ? S.litCount : S.matchCount;
  }

  function colorBy(name) {
    if (!Object.prototype.hasOwnProperty.call(S.models, name)) { return false; }
    S.model = name;
    S.info = M.models.info(name);
    if (S.modelSelect && S.modelSelect.value !== name) { S.modelSelect.value = name; }
    S.root.setAttribute("data-model", name);
    S.isolated = null;
    M.draw.buildLegend();
    refilter();
    return true;
  }

  M.filter = { refilter: refilter, isolate: isolate, setQuery: setQuery, colorBy: colorBy };
})();
