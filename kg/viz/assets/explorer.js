/* kg explorer: draws the graph data embedded in the page with vis-network.
 *
 * Text from articles is only ever put into the page with textContent / createTextNode, or given to vis-network as
 * a canvas label or a string tooltip (which it sets with innerText): never parsed as HTML.
 * window.kgExplorer exposes a small API (search, focus, expand, shown) used by the tests.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var nodes = data.nodes, edges = data.edges, sents = data.sents, docs = data.docs;
  var FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var CAPS = [50, 100, 200, 500, 1000, 2000];

  // ---- indexes -------------------------------------------------------------------------------------------------
  var incident = nodes.map(function () { return []; });
  edges.forEach(function (e, i) {
    incident[e[0]].push(i);
    if (e[1] !== e[0]) incident[e[1]].push(i);
  });
  var observations = nodes.map(function () { return []; });
  data.obs.forEach(function (o) { observations[o[0]].push(o); });
  var classCount = {}, propCount = {};
  nodes.forEach(function (n) { classCount[n.c] = (classCount[n.c] || 0) + 1; });
  edges.forEach(function (e) { propCount[e[2]] = (propCount[e[2]] || 0) + 1; });

  function norm(text) { return String(text).normalize("NFKC").toLowerCase().replace(/\s+/g, ""); }
  var searchKeys = nodes.map(function (n) { return [n.l].concat(n.a).map(norm); });
  var sentenceKeys = sents.map(function (s) { return norm(s[0]); });
  var mentionedIn = sents.map(function () { return []; });   // sentence -> the entities it mentions, most connected first
  nodes.forEach(function (n, i) { n.m.forEach(function (s) { mentionedIn[s].push(i); }); });
  mentionedIn.forEach(function (ids) { ids.sort(function (a, b) { return nodes[b].d - nodes[a].d || a - b; }); });

  // ---- DOM helpers ---------------------------------------------------------------------------------------------
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "className") node.className = attrs[k];
      else if (k === "style") node.setAttribute("style", attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === "") continue;
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function $(id) { return document.getElementById(id); }

  // the text with every occurrence of one of the names wrapped in <mark>, built from text nodes
  function marked(text, names) {
    var frag = document.createDocumentFragment();
    var wanted = names.filter(function (n) { return n && n.length > 0; })
                      .sort(function (a, b) { return b.length - a.length; });
    var i = 0, plainFrom = 0;
    while (i < text.length) {
      var hit = null;
      for (var k = 0; k < wanted.length; k++) {
        if (text.startsWith(wanted[k], i)) { hit = wanted[k]; break; }
      }
      if (hit) {
        if (plainFrom < i) frag.appendChild(document.createTextNode(text.slice(plainFrom, i)));
        frag.appendChild(el("mark", {}, hit));
        i += hit.length;
        plainFrom = i;
      } else {
        i += 1;
      }
    }
    if (plainFrom < text.length) frag.appendChild(document.createTextNode(text.slice(plainFrom)));
    return frag;
  }

  function docLine(docIndex) {
    var d = docs[docIndex] || ["", "", ""];
    var title = d[0] ? "《" + d[0] + "》" : (d[2] || "");
    return d[1] ? title + " " + d[1] : title;
  }
  function clsName(c) { var info = data.classes[c]; return info ? info.zh + " " + c : c; }
  function propName(p) { var info = data.props[p]; return info && info.zh !== p ? info.zh + " " + p : p; }
  function short(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  // ---- vis items -----------------------------------------------------------------------------------------------
  function nodeSize(i) { return 9 + Math.min(26, 4.5 * Math.sqrt(nodes[i].d)); }
  function visNode(i, position) {
    var n = nodes[i], info = data.classes[n.c] || {colour: "#999999", shape: "dot"};
    var tip = n.l + "\n" + clsName(n.c) + (n.a.length ? "\n别名 aliases: " + n.a.join("、") : "") +
              "\n" + n.d + " 条关系 relations";
    var item = {
      id: i, label: short(n.l, 18), title: tip, shape: info.shape, size: nodeSize(i),
      color: {background: info.colour, border: "#ffffff", highlight: {background: info.colour, border: "#1f2933"},
              hover: {background: info.colour, border: "#1f2933"}},
      borderWidth: 1.5, borderWidthSelected: 3,
      font: {face: FONT, size: 13 + Math.min(6, n.d / 3), color: "#1f2933", strokeWidth: 3, strokeColor: "#ffffff"}
    };
    if (position) { item.x = position.x; item.y = position.y; }
    return item;
  }
  function evidenceTip(e) {
    var s = nodes[e[0]].l, o = nodes[e[1]].l;
    var lines = [s + "  —" + propName(e[2]) + "→  " + o];
    e[3].slice(0, 3).forEach(function (ev) {
      var sent = sents[ev[0]];
      lines.push("");
      lines.push("“" + short(sent[0], 160) + "”");
      lines.push("— " + docLine(sent[1]) + (ev[1] ? "  [" + ev[1] + "]" : "") + (ev[3] ? "  " + ev[3] : ""));
    });
    if (e[3].length > 3) lines.push("", "… " + (e[3].length - 3) + " 条更多证据 more");
    if (!e[3].length) lines.push("", "（无证据句 no evidence sentence）");
    return lines.join("\n");
  }
  function visEdge(i, twin) {
    var e = edges[i];
    var item = {
      id: i, from: e[0], to: e[1], label: (data.props[e[2]] || {zh: e[2]}).zh, title: evidenceTip(e),
      arrows: {to: {enabled: true, scaleFactor: 0.55}}, width: 1 + Math.min(3, e[3].length / 2),
      color: {color: "#9aa5b1", highlight: "#2f6fb0", hover: "#2f6fb0", opacity: 0.9},
      font: {face: FONT, size: 11, color: "#52606d", strokeWidth: 3, strokeColor: "#ffffff", align: "middle"}
    };
    if (twin) item.smooth = {enabled: true, type: twin % 2 ? "curvedCW" : "curvedCCW", roundness: 0.15 * twin};
    return item;
  }

  // ---- what is drawn -------------------------------------------------------------------------------------------
  var hiddenClasses = new Set(), hiddenProps = new Set();
  var nodeSet = new vis.DataSet(), edgeSet = new vis.DataSet();
  var nodeView = new vis.DataView(nodeSet, {filter: function (n) { return !hiddenClasses.has(nodes[n.id].c); }});
  var edgeView = new vis.DataView(edgeSet, {filter: function (e) { return !hiddenProps.has(edges[e.id][2]); }});
  var state = {cap: data.cap, isolated: false, ready: false};

  function pairKey(e) { return Math.min(e[0], e[1]) + "-" + Math.max(e[0], e[1]); }
  function addNodes(ids, around) {
    var fresh = ids.filter(function (i) { return !nodeSet.get(i); });
    var origin = around !== undefined && network ? network.getPositions([around])[around] : null;
    nodeSet.add(fresh.map(function (i, k) {
      if (!origin) return visNode(i);
      var angle = 2 * Math.PI * k / Math.max(1, fresh.length), r = 120 + 4 * fresh.length;
      return visNode(i, {x: origin.x + r * Math.cos(angle), y: origin.y + r * Math.sin(angle)});
    }));
    var newEdges = [], pairs = {};
    fresh.forEach(function (i) {
      incident[i].forEach(function (j) {
        var e = edges[j];
        if (edgeSet.get(j) || pairs["e" + j] || !nodeSet.get(e[0]) || !nodeSet.get(e[1])) return;
        pairs["e" + j] = true;
        newEdges.push(j);
      });
    });
    var twins = {};
    edgeSet.forEach(function (item) { var k = pairKey(edges[item.id]); twins[k] = (twins[k] || 0) + 1; });
    edgeSet.add(newEdges.map(function (j) {
      var k = pairKey(edges[j]), n = twins[k] || 0;
      twins[k] = n + 1;
      return visEdge(j, n);
    }));
    return fresh.length;
  }
  function defaultIds() {
    var ids = [];
    for (var i = 0; i < nodes.length && ids.length < state.cap; i++) {
      if (state.isolated || nodes[i].d > 0) ids.push(i);
    }
    return ids;
  }
  function neighbours(i) {
    var seen = new Set();
    incident[i].forEach(function (j) { var e = edges[j]; seen.add(e[0] === i ? e[1] : e[0]); });
    seen.delete(i);
    return Array.from(seen).sort(function (a, b) { return a - b; });   // ids are ranked by degree
  }

  // ---- the network ---------------------------------------------------------------------------------------------
  var network = null;
  var options = {
    autoResize: true,
    layout: {improvedLayout: false, randomSeed: 7},
    physics: {
      enabled: true, solver: "forceAtlas2Based",
      forceAtlas2Based: {gravitationalConstant: -80, centralGravity: 0.01, springLength: 120, springConstant: 0.05,
                         damping: 0.5, avoidOverlap: 0.6},
      stabilization: {enabled: true, iterations: 250, updateInterval: 50, fit: true},
      minVelocity: 1.5, maxVelocity: 60, timestep: 0.5
    },
    interaction: {hover: true, tooltipDelay: 120, hideEdgesOnDrag: true, hideEdgesOnZoom: false, multiselect: false,
                  navigationButtons: false, keyboard: false},
    edges: {smooth: {enabled: true, type: "continuous", roundness: 0.3}, selectionWidth: 1.5, hoverWidth: 1},
    nodes: {shadow: false}
  };

  function settle(iterations) {
    network.setOptions({physics: {enabled: true}});
    network.stabilize(iterations);
  }
  function updateStatus() {
    var shownNodes = nodeView.length, shownEdges = edgeView.length;
    $("status").textContent = "显示 " + shownNodes + " / " + nodes.length + " 个实体 entities · " +
                              shownEdges + " / " + edges.length + " 条关系 relations";
  }

  function start() {
    addNodes(defaultIds());
    network = new vis.Network($("graph"), {nodes: nodeView, edges: edgeView}, options);
    network.on("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      if (!state.ready) {
        state.ready = true;
        document.body.setAttribute("data-ready", "1");
      }
    });
    network.on("click", function (params) {
      if (params.nodes.length) openPanel(params.nodes[0]);
    });
    network.on("doubleClick", function (params) {
      if (params.nodes.length) expand(params.nodes[0]);
    });
    if (!nodeSet.length) {
      state.ready = true;
      document.body.setAttribute("data-ready", "1");
    }
    updateStatus();
  }

  function rebuild() {
    closePanel();
    edgeSet.clear();
    nodeSet.clear();
    addNodes(defaultIds());
    settle(250);
    network.fit();
    updateStatus();
  }

  function expand(i) {
    var added = addNodes(neighbours(i).slice(0, 150), i);
    if (added) settle(120);
    updateStatus();
    return added;
  }

  function focus(i) {
    if (!nodeSet.get(i)) {
      addNodes([i]);
      addNodes(neighbours(i).slice(0, 30), i);
      settle(120);
    }
    if (hiddenClasses.has(nodes[i].c)) {
      hiddenClasses.delete(nodes[i].c);
      var box = document.querySelector('#legend-classes input[data-key="' + CSS.escape(nodes[i].c) + '"]');
      if (box) box.checked = true;
      nodeView.refresh();
    }
    openPanel(i);
    network.setSize("100%", "100%");   // the panel took room: measure the canvas before centring on the node
    network.selectNodes([i]);
    network.focus(i, {scale: 1.2, animation: {duration: 350, easingFunction: "easeInOutQuad"}});
    updateStatus();
  }

  // ---- legend and filters --------------------------------------------------------------------------------------
  var SYMBOLS = {dot: "●", square: "■", diamond: "◆", triangle: "▲", triangleDown: "▼", star: "★", hexagon: "⬢"};
  function buildLegend() {
    var list = $("legend-classes");
    Object.keys(data.classes).forEach(function (c) {
      var info = data.classes[c];
      var box = el("input", {type: "checkbox", "data-key": c});
      box.checked = true;
      box.addEventListener("change", function () {
        if (box.checked) hiddenClasses.delete(c); else hiddenClasses.add(c);
        nodeView.refresh();
        updateStatus();
      });
      list.appendChild(el("li", {}, el("label", {}, box,
        el("span", {className: "mark", style: "color:" + info.colour}, SYMBOLS[info.shape] || "●"),
        el("span", {}, info.zh), el("span", {className: "en"}, info.zh !== c ? c : ""),
        el("span", {className: "count"}, String(classCount[c] || 0)))));
    });
    var props = $("legend-props");
    Object.keys(data.props).forEach(function (p) {
      var box = el("input", {type: "checkbox", "data-key": p});
      box.checked = true;
      box.addEventListener("change", function () {
        if (box.checked) hiddenProps.delete(p); else hiddenProps.add(p);
        edgeView.refresh();
        updateStatus();
      });
      props.appendChild(el("li", {}, el("label", {}, box, el("span", {}, data.props[p].zh),
        el("span", {className: "en"}, data.props[p].zh !== p ? p : ""),
        el("span", {className: "count"}, String(propCount[p] || 0)))));
    });
    if (!Object.keys(data.props).length) props.appendChild(el("li", {className: "hint"}, "（无 none）"));

    var select = $("cap");
    var caps = CAPS.filter(function (c) { return c < nodes.length; });
    if (caps.indexOf(state.cap) < 0 && state.cap < nodes.length) caps.push(state.cap);
    caps.sort(function (a, b) { return a - b; });
    caps.forEach(function (c) { select.appendChild(el("option", {value: String(c)}, String(c))); });
    if (nodes.length <= 3000) {   // beyond that, drawing everything at once is more than anyone can read
      select.appendChild(el("option", {value: String(Math.max(nodes.length, 1))}, "全部 all " + nodes.length));
    }
    select.value = String(Math.min(state.cap, Math.max(nodes.length, 1)));
    if (!select.value) select.value = String(Math.max(nodes.length, 1));
    select.addEventListener("change", function () { state.cap = Number(select.value); rebuild(); });
    $("isolated").addEventListener("change", function () { state.isolated = $("isolated").checked; rebuild(); });
    $("more").addEventListener("click", function () {
      var before = nodeSet.length, ids = [];
      for (var i = 0; i < nodes.length && ids.length < 100; i++) {
        if (!nodeSet.get(i) && (state.isolated || nodes[i].d > 0)) ids.push(i);
      }
      if (addNodes(ids)) settle(150);
      updateStatus();
      return nodeSet.length - before;
    });
    $("relayout").addEventListener("click", function () { settle(250); });
    $("fit").addEventListener("click", function () { network.fit({animation: {duration: 300}}); });
  }

  // ---- search --------------------------------------------------------------------------------------------------
  function search(query, limit) {
    var q = norm(query);
    if (!q) return [];
    var hits = [];
    for (var i = 0; i < nodes.length; i++) {
      var keys = searchKeys[i], best = 9, which = 0;
      for (var k = 0; k < keys.length; k++) {
        var pos = keys[k].indexOf(q);
        if (pos < 0) continue;
        var score = keys[k] === q ? 0 : pos === 0 ? 1 : 2;
        if (score < best) { best = score; which = k; }
      }
      if (best < 9) hits.push({id: i, score: best, key: which});
    }
    hits.sort(function (a, b) {
      return a.score - b.score || nodes[b.id].d - nodes[a.id].d || nodes[a.id].l.length - nodes[b.id].l.length ||
             a.id - b.id;
    });
    return hits.slice(0, limit || 12);
  }

  // evidence sentences that contain the words typed (two characters or more), after the entities
  function searchSentences(query, limit) {
    var q = norm(query), hits = [];
    if (q.length < 2) return hits;
    for (var s = 0; s < sents.length && hits.length < (limit || 5); s++) {
      if (sentenceKeys[s].indexOf(q) >= 0 && mentionedIn[s].length) hits.push({sentence: s});
    }
    return hits;
  }
  function snippet(text, query) {   // about 36 characters of the sentence around the first match
    var at = Math.max(text.indexOf(query.trim()), 0), from = Math.max(at - 12, 0);
    return (from > 0 ? "…" : "") + text.slice(from, from + 36) + (from + 36 < text.length ? "…" : "");
  }

  var results = $("results"), input = $("search"), current = [], cursor = 0;
  function sentenceItem(hit, k) {
    var names = mentionedIn[hit.sentence].slice(0, 3).map(function (i) { return nodes[i].l; });
    return el("li", {role: "option", className: "sentence", "aria-selected": k === cursor ? "true" : "false",
                     "data-sentence": String(hit.sentence)},
      el("span", {className: "mark"}, "句"),
      el("span", {className: "name"}, snippet(sents[hit.sentence][0], input.value)),
      el("span", {className: "cls"}, names.join("、")));
  }
  function showResults() {
    current = search(input.value).concat(searchSentences(input.value));
    cursor = 0;
    results.textContent = "";
    if (!input.value.trim()) { results.hidden = true; return; }
    if (!current.length) {
      results.appendChild(el("li", {className: "none"}, "没有找到 no match"));
    }
    current.forEach(function (hit, k) {
      if (hit.sentence !== undefined) {
        var line = sentenceItem(hit, k);
        line.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(k); });
        results.appendChild(line);
        return;
      }
      var n = nodes[hit.id];
      var item = el("li", {role: "option", "aria-selected": k === cursor ? "true" : "false", "data-id": String(hit.id)},
        el("span", {className: "mark", style: "color:" + (data.classes[n.c] || {}).colour},
           SYMBOLS[(data.classes[n.c] || {}).shape] || "●"),
        el("span", {className: "name"}, n.l),
        el("span", {className: "alias"}, hit.key > 0 ? "别名 " + n.a[hit.key - 1] : ""),
        el("span", {className: "cls"}, (data.classes[n.c] || {zh: n.c}).zh));
      item.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(k); });
      results.appendChild(item);
    });
    results.hidden = false;
  }
  function choose(k) {
    if (!current[k]) return;
    results.hidden = true;
    var id = current[k].sentence === undefined ? current[k].id : mentionedIn[current[k].sentence][0];
    input.value = nodes[id].l;
    focus(id);   // a sentence opens the entity it names that is most connected: the panel lists the sentence
  }
  function moveCursor(step) {
    if (!current.length) return;
    cursor = (cursor + step + current.length) % current.length;
    Array.prototype.forEach.call(results.children, function (li, k) {
      li.setAttribute("aria-selected", k === cursor ? "true" : "false");
    });
  }
  input.addEventListener("input", showResults);
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); if (results.hidden) showResults(); choose(cursor); }
    else if (ev.key === "ArrowDown") { ev.preventDefault(); moveCursor(1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); moveCursor(-1); }
    else if (ev.key === "Escape") { results.hidden = true; }
  });
  input.addEventListener("blur", function () { results.hidden = true; });
  input.addEventListener("focus", function () { if (input.value.trim()) showResults(); });

  // ---- the entity panel ----------------------------------------------------------------------------------------
  function entityLink(i) {
    var a = el("a", {className: "entity", role: "button", tabindex: "0", "data-id": String(i)}, nodes[i].l);
    a.addEventListener("click", function () { focus(i); });
    a.addEventListener("keydown", function (ev) { if (ev.key === "Enter") focus(i); });
    return a;
  }
  function sourceBlock(sentenceIndex, names, note) {
    var sent = sents[sentenceIndex];
    return el("div", {className: "source"},
      el("div", {className: "doc"}, docLine(sent[1]), note ? "  · " + note : ""),
      el("blockquote", {}, marked(sent[0], names)));
  }
  // ---- small charts: an entity's figures of one indicator concept, unit and comparison, two dated points or more --
  var SVG_NS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    for (var i = 2; i < arguments.length; i++) node.appendChild(document.createTextNode(String(arguments[i])));
    return node;
  }
  // a row of data.obs: [entity, indicator, value, unit, as written, qualifier, period, sentences, concept,
  //                     comparison, periodStart, periodEnd]
  function chartGroups(stats) {
    var groups = {}, order = [];
    stats.forEach(function (o) {
      if (!o[8] || !o[11]) return;
      var key = o[8] + " · " + o[3] + (o[9] ? " · " + o[9] : "");
      if (!groups[key]) { groups[key] = []; order.push(key); }
      groups[key].push(o);
    });
    return order.filter(function (k) { return groups[k].length > 1; }).map(function (k) { return [k, groups[k]]; });
  }
  // two figures of one period with other values, neither a bound (超/近/突破): the sources disagree
  function conflicting(o, points) {
    return !o[5] && points.some(function (p) {
      return p !== o && !p[5] && p[10] === o[10] && p[11] === o[11] && p[2] !== o[2];
    });
  }
  function scaled(value) {
    var v = Math.abs(value);
    if (v >= 1e8) return (value / 1e8).toFixed(1).replace(/\.0$/, "") + "亿";
    if (v >= 1e4) return (value / 1e4).toFixed(1).replace(/\.0$/, "") + "万";
    return String(value);
  }
  function drawChart(key, points, detail, names) {
    var W = 360, H = 130, L = 48, R = 10, T = 10, B = 24;
    var xs = points.map(function (o) { return Date.parse(o[11]); });
    var ys = points.map(function (o) { return Number(o[2]); });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min(0, Math.min.apply(null, ys)), y1 = Math.max.apply(null, ys);
    if (x1 === x0) { x0 -= 15 * 864e5; x1 += 15 * 864e5; }
    if (y1 === y0) y1 = y0 + 1;
    function X(x) { return L + (x - x0) / (x1 - x0) * (W - L - R); }
    function Y(y) { return H - B - (y - y0) / (y1 - y0) * (H - T - B); }
    var chart = svg("svg", {"class": "chart", width: W, height: H, viewBox: "0 0 " + W + " " + H,
                            role: "img", "data-series": key});
    chart.appendChild(svg("line", {x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: "#aab"}));
    chart.appendChild(svg("line", {x1: L, y1: T, x2: L, y2: H - B, stroke: "#aab"}));
    chart.appendChild(svg("text", {x: L - 4, y: Y(y1) + 4, "text-anchor": "end", "font-size": 10}, scaled(y1)));
    chart.appendChild(svg("text", {x: L - 4, y: Y(y0) + 4, "text-anchor": "end", "font-size": 10}, scaled(y0)));
    var first = points[xs.indexOf(Math.min.apply(null, xs))][11];
    var last = points[xs.indexOf(Math.max.apply(null, xs))][11];
    chart.appendChild(svg("text", {x: L, y: H - 6, "font-size": 10}, first));
    chart.appendChild(svg("text", {x: W - R, y: H - 6, "text-anchor": "end", "font-size": 10}, last));
    points.forEach(function (o, k) {
      var start = o[10] ? Date.parse(o[10]) : xs[k], cx = X(xs[k]), cy = Y(ys[k]);
      if (start < xs[k]) {       // the period, drawn back from its last day
        chart.appendChild(svg("line", {x1: Math.max(L, X(start)), y1: cy, x2: cx, y2: cy, stroke: "#9ab"}));
      }
      var bad = conflicting(o, points);
      var dot = svg("circle", {cx: cx, cy: cy, r: 5, fill: bad ? "#c22" : "#246", stroke: "#fff",
                               "class": "point" + (bad ? " conflict" : ""), tabindex: 0});
      dot.appendChild(svg("title", {}, o[6] + "：" + (o[4] || o[2] + " " + o[3]) + (bad ? "（来源不一致 sources disagree）" : "")));
      // every figure of the point's period, side by side with its sentences (points of one period overlap)
      dot.addEventListener("click", function () {
        detail.textContent = "";
        points.filter(function (p) { return p[10] === o[10] && p[11] === o[11]; }).forEach(function (p) {
          var differs = conflicting(p, points);
          detail.appendChild(el("p", {className: "meta"}, key + " · " + p[6] + " · " + (p[4] || p[2]) +
                                (differs ? " · ≠ 来源不一致 sources disagree" : "")));
          p[7].forEach(function (sid) { detail.appendChild(sourceBlock(sid, names)); });
        });
        detail.scrollIntoView({block: "nearest"});
      });
      chart.appendChild(dot);
    });
    return el("div", {className: "chart-box"}, el("div", {className: "meta"}, key), chart);
  }

  function closePanel() { $("panel").hidden = true; }
  $("panel-close").addEventListener("click", closePanel);

  function openPanel(i) {
    var n = nodes[i], info = data.classes[n.c] || {colour: "#999999", zh: n.c};
    var body = $("panel-body");
    body.textContent = "";
    body.setAttribute("data-id", String(i));
    body.appendChild(el("h2", {id: "panel-label"}, n.l));
    body.appendChild(el("p", {}, el("span", {className: "badge", style: "background:" + info.colour}, clsName(n.c)),
                        " ", el("span", {className: "meta"}, n.d + " 条关系 relations")));
    if (n.a.length) body.appendChild(el("p", {className: "aliases"}, "别名 aliases：", n.a.join("、")));
    if (/^Q[0-9]+$/.test(n.w)) {
      body.appendChild(el("p", {}, "Wikidata：", el("a", {href: "https://www.wikidata.org/wiki/" + n.w,
        target: "_blank", rel: "noopener noreferrer", id: "wikidata"}, n.w)));
    }
    body.appendChild(el("p", {className: "meta"}, n.k));
    var buttons = el("div", {className: "buttons"});
    var more = el("button", {type: "button", id: "expand"}, "展开邻居 expand neighbours");
    more.addEventListener("click", function () { expand(i); });
    buttons.appendChild(more);
    body.appendChild(buttons);

    var names = [n.l].concat(n.a);
    var facts = incident[i].slice().sort(function (a, b) {
      return (edges[a][0] === i ? 0 : 1) - (edges[b][0] === i ? 0 : 1) || edges[a][2].localeCompare(edges[b][2]) ||
             a - b;
    });
    if (facts.length) {
      body.appendChild(el("h3", {}, "事实 Facts (" + facts.length + ")"));
      var list = el("ul", {id: "facts"});
      facts.forEach(function (j) {
        var e = edges[j], out = e[0] === i, other = out ? e[1] : e[0];
        var line = out
          ? el("li", {className: "fact"}, el("span", {className: "prop"}, propName(e[2]) + " → "), entityLink(other))
          : el("li", {className: "fact"}, entityLink(other), el("span", {className: "prop"}, " → " + propName(e[2])));
        var wrap = el("div", {className: "evidence"}), rest = null;
        e[3].forEach(function (ev, k) {
          var note = [ev[1], ev[2] !== null && ev[2] !== undefined ? "置信度 " + ev[2] : "", ev[3]]
            .filter(Boolean).join(" · ");
          var block = sourceBlock(ev[0], names.concat([nodes[other].l]).concat(nodes[other].a), note);
          if (k === 0) { wrap.appendChild(block); return; }
          if (!rest) {
            rest = el("details", {}, el("summary", {}, "另有 " + (e[3].length - 1) + " 条证据 more evidence"));
            wrap.appendChild(rest);
          }
          rest.appendChild(block);
        });
        if (e[3].length) line.appendChild(wrap);
        list.appendChild(line);
      });
      body.appendChild(list);
    }

    var stats = observations[i];
    if (stats.length) {
      body.appendChild(el("h3", {}, "统计 Statistics (" + stats.length + ")"));
      var table = el("table", {id: "statistics"},
        el("thead", {}, el("tr", {}, el("th", {}, "指标 indicator"), el("th", {}, "数值 value"),
                                     el("th", {}, "时期 period"))));
      var tbody = el("tbody");
      stats.forEach(function (o) {
        var written = o[4] || (o[2] + " " + o[3]);
        var row = el("tr", {}, el("td", {}, o[1]),
          el("td", {className: "num", title: o[2] + " " + o[3]}, (o[5] ? o[5] + " " : "") + written),
          el("td", {}, o[6]));
        var where = o[7].map(function (s) { return docLine(sents[s][1]) + "：" + sents[s][0]; }).join("\n\n");
        if (where) row.setAttribute("title", where);
        tbody.appendChild(row);
      });
      table.appendChild(tbody);
      body.appendChild(table);
      var charts = chartGroups(stats);
      if (charts.length) {
        body.appendChild(el("h3", {}, "趋势 Trends (" + charts.length + ")"));
        var detail = el("div", {id: "chart-detail"});
        charts.forEach(function (g) { body.appendChild(drawChart(g[0], g[1], detail, names)); });
        body.appendChild(detail);
      }
    }

    if (n.m.length) {
      body.appendChild(el("h3", {}, "来源 Sources (" + n.m.length + ")"));
      var sources = el("div", {id: "sources"});
      n.m.forEach(function (s) { sources.appendChild(sourceBlock(s, names)); });
      body.appendChild(sources);
    }
    $("panel").hidden = false;
    $("panel").scrollTop = 0;
  }

  // ---- go ------------------------------------------------------------------------------------------------------
  buildLegend();
  start();
  window.kgExplorer = {
    data: data, state: state, network: function () { return network; },
    search: function (q) { return search(q).map(function (h) { return h.id; }); },
    searchSentences: function (q) { return searchSentences(q).map(function (h) { return sents[h.sentence][0]; }); },
    find: function (label) { for (var i = 0; i < nodes.length; i++) if (nodes[i].l === label) return i; return -1; },
    focus: focus, expand: expand,
    selected: function () { return network.getSelectedNodes(); },
    shown: function () { return nodeView.getIds(); },
    shownEdges: function () { return edgeView.getIds(); },
    position: function (i) { return network.getPositions([i])[i]; },
    edgeAt: function (a, b) {   // where the middle of the edge a -> b is drawn, in page pixels inside #graph
      var ids = edgeView.getIds({filter: function (e) { return e.from === a && e.to === b; }});
      return ids.length ? network.canvasToDOM(network.body.edges[ids[0]].edgeType.getPoint(0.5)) : null;
    },
    toDOM: function (i) { var p = network.getPositions([i])[i]; return p && network.canvasToDOM(p); }
  };
})();
