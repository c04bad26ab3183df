// Click a column header of a table inside .ramverk-sortable to sort by it (again to reverse).
// Cells may carry data-sort (seconds) so durations in mixed units sort by value. Our own code: no CDN.
(function () {
  function key(cell) {
    const tagged = cell.querySelector("[data-sort]");
    const raw = tagged ? tagged.getAttribute("data-sort") : cell.textContent.trim();
    const number = Number(raw);
    return Number.isNaN(number) ? raw.toLowerCase() : number;
  }
  function enable(table) {
    table.querySelectorAll("thead th").forEach(function (th, column) {
      th.style.cursor = "pointer";
      th.title = document.documentElement.lang === "sv" ? "Sortera" : "Sort";
      th.addEventListener("click", function () {
        const body = table.tBodies[0];
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        Array.from(body.rows)
          .sort(function (a, b) {
            const x = key(a.cells[column]), y = key(b.cells[column]);
            return (x > y ? 1 : x < y ? -1 : 0) * (ascending ? 1 : -1);
          })
          .forEach(function (row) { body.appendChild(row); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".ramverk-sortable table").forEach(enable);
  });
})();
