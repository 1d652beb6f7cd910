/* topics report: the DOM helper shared by report.js and the map scripts (loaded first,
 * in the same script element as docs.js; see topics/report/render.py for the order).
 *
 * el() is the only way either builds elements: text goes in through textContent, so
 * untrusted document text never becomes markup. Sets window.topicsDom = {el}.
 */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  window.topicsDom = { el: el };
})();
