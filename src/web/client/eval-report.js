// Client script of report.html: the per-question list and its drill-downs, built from the JSON
// embedded in the page. Rows render in pages and a question's details only when it is opened,
// so reports over hundreds of questions stay quick.
// el() comes from dom-element.js, inlined before this script.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var S = data.strings;
  var PAGE = 200;
  var list = document.getElementById("questions");
  var filterText = document.getElementById("filter-text");
  var filterKind = document.getElementById("filter-kind");
  var more = document.getElementById("more");
  var count = document.getElementById("shown");
  var shown = [];
  var rendered = 0;

  function firstLine(text, max) {
    var t = text.replace(/\s+/g, " ").trim();
    return t.length > max ? t.slice(0, max - 1) + "\u2026" : t;
  }
  function matches(q) {
    var needle = filterText.value.trim().toLowerCase();
    if (
      needle &&
      q.id.toLowerCase().indexOf(needle) < 0 &&
      S[q.q].toLowerCase().indexOf(needle) < 0 &&
      !q.r.some(function (c) {
        return c && c.tr !== undefined && S[c.tr].indexOf(needle) === 0;
      })
    )
      return false;
    var cells = q.r.filter(Boolean);
    switch (filterKind.value) {
      case "wrong":
        return cells.some(function (c) {
          return !c.c;
        });
      case "disagree":
        return (
          cells.some(function (c) {
            return c.c;
          }) &&
          cells.some(function (c) {
            return !c.c;
          })
        );
      case "all-wrong":
        return (
          cells.length > 0 &&
          cells.every(function (c) {
            return !c.c;
          })
        );
      case "errors":
        return cells.some(function (c) {
          return c.e !== undefined;
        });
      default:
        return true;
    }
  }
  function mark(cell) {
    if (!cell) return el("td", { cls: "muted", text: "\u2013" });
    return el("td", {
      cls: cell.c ? "ok" : "bad",
      text: cell.c ? "\u2713" : cell.e !== undefined ? "\u26a0" : "\u2717",
      title: cell.a >= 0 ? S[cell.a] : "no answer",
    });
  }
  function row(qi) {
    var q = data.questions[qi];
    var tr = el("tr", { cls: "clickable question", "data-q": String(qi) }, [
      el("td", { text: q.id }),
      el("td", { text: firstLine(S[q.q], 110) }),
      el("td", { text: firstLine(S[q.gold], 40) }),
    ]);
    q.r.forEach(function (cell) {
      tr.appendChild(mark(cell));
    });
    tr.addEventListener("click", function () {
      toggle(tr, q);
    });
    return tr;
  }
  function toggle(tr, q) {
    var next = tr.nextSibling;
    if (next && next.classList && next.classList.contains("detail")) {
      next.remove();
      return;
    }
    var td = el("td", { colspan: String(3 + data.runs.length) }, [detail(q)]);
    tr.parentNode.insertBefore(el("tr", { cls: "detail" }, [td]), tr.nextSibling);
  }
  function detail(q) {
    var box = el("div", { cls: "question-detail" }, [
      el("h3", { text: "Question " + q.id }),
      el("pre", { text: S[q.q] }),
      el("div", null, [el("b", { text: "Reference answer: " }), el("code", { text: S[q.gold] })]),
    ]);
    q.r.forEach(function (cell, i) {
      var run = data.runs[i];
      var panel = el("div", { cls: "panel run-detail" }, [
        el("h3", {
          text: run.technique + (cell ? (cell.c ? "  \u2713 correct" : "  \u2717 wrong") : "  (not evaluated)"),
        }),
      ]);
      if (cell) fill(panel, cell);
      box.appendChild(panel);
    });
    return box;
  }
  function fill(panel, cell) {
    panel.appendChild(
      el("div", null, [
        el("b", { text: "Final answer: " }),
        el("code", { cls: cell.c ? "ok" : "bad", text: cell.a >= 0 ? S[cell.a] : "(none extracted)" }),
      ]),
    );
    if (cell.e !== undefined) panel.appendChild(el("div", { cls: "bad", text: "Error: " + S[cell.e] }));
    if (cell.tr !== undefined) {
      var id = S[cell.tr];
      var command = "lmx trace " + id + (data.results ? " --results " + JSON.stringify(data.results) : "");
      panel.appendChild(
        el("div", { cls: "trace-link" }, [
          el("b", { text: "Trace: " }),
          el("code", { cls: "trace-id", text: id, title: command }),
          el("span", { cls: "muted", text: "  open with: " }),
          el("code", { text: command }),
        ]),
      );
    }
    (cell.u || []).forEach(function (u) {
      var drawn = u[4] >= 0 ? ", " + u[4] + (u[5] >= 0 ? " of " + u[5] : "") + " samples" : "";
      var conf = u[3] >= 0 ? ", confidence " + u[3].toFixed(2) : "";
      panel.appendChild(
        el("div", { cls: "rung" }, [
          el("b", { text: "Rung " + u[0] + " (" + S[u[1]] + "): " }),
          el("span", { text: S[u[2]] + conf + drawn }),
        ]),
      );
    });
    cell.v.forEach(function (v) {
      var votes = el("div", { cls: "votes" }, [el("b", { text: "Votes (" + S[v.st] + "): " })]);
      v.g.forEach(function (g) {
        var chip = el("span", { cls: "chip" + (g[0] === v.w ? " front" : ""), text: S[g[0]] + " \u00d7" + g[1] });
        votes.appendChild(chip);
      });
      panel.appendChild(votes);
    });
    if (cell.s.length) {
      var ol = el("ol", { cls: "samples", start: "0" });
      cell.s.forEach(function (s) {
        ol.appendChild(
          el("li", { cls: "sample" }, [
            el("span", { cls: "muted", text: S[s[0]] + (s[2] ? " (cached)" : "") + " " }),
            el("pre", { text: S[s[1]] }),
          ]),
        );
      });
      panel.appendChild(el("details", { open: "" }, [el("summary", { text: cell.s.length + " samples" }), ol]));
    }
    cell.k.forEach(function (k) {
      panel.appendChild(
        el("div", { cls: "critique" }, [
          el("b", { text: "Critique (" + S[k[0]] + "):" }),
          el("pre", { text: S[k[1]] }),
        ]),
      );
    });
    panel.appendChild(el("details", null, [el("summary", { text: "Final response" }), el("pre", { text: S[cell.t] })]));
  }
  function renderMore() {
    var end = Math.min(shown.length, rendered + PAGE);
    var frag = document.createDocumentFragment();
    for (var i = rendered; i < end; i++) frag.appendChild(row(shown[i]));
    list.appendChild(frag);
    rendered = end;
    more.hidden = rendered >= shown.length;
    count.textContent =
      "showing " + rendered + " of " + shown.length + " questions (" + data.questions.length + " in all)";
  }
  function refresh() {
    shown = [];
    data.questions.forEach(function (q, i) {
      if (matches(q)) shown.push(i);
    });
    list.textContent = "";
    rendered = 0;
    renderMore();
  }
  filterText.addEventListener("input", refresh);
  filterKind.addEventListener("change", refresh);
  more.addEventListener("click", renderMore);
  refresh();
})();
