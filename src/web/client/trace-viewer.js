// Client script of the /ui trace viewer: lists recent requests from GET /v1/traces and shows one
// trace tree from GET /v1/traces/:id — every LM call with its prompt, outputs, tokens, cost and
// latency, votes and other events, tool calls. Plain DOM, no libraries.
// el() comes from dom-element.js, inlined before this script.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("viewer-config").textContent);
  var api = config.apiBase.replace(/\/+$/, "");
  var listBody = document.getElementById("trace-list");
  var pane = document.getElementById("trace-pane");
  var status = document.getElementById("status");
  var keyBox = document.getElementById("key-box");
  var keyInput = document.getElementById("key");
  var current = null;
  var MAX = 4000;

  function clip(text) {
    text = String(text);
    return text.length > MAX ? text.slice(0, MAX - 1) + "\u2026" : text;
  }
  function money(x) {
    return "$" + (x || 0).toFixed(6);
  }
  function figures(u, ms) {
    return (
      u.calls +
      " calls \u00b7 " +
      u.prompt_tokens +
      "+" +
      u.completion_tokens +
      " tok \u00b7 " +
      money(u.cost_usd) +
      (ms != null ? " \u00b7 " + Math.round(ms) + " ms" : "")
    );
  }
  function headers() {
    var key = localStorage.getItem("lmx-key");
    return key ? { authorization: "Bearer " + key } : {};
  }
  function getJson(path) {
    return fetch(api + path, { headers: headers() }).then(function (r) {
      if (r.status === 401 || r.status === 403) {
        keyBox.hidden = false;
        throw new Error("this server needs an API key");
      }
      return r.json().then(function (body) {
        if (!r.ok) throw new Error((body && body.error && body.error.message) || "HTTP " + r.status);
        return body;
      });
    });
  }
  function loadList() {
    return getJson("/v1/traces?limit=100")
      .then(function (body) {
        status.textContent = body.data.length + " recent requests";
        listBody.textContent = "";
        body.data.forEach(function (t) {
          var tr = el("tr", { cls: "clickable trace-row" + (t.id === current ? " selected" : ""), "data-id": t.id }, [
            el("td", { text: new Date(t.start).toLocaleTimeString() }),
            el("td", { cls: "model", text: t.lm || t.model, title: t.model }),
            el("td", { cls: t.status === "ok" ? "ok" : "bad", text: t.status + (t.stream ? " \u00b7 stream" : "") }),
            el("td", { cls: "num", text: String(t.usage.calls) }),
            el("td", { cls: "num", text: String(t.usage.prompt_tokens + t.usage.completion_tokens) }),
            el("td", { cls: "num", text: money(t.usage.cost_usd) }),
            el("td", { cls: "num", text: Math.round(t.duration_ms) + " ms" }),
          ]);
          tr.addEventListener("click", function () {
            location.hash = t.id;
          });
          listBody.appendChild(tr);
        });
      })
      .catch(function (e) {
        status.textContent = e.message;
      });
  }
  function open(id) {
    current = id;
    pane.textContent = "loading\u2026";
    getJson("/v1/traces/" + encodeURIComponent(id))
      .then(function (t) {
        pane.textContent = "";
        pane.appendChild(el("h2", { text: t.lm || t.model }));
        pane.appendChild(
          el("div", {
            cls: "muted",
            text:
              "trace " +
              t.id +
              " \u00b7 " +
              figures(t.usage, t.duration_ms) +
              (t.error ? " \u00b7 error: " + t.error : ""),
          }),
        );
        pane.appendChild(span(t.root, 0));
      })
      .catch(function (e) {
        pane.textContent = e.message;
      });
  }
  function span(s, depth) {
    var icon = s.kind === "lm" ? "\u25e6" : s.kind === "tool" ? "\u2692" : "\u25b8";
    var mark = s.status === "error" ? " ERROR: " + (s.error || "") : s.attributes.cache_hit ? " (cached)" : "";
    var summary = el("summary", null, [
      el("b", { text: icon + " " + s.name }),
      " ",
      el("span", { cls: "muted", text: "[" + s.kind + "] " + figures(s.total, s.duration_ms) }),
      mark ? el("span", { cls: "bad", text: mark }) : null,
    ]);
    var box = el("details", { cls: "span span-" + s.kind }, [summary]);
    if (depth < 6) box.setAttribute("open", "");
    var body = el("div", { cls: "span-body" });
    if (s.kind === "lm") lmBody(body, s);
    else otherBody(body, s);
    s.events.forEach(function (e) {
      body.appendChild(event(e));
    });
    s.children.forEach(function (c) {
      body.appendChild(span(c, depth + 1));
    });
    box.appendChild(body);
    return box;
  }
  function lmBody(body, s) {
    var a = s.attributes;
    var req = a.request || {};
    var facts = [
      a.provider + ":" + a.model,
      "sample " + a.sample_index + (a.n > 1 ? " (n=" + a.n + ")" : ""),
      s.usage.prompt_tokens + " prompt + " + s.usage.completion_tokens + " completion tokens",
      money(s.usage.cost_usd),
      a.latency_ms != null ? a.latency_ms + " ms" : "",
    ];
    if (req.temperature != null) facts.push("temperature " + req.temperature);
    if (a.finish_reasons) facts.push("finish " + a.finish_reasons.join(", "));
    body.appendChild(el("div", { cls: "muted facts", text: facts.filter(Boolean).join(" \u00b7 ") }));
    if (req.messages) {
      var prompt = el("details", { cls: "prompt" }, [
        el("summary", { text: "prompt (" + req.messages.length + " messages)" }),
      ]);
      req.messages.forEach(function (m) {
        prompt.appendChild(
          el("div", { cls: "message" }, [
            el("b", { text: m.role }),
            el("pre", { text: clip(typeof m.content === "string" ? m.content : JSON.stringify(m.content)) }),
          ]),
        );
        if (m.tool_calls) prompt.appendChild(toolCalls(m.tool_calls));
      });
      body.appendChild(prompt);
    }
    if (req.tools)
      body.appendChild(
        el("div", {
          cls: "muted",
          text:
            "tools offered: " +
            req.tools
              .map(function (t) {
                return t.function && t.function.name;
              })
              .join(", "),
        }),
      );
    (a.output || []).forEach(function (text, i) {
      body.appendChild(
        el("div", { cls: "output" }, [
          el("b", { text: "output" + (a.output.length > 1 ? " " + i : "") }),
          el("pre", { text: clip(text) }),
        ]),
      );
    });
    if (a.tool_calls) body.appendChild(toolCalls(a.tool_calls));
  }
  function toolCalls(calls) {
    var box = el("div", { cls: "tool-calls" }, [el("b", { text: "tool calls" })]);
    calls.forEach(function (c) {
      box.appendChild(
        el("pre", { text: c.function ? c.function.name + "(" + c.function.arguments + ")" : JSON.stringify(c) }),
      );
    });
    return box;
  }
  function otherBody(body, s) {
    var a = Object.assign({}, s.attributes);
    var output = a.output;
    delete a.output;
    if (Object.keys(a).length)
      body.appendChild(el("pre", { cls: "attributes", text: clip(JSON.stringify(a, null, 1)) }));
    if (output != null)
      body.appendChild(
        el("div", { cls: "output" }, [
          el("b", { text: "output" }),
          el("pre", { text: clip(Array.isArray(output) ? output.join("\n---\n") : output) }),
        ]),
      );
  }
  function event(e) {
    var box = el("div", { cls: "event event-" + e.name }, [el("b", { text: "\u00b7 " + e.name + " " })]);
    var d = e.data || {};
    if (e.name === "vote" && Array.isArray(d.groups)) {
      d.groups.forEach(function (g) {
        box.appendChild(
          el("span", {
            cls: "chip vote" + (g.answer === d.winner ? " front" : ""),
            text: g.answer + " \u00d7" + g.count,
          }),
        );
      });
      if (d.abstained) box.appendChild(el("span", { cls: "muted", text: " (" + d.abstained + " abstained)" }));
    } else box.appendChild(el("code", { text: clip(JSON.stringify(d)) }));
    return box;
  }
  document.getElementById("refresh").addEventListener("click", loadList);
  document.getElementById("save-key").addEventListener("click", function () {
    localStorage.setItem("lmx-key", keyInput.value.trim());
    keyBox.hidden = true;
    loadList();
    if (current) open(current);
  });
  window.addEventListener("hashchange", function () {
    if (location.hash.length > 1) {
      open(decodeURIComponent(location.hash.slice(1)));
      loadList();
    }
  });
  loadList().then(function () {
    if (location.hash.length > 1) open(decodeURIComponent(location.hash.slice(1)));
  });
  setInterval(function () {
    if (document.getElementById("auto").checked) loadList();
  }, 5000);
})();
