// A display formula, a table or a profiler timeline wider than the column (a phone) scrolls sideways
// (ramverk.css; the theme wraps each table in .md-typeset__scrollwrap). Such a box is made a tab stop, so it can be scrolled from
// the keyboard too (axe-core: scrollable-region-focusable), and marked, so its scroll bar shows; one that
// fits is left alone. Again when the window changes size.
(function () {
  function mark() {
    var formulas = document.querySelectorAll('math[display="block"], .md-typeset__scrollwrap, .ramverk-trace-scroll');
    for (var i = 0; i < formulas.length; i++) {
      var formula = formulas[i];
      var wide = formula.scrollWidth > formula.clientWidth + 1;
      formula.classList.toggle("ramverk-wide", wide);
      if (wide) formula.setAttribute("tabindex", "0");
      else formula.removeAttribute("tabindex");
    }
  }
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
})();
