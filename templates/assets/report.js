/* topics report: drill-down from topics to documents, the document viewer and the
 * documents table. Documents come from window.topicsStore (docs.js): inline in a small
 * report, loaded on demand from docs/*.js beside a large one, so whatever needs a
 * document's words waits for store.withDocs. Document text is untrusted: it only ever
 * reaches the page through textContent (dom.js's el), never innerHTML. */
(function () {
  "use strict";

  var store = window.topicsStore;
  var data = store.data;
  var modelNames = Object.keys(data.models);
  var PAGE = 100;
  var LIST_LIMIT = 500;

  var el = window.topicsDom.el;  // dom.js

  function topicName(model, id) {
    if (id < 0) { return "outlier"; }
    var topic = data.models[model].topics[id];
    if (!topic) { return String(id); }
    return id + ": " + (topic.name || topic.words.slice(0, 3).join(", ")).replace(/_/g, " ");
  }

  function docLink(id) {
    var doc = store.light(id);
    return el("a", { href: "#doc-" + id, "data-action": "open-doc", "data-doc": String(id) },
      doc ? doc.title : "document " + id);
  }

  // ---------------------------------------------------------------- document viewer
  var viewer = document.getElementById("doc-viewer");

  var opening = 0;
  function openDocument(id) {
    if (!(id >= 0 && id < store.n)) { return; }
    var token = ++opening;
    store.withDocs([id], ["light", "full"], function () {
      var doc = store.record(id);
      if (token !== opening || !doc) { return; }
      // The similar documents' titles come from their own (light) chunks.
      store.withDocs(doc.similar || [], ["light"], function () {
        if (token === opening) { showDocument(doc); }
      }, function () { if (token === opening) { showDocument(doc); } });
    }, function (err) {
      if (token === opening) { showUnreadable(id, err); }
    });
  }

  function showViewer() {
    viewer.scrollTop = 0;
    if (typeof viewer.showModal === "function") {
      if (!viewer.open) { viewer.showModal(); }
    } else {
      viewer.setAttribute("open", "");
    }
  }

  function showUnreadable(id, err) {
    document.getElementById("doc-viewer-title").textContent = "Document " + id;
    ["doc-viewer-meta", "doc-viewer-mix", "doc-viewer-similar"].forEach(function (box) {
      document.getElementById(box).replaceChildren();
    });
    document.getElementById("doc-viewer-key").textContent = "";
    document.getElementById("doc-viewer-text").textContent = String(err && err.message || err);
    showViewer();
  }

  function showDocument(doc) {
    document.getElementById("doc-viewer-title").textContent = doc.title;
    var meta = document.getElementById("doc-viewer-meta");
    meta.replaceChildren();
    var rows = [["path", doc.path], ["label", doc.label || "–"], ["date", doc.date || "–"]];
    modelNames.forEach(function (m) {
      rows.push([data.models[m].title, topicName(m, doc[m + "_topic"]) +
        (doc[m + "_topic"] >= 0 ? " (weight " + doc[m + "_weight"].toFixed(2) + ")" : "")]);
    });
    if (doc.review) {
      rows.push(["worth a look", "#" + doc.review.rank + ": " + doc.review.reason]);
    }
    Object.keys(doc.meta || {}).forEach(function (k) { rows.push([k, doc.meta[k]]); });
    rows.forEach(function (r) { meta.appendChild(el("dt", null, r[0])); meta.appendChild(el("dd", null, r[1])); });
    var text = doc.text || doc.snippet;
    if (doc.truncated) {
      text += "\n\n[… shown " + (doc.text ? doc.text.length : 0).toLocaleString() + " of " +
        doc.n_chars.toLocaleString() + " characters; the full text is in " + doc.path + "]";
    }
    renderMix(doc);
    var words = topicWords(doc);
    var terms = searchTerms();
    var key = [];
    if (words.length) { key.push("marked: words of its main topics"); }
    if (terms.length) { key.push("yellow: your search"); }
    document.getElementById("doc-viewer-key").textContent = key.join(" · ");
    highlight(document.getElementById("doc-viewer-text"), text, words, terms);
    renderSimilar(doc);
    showViewer();
  }

  // The reader: topic mix, highlighted words and similar documents. Every piece of
  // document text becomes a text node (textContent); no markup is ever parsed from it.
  function renderMix(doc) {
    var box = document.getElementById("doc-viewer-mix");
    box.replaceChildren();
    modelNames.forEach(function (m) {
      var mix = doc[m + "_mix"] || [];
      if (!mix.length) { return; }
      var row = el("div", { "class": "mix-model", "data-model": m });
      row.appendChild(el("div", { "class": "mix-title" }, data.models[m].title));
      mix.forEach(function (pair) {
        var item = el("div", { "class": "mix-topic", "data-topic": String(pair[0]) });
        var bar = el("span", { "class": "mix-bar" });
        bar.appendChild(el("span", { "class": "mix-fill", style: "width:" + Math.round(100 * pair[1]) + "%" }));
        item.appendChild(bar);
        item.appendChild(el("span", { "class": "mix-name" }, topicName(m, pair[0])));
        item.appendChild(el("span", { "class": "mix-share muted" }, Math.round(100 * pair[1]) + "%"));
        row.appendChild(item);
      });
      box.appendChild(row);
    });
  }

  function topicWords(doc) {
    var seen = {};
    var out = [];
    modelNames.forEach(function (m) {
      var t = doc[m + "_topic"];
      var topic = t >= 0 ? data.models[m].topics[t] : null;
      (topic ? topic.words.slice(0, 10) : []).forEach(function (w) {
        var word = w.replace(/_/g, " ").toLowerCase();
        if (word.length > 1 && !seen[word]) { seen[word] = true; out.push(word); }
      });
    });
    return out;
  }

  function searchTerms() {
    var boxes = [document.getElementById("doc-search"), document.getElementById("doc-map-search")];
    var out = [];
    boxes.forEach(function (box) {
      var q = box ? box.value.trim().toLowerCase() : "";
      if (q && out.indexOf(q) < 0) { out.push(q); }
    });
    return out;
  }

  function escapeRegExp(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  // Topic words are lemmas ("moon"), so they match the start of a word ("moons");
  // search terms match anywhere, as the search itself does.
  function highlight(box, text, words, terms) {
    box.replaceChildren();
    var parts = [];
    if (terms.length) { parts.push("(" + terms.map(escapeRegExp).join("|") + ")"); }
    if (words.length) {
      parts.push("\\b(" + words.map(function (w) { return escapeRegExp(w).replace(/ /g, "\\s+"); }).join("|") + ")\\w*");
    }
    if (!parts.length) { box.textContent = text; return; }
    var pattern = new RegExp(parts.join("|"), "gi");
    var last = 0;
    var fragment = document.createDocumentFragment();
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (match[0] === "") { pattern.lastIndex += 1; continue; }
      if (match.index > last) { fragment.appendChild(document.createTextNode(text.slice(last, match.index))); }
      var isSearch = terms.length && match[1] !== undefined;
      fragment.appendChild(el("mark", { "class": isSearch ? "hl-search" : "hl-topic" }, match[0]));
      last = match.index + match[0].length;
    }
    if (last < text.length) { fragment.appendChild(document.createTextNode(text.slice(last))); }
    box.appendChild(fragment);
  }

  function renderSimilar(doc) {
    var box = document.getElementById("doc-viewer-similar");
    box.replaceChildren();
    var ids = doc.similar || [];
    if (!ids.length) { return; }
    box.appendChild(el("h3", null, "Similar documents"));
    var list = el("ol");
    ids.forEach(function (id) {
      var other = store.light(id);
      if (!other) { return; }
      var li = el("li");
      li.appendChild(docLink(id));
      li.appendChild(el("span", { "class": "muted" }, " " + other.path));
      list.appendChild(li);
    });
    box.appendChild(list);
  }

  function closeViewer() {
    if (viewer.open) { viewer.close(); }
  }

  viewer.addEventListener("click", function (event) {
    if (event.target === viewer) { closeViewer(); }  // click on the backdrop
  });

  // ---------------------------------------------------------------- drill-down lists
  function showList(boxId, model, title, items) {
    var box = document.getElementById("drill-" + boxId);
    store.withDocs(items.slice(0, LIST_LIMIT), ["light"], function () {
      renderList(box, boxId, model, title, items);
    }, function (err) {
      box.replaceChildren(el("p", { "class": "muted" }, String(err && err.message || err)));
      box.hidden = false;
    });
  }

  function renderList(box, boxId, model, title, items) {
    var weights = store.weights(model);
    box.replaceChildren();
    var head = el("div", { "class": "drill-head" });
    head.appendChild(el("strong", null, title + " — " + items.length.toLocaleString() + " documents "));
    var close = el("button", { type: "button", "data-action": "close-drill", "data-box": boxId }, "close");
    head.appendChild(close);
    box.appendChild(head);
    var list = el("ol");
    items.slice(0, LIST_LIMIT).forEach(function (id) {
      var doc = store.light(id) || {};
      var li = el("li");
      li.appendChild(docLink(id));
      var extra = [doc.path];
      var label = store.label(id);
      if (label) { extra.push(label); }
      if (!isNaN(weights[id])) { extra.push("weight " + weights[id].toFixed(2)); }
      li.appendChild(el("span", { "class": "muted" }, " " + extra.join(" · ")));
      li.appendChild(el("div", { "class": "snippet" }, doc.snippet));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (items.length > LIST_LIMIT) {
      box.appendChild(el("p", { "class": "muted" }, "Showing the 500 with the highest weight; use the Documents table below for the rest."));
    }
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  // Ids of the documents matching ``keep``, highest weight in ``model`` first.
  function byWeight(model, keep) {
    var w = store.weights(model), out = [];
    for (var i = 0; i < store.n; i++) { if (keep(i)) { out.push(i); } }
    return out.sort(function (a, b) { return (w[b] || 0) - (w[a] || 0) || a - b; });
  }

  function topicDocs(model, topic, label) {
    var t = store.topics(model);
    return byWeight(model, function (i) {
      return t[i] === topic && (label === undefined || store.label(i) === label);
    });
  }

  // ---------------------------------------------------------------- documents table
  var shown = PAGE;
  var search = document.getElementById("doc-search");
  var labelSelect = document.getElementById("doc-label");
  var topicSelects = Array.prototype.slice.call(document.querySelectorAll("select.doc-topic"));

  // The search itself runs in the store (chunk by chunk in a large report); the table
  // shows what it has found so far and says how far it got.
  var found = null;            // the store's search state for the current query
  var unsubscribe = null;
  var searchTimer = 0;
  var renderPending = false;

  function startSearch() {
    var q = search.value.trim().toLowerCase();
    if (found && found.query === q) { return; }
    if (unsubscribe) { unsubscribe(); unsubscribe = null; }
    found = null;
    if (!q) { return; }
    var first = true;
    unsubscribe = store.search(q, function (state) {
      found = state;
      // Progress of a chunked search: redraw at most once a frame.
      if (first) { return; }
      if (!renderPending) {
        renderPending = true;
        window.requestAnimationFrame(function () { renderPending = false; renderTable(); });
      }
    });
    first = false;
  }

  function filtered() {
    var q = search.value.trim().toLowerCase();
    var label = labelSelect.value;
    var topics = [];
    topicSelects.forEach(function (s) {
      if (s.value !== "") { topics.push([store.topics(s.getAttribute("data-model")), Number(s.value)]); }
    });
    var matches = q && found && found.query === q ? found.matches : null;
    var out = [];
    outer: for (var i = 0; i < store.n; i++) {
      if (q && (!matches || !matches[i])) { continue; }
      if (label && store.label(i) !== label) { continue; }
      for (var j = 0; j < topics.length; j++) {
        if (topics[j][0][i] !== topics[j][1]) { continue outer; }
      }
      out.push(i);
    }
    return out;
  }

  var tableToken = 0;
  function renderTable() {
    var rows = filtered();
    var page = rows.slice(0, shown);
    var token = ++tableToken;
    var count = rows.length.toLocaleString() + " of " + store.n.toLocaleString() + " documents";
    var q = search.value.trim();
    if (q && found && found.error) {
      count += " (search stopped: " + found.error.message + ")";
    } else if (q && found && !found.done) {
      count += " (searching… " + Math.floor(100 * found.searched / Math.max(1, store.n)) + "% read)";
    }
    var countOut = document.getElementById("doc-count");
    countOut.textContent = count;
    countOut.setAttribute("data-done", String(!q || Boolean(found && found.done)));
    store.withDocs(page, ["light"], function () {
      if (token !== tableToken) { return; }
      var body = document.getElementById("doc-rows");
      body.replaceChildren();
      page.forEach(function (id) {
        var d = store.light(id) || {};
        var tr = el("tr");
        tr.appendChild(el("td", null, id));
        var title = el("td", { "class": "title" });
        title.appendChild(docLink(id));
        title.appendChild(el("div", { "class": "snippet" }, d.path));
        tr.appendChild(title);
        tr.appendChild(el("td", null, store.label(id) || ""));
        tr.appendChild(el("td", null, d.date || ""));
        modelNames.forEach(function (m) { tr.appendChild(el("td", null, topicName(m, store.topics(m)[id]))); });
        body.appendChild(tr);
      });
      document.getElementById("doc-more").hidden = rows.length <= shown;
    }, function (err) {
      if (token === tableToken) { countOut.textContent = count + " (" + err.message + ")"; }
    });
  }

  function resetAndRender() { shown = PAGE; startSearch(); renderTable(); }
  search.addEventListener("input", function () {
    // A chunked search reads files: wait for a pause in typing.
    window.clearTimeout(searchTimer);
    if (!store.chunked) { resetAndRender(); return; }
    document.getElementById("doc-count").setAttribute("data-done", "false");
    searchTimer = window.setTimeout(resetAndRender, 200);
  });
  labelSelect.addEventListener("change", resetAndRender);
  topicSelects.forEach(function (s) { s.addEventListener("change", resetAndRender); });
  document.getElementById("doc-more").addEventListener("click", function () { shown += PAGE; renderTable(); });

  // ---------------------------------------------------------------- in-page navigation
  var header = document.querySelector("header.top");
  function measureNav() {
    document.documentElement.style.setProperty("--nav-h", header.offsetHeight + "px");
  }
  measureNav();
  window.addEventListener("resize", measureNav);

  // Links to "#id" scroll by script: inside a notebook's srcdoc iframe a fragment URL
  // resolves against the notebook's address and the browser refuses to load it.
  function jumpTo(id) {
    var node = document.getElementById(id);
    if (!node) { return false; }
    var details = node.closest("details");
    if (details && !details.open) { details.open = true; }
    node.scrollIntoView({ block: "start" });
    try {
      history.replaceState(null, "", "#" + id);
    } catch (err) {
      // A sandboxed frame may refuse to touch its history; the scroll is what counts.
    }
    return true;
  }

  // Inside a notebook's srcdoc frame there is no folder around the page: links to the
  // history page or earlier runs cannot load, so they are hidden rather than dead.
  if (window.location.href === "about:srcdoc") {
    Array.prototype.forEach.call(document.querySelectorAll("a[href]"), function (a) {
      if (a.getAttribute("href").charAt(0) !== "#") { a.hidden = true; }
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link || link.hasAttribute("data-action")) { return; }
    var id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (id && jumpTo(id)) { event.preventDefault(); }
  });

  // ---------------------------------------------------------------- one click handler
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-action]");
    if (!target) { return; }
    var action = target.getAttribute("data-action");
    var model = target.getAttribute("data-model");
    if (action === "open-doc") {
      event.preventDefault();
      openDocument(Number(target.getAttribute("data-doc")));
    } else if (action === "close-viewer") {
      closeViewer();
    } else if (action === "topic-docs") {
      var t = Number(target.getAttribute("data-topic"));
      showList(model, model, "Topic " + topicName(model, t), topicDocs(model, t));
    } else if (action === "cell-docs") {
      var topic = Number(target.getAttribute("data-topic"));
      var label = target.getAttribute("data-label");
      showList(model, model, "Label " + label + " in topic " + topicName(model, topic), topicDocs(model, topic, label));
    } else if (action === "pair-docs") {
      var a = Number(target.getAttribute("data-a"));
      var b = Number(target.getAttribute("data-b"));
      // The compared models (rows, columns) and their nouns are on the section.
      var box = target.closest("#compare");
      var rowsModel = box.getAttribute("data-rows"), colsModel = box.getAttribute("data-cols");
      var rows = store.topics(rowsModel), cols = store.topics(colsModel);
      var pair = byWeight(rowsModel, function (i) { return rows[i] === a && cols[i] === b; });
      showList("compare", rowsModel, box.getAttribute("data-rows-noun") + " " + topicName(rowsModel, a) +
        " and " + box.getAttribute("data-cols-noun") + " " + topicName(colsModel, b), pair);
    } else if (action === "close-drill") {
      document.getElementById("drill-" + target.getAttribute("data-box")).hidden = true;
    }
  });

  function openFromHash() {
    var m = /^#doc-(\d+)$/.exec(window.location.hash);
    if (m) { openDocument(Number(m[1])); }
  }
  window.addEventListener("hashchange", openFromHash);

  // ---------------------------------------------------------------- pyLDAvis panels
  Object.keys(data.panels).forEach(function (model) {
    if (typeof LDAvis === "function" && document.getElementById("ldavis-" + model)) {
      new LDAvis("#ldavis-" + model, data.panels[model]);  // eslint-disable-line no-new
    }
  });

  renderTable();
  openFromHash();
  window.topicsReport = { data: data, store: store, openDocument: openDocument, topicName: topicName };
})();
