// Tables inside .ramverk-sortable sort by any column: each header becomes a button (so the keyboard
// reaches it: Tab, then Enter or Space), its th carries aria-sort, and CSS shows ↕ / ▲ / ▼.
// Cells may carry data-sort (seconds) so durations in mixed units sort by value; empty cells ("–")
// stay last in either order. Our own code: no CDN.
(function () {
  function key(cell) {
    if (!cell) return null;
    const tagged = cell.querySelector("[data-sort]");
    if (tagged) {
      const number = Number(tagged.getAttribute("data-sort"));
      if (!Number.isNaN(number)) return number;
    }
    const text = cell.textContent.trim();
    if (text === "" || text === "–" || text === "-") return null;
    const number = Number(text);
    return Number.isNaN(number) ? text.toLowerCase() : number;
  }
  function compare(x, y) {
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x !== typeof y) return typeof x === "number" ? -1 : 1;
    return x.localeCompare(y, document.documentElement.lang || undefined);
  }
  function sort(table, th, column) {
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    Array.from(body.rows)
      .map(function (row) { return { row: row, key: key(row.cells[column]) }; })
      .sort(function (a, b) {
        if (a.key === null || b.key === null) return a.key === b.key ? 0 : a.key === null ? 1 : -1;
        return compare(a.key, b.key) * (ascending ? 1 : -1);
      })
      .forEach(function (item) { body.appendChild(item.row); });
  }
  function enable(table) {
    const swedish = document.documentElement.lang === "sv";
    table.querySelectorAll("thead th").forEach(function (th, column) {
      if (th.querySelector(".ramverk-sort")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "ramverk-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      const name = button.textContent.trim();
      button.setAttribute("aria-label", (swedish ? "Sortera efter " : "Sort by ") + name);
      button.addEventListener("click", function () { sort(table, th, column); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".ramverk-sortable table").forEach(enable);
  });
})();
