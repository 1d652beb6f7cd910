/* topics report: drill-down from topics to documents, the document viewer and the
 * documents table. Document text is untrusted: it only ever reaches the page through
 * textContent, never innerHTML. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("topics-data").textContent);
  var docs = data.documents;
  var modelNames = Object.keys(data.models);
  var PAGE = 100;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function topicName(model, id) {
    if (id < 0) { return "outlier"; }
    var topic = data.models[model].topics[id];
    return topic ? id + ": " + (topic.name || topic.words.slice(0, 4).join(", ").replace(/_/g, " ")) : String(id);
  }

  function docLink(doc) {
    var a = el("a", { href: "#doc-" + doc.id, "data-action": "open-doc", "data-doc": String(doc.id) }, doc.title);
    return a;
  }

  // ---------------------------------------------------------------- document viewer
  var viewer = document.getElementById("doc-viewer");

  function openDocument(id) {
    var doc = docs[id];
    if (!doc) { return; }
    document.getElementById("doc-viewer-title").textContent = doc.title;
    var meta = document.getElementById("doc-viewer-meta");
    meta.replaceChildren();
    var rows = [["path", doc.path], ["label", doc.label || "–"], ["date", doc.date || "–"]];
    modelNames.forEach(function (m) {
      rows.push([data.models[m].title, topicName(m, doc[m + "_topic"]) +
        (doc[m + "_topic"] >= 0 ? " (weight " + doc[m + "_weight"].toFixed(2) + ")" : "")]);
    });
    Object.keys(doc.meta || {}).forEach(function (k) { rows.push([k, doc.meta[k]]); });
    rows.forEach(function (r) { meta.appendChild(el("dt", null, r[0])); meta.appendChild(el("dd", null, r[1])); });
    var text = doc.text || doc.snippet;
    if (doc.truncated) {
      text += "\n\n[… shown " + (doc.text ? doc.text.length : 0).toLocaleString() + " of " +
        doc.n_chars.toLocaleString() + " characters; the full text is in " + doc.path + "]";
    }
    document.getElementById("doc-viewer-text").textContent = text;
    if (typeof viewer.showModal === "function") {
      if (!viewer.open) { viewer.showModal(); }
    } else {
      viewer.setAttribute("open", "");
    }
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
    box.replaceChildren();
    var head = el("div", { "class": "drill-head" });
    head.appendChild(el("strong", null, title + " — " + items.length.toLocaleString() + " documents "));
    var close = el("button", { type: "button", "data-action": "close-drill", "data-box": boxId }, "close");
    head.appendChild(close);
    box.appendChild(head);
    var list = el("ol");
    items.slice(0, 500).forEach(function (doc) {
      var li = el("li");
      li.appendChild(docLink(doc));
      var extra = [doc.path];
      if (doc.label) { extra.push(doc.label); }
      if (doc[model + "_weight"] != null) { extra.push("weight " + doc[model + "_weight"].toFixed(2)); }
      li.appendChild(el("span", { "class": "muted" }, " " + extra.join(" · ")));
      li.appendChild(el("div", { "class": "snippet" }, doc.snippet));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (items.length > 500) {
      box.appendChild(el("p", { "class": "muted" }, "Showing the 500 with the highest weight; use the Documents table below for the rest."));
    }
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function topicDocs(model, topic, label) {
    return docs.filter(function (d) {
      return d[model + "_topic"] === topic && (label === undefined || d.label === label);
    }).sort(function (a, b) { return b[model + "_weight"] - a[model + "_weight"]; });
  }

  // ---------------------------------------------------------------- documents table
  var shown = PAGE;
  var search = document.getElementById("doc-search");
  var labelSelect = document.getElementById("doc-label");
  var topicSelects = Array.prototype.slice.call(document.querySelectorAll("select.doc-topic"));

  function filtered() {
    var q = search.value.trim().toLowerCase();
    var label = labelSelect.value;
    var topics = topicSelects.map(function (s) { return [s.getAttribute("data-model"), s.value]; });
    return docs.filter(function (d) {
      if (label && d.label !== label) { return false; }
      for (var i = 0; i < topics.length; i++) {
        if (topics[i][1] !== "" && d[topics[i][0] + "_topic"] !== Number(topics[i][1])) { return false; }
      }
      if (q && d.title.toLowerCase().indexOf(q) < 0 && (d.text || d.snippet).toLowerCase().indexOf(q) < 0) {
        return false;
      }
      return true;
    });
  }

  function renderTable() {
    var rows = filtered();
    var body = document.getElementById("doc-rows");
    body.replaceChildren();
    rows.slice(0, shown).forEach(function (d) {
      var tr = el("tr");
      tr.appendChild(el("td", null, d.id));
      var title = el("td", { "class": "title" });
      title.appendChild(docLink(d));
      title.appendChild(el("div", { "class": "snippet" }, d.path));
      tr.appendChild(title);
      tr.appendChild(el("td", null, d.label || ""));
      tr.appendChild(el("td", null, d.date || ""));
      modelNames.forEach(function (m) { tr.appendChild(el("td", null, topicName(m, d[m + "_topic"]))); });
      body.appendChild(tr);
    });
    document.getElementById("doc-count").textContent =
      rows.length.toLocaleString() + " of " + docs.length.toLocaleString() + " documents";
    document.getElementById("doc-more").hidden = rows.length <= shown;
  }

  function resetAndRender() { shown = PAGE; renderTable(); }
  search.addEventListener("input", resetAndRender);
  labelSelect.addEventListener("change", resetAndRender);
  topicSelects.forEach(function (s) { s.addEventListener("change", resetAndRender); });
  document.getElementById("doc-more").addEventListener("click", function () { shown += PAGE; renderTable(); });

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
      var pair = docs.filter(function (d) { return d.lda_topic === a && d.clusters_topic === b; })
        .sort(function (x, y) { return y.lda_weight - x.lda_weight; });
      showList("compare", "lda", "LDA topic " + topicName("lda", a) + " and cluster topic " +
        topicName("clusters", b), pair);
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
  window.topicsReport = { data: data, openDocument: openDocument, topicName: topicName };
})();
