// Switching language keeps the reader's place: the language links in the header carry the current
// #anchor to the same page in the other language. A heading with an explicit id ({#id}) has the same
// anchor in both languages; for one whose id differs (it is made from the heading's words), the other
// page opens at the heading in the same position (the two pages have the same headings, in order).
// Our own code: no CDN.
(function () {
  var KEY = "ramverk-language-switch";
  var LINKS = ".md-header a.md-select__link[hreflang]";

  function headings() {
    return Array.prototype.slice.call(document.querySelectorAll(
      "article h1[id], article h2[id], article h3[id], article h4[id], article h5[id], article h6[id]"));
  }

  function target(hash) {
    if (!hash || hash.length < 2) return null;
    try {
      return document.getElementById(decodeURIComponent(hash.slice(1)));
    } catch (error) {
      return null; // a malformed %-escape
    }
  }

  function carryHash() {
    document.querySelectorAll(LINKS).forEach(function (link) {
      var url = new URL(link.getAttribute("href"), location.href);
      url.hash = location.hash;
      link.setAttribute("href", url.href);
    });
  }

  // A plain click goes to the link itself: the language plugin made it the same page in the other
  // language, and the theme's own handler (which looks the page up in the sitemap) is kept out so
  // that the anchor travels. Before leaving, remember which heading the anchor was (by position),
  // for a page where that heading's anchor has another name.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(LINKS) : null;
    if (!link) return;
    carryHash();
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (location.hash) {
      try {
        sessionStorage.setItem(KEY, JSON.stringify({
          to: new URL(link.href).pathname, hash: location.hash, index: headings().indexOf(target(location.hash)),
        }));
      } catch (error) { /* no sessionStorage: the anchor still travels in the link */ }
    }
    event.preventDefault();
    event.stopPropagation();
    location.assign(link.href);
  }, true);

  function arrive() {
    var saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(KEY) || "null");
      sessionStorage.removeItem(KEY);
    } catch (error) {
      return;
    }
    if (!saved || saved.to !== location.pathname || saved.hash !== location.hash) return;
    if (target(location.hash) || saved.index < 0) return; // the same anchor exists here: the browser went there
    var heading = headings()[saved.index];
    if (!heading) return;
    history.replaceState(null, "", "#" + encodeURIComponent(heading.id));
    heading.scrollIntoView();
    carryHash();
  }

  window.addEventListener("hashchange", carryHash);
  carryHash();
  arrive();
})();
