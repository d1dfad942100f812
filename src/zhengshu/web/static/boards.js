// 民意地图 and 民意速办: draws the dashboards from the JSON API (/api/v1/boards/…) with ECharts.
// The page holds the filters in data-query; every number links to the appeals behind it
// (/boards/appeals) and every table to its .xlsx export, with the same filters.
// When everything is drawn, <body data-ready="1"> (the browser tests and the benchmark wait for it).
(function () {
  "use strict";

  const API = "/api/v1/boards";
  const charts = [];

  // ---- small helpers --------------------------------------------------------------------------

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value !== null && value !== undefined) node.setAttribute(key, value);
    });
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function params(base, extra) {
    const query = new URLSearchParams(base);
    Object.entries(extra || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === "") query.delete(key);
      else query.set(key, value);
    });
    return query.toString();
  }

  async function getJSON(path, query) {
    const response = await fetch(query ? `${path}?${query}` : path, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!response.ok) {
      let detail = `加载失败（${response.status}）`;
      try {
        const problem = await response.json();
        if (problem && problem.detail) detail = problem.detail;
      } catch (_) { /* not JSON */ }
      throw new Error(detail);
    }
    return response.json();
  }

  // Tooltips are HTML: anything from the data is escaped first.
  function escapeHtml(value) {
    return String(value).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  const integer = new Intl.NumberFormat("zh-CN");

  function format(kind, value) {
    if (value === null || value === undefined || value === "") return "—";
    switch (kind) {
      case "int": return integer.format(value);
      case "rate": return `${(value * 100).toFixed(1)}%`;
      case "change": return `${value > 0 ? "+" : ""}${(value * 100).toFixed(1)}%`;
      case "days": return Number(value).toFixed(1);
      default: return String(value);
    }
  }

  function drillHref(query, measure, narrow) {
    return `/boards/appeals?${params(query, Object.assign({ measure: measure, page: null }, narrow || {}))}`;
  }

  function exportHref(query, name, narrow) {
    return `/boards/export/${name}.xlsx?${params(query, narrow || {})}`;
  }

  // A table of the API (columns, rows with "narrow" filters): numbers link to their appeals.
  function renderTable(container, table, query, options) {
    const opts = options || {};
    container.replaceChildren();
    if (!table.rows.length) {
      container.append(el("p", { class: "muted" }, "暂无数据"));
      return;
    }
    const node = el("table", { class: "table board-table" });
    if (opts.caption) node.append(el("caption", { class: "visually-hidden" }, opts.caption));
    const head = el("tr");
    table.columns.forEach((column) => {
      head.append(el("th", { scope: "col", class: column.kind === "text" || column.kind === "moment" ? null : "num" }, column.label));
    });
    const thead = el("thead");
    thead.append(head);
    node.append(thead);
    const body = el("tbody");
    table.rows.forEach((row) => {
      const tr = el("tr");
      table.columns.forEach((column, index) => {
        const value = row[column.key];
        const cell = el(index === 0 ? "th" : "td", {
          scope: index === 0 ? "row" : null,
          class: column.kind === "text" || column.kind === "moment" ? null : "num",
        });
        const text = format(column.kind, value);
        if (column.drill && row.narrow && value !== null && value !== 0 && value !== undefined) {
          cell.append(el("a", { href: drillHref(query, column.drill, row.narrow) }, text));
        } else if (column.key === "number" && row.appeal) {
          cell.append(el("a", { href: `/appeals/${encodeURIComponent(row.appeal)}` }, text));
        } else if (index === 0 && opts.onRowName && row.narrow) {
          const button = el("button", { type: "button", class: "button button--link" }, text);
          button.addEventListener("click", () => opts.onRowName(row));
          cell.append(button);
        } else {
          cell.textContent = text;
        }
        tr.append(cell);
      });
      body.append(tr);
    });
    node.append(body);
    container.append(node);
  }

  // A chart that reports when it has drawn; animation off: a dashboard is read, not watched.
  function chart(id, option) {
    const node = document.getElementById(id);
    node.hidden = false;
    const instance = echarts.getInstanceByDom(node) || echarts.init(node, null, { renderer: "canvas" });
    if (!charts.includes(instance)) charts.push(instance);
    const drawn = new Promise((resolve) => {
      instance.on("finished", function done() {
        instance.off("finished", done);
        resolve();
      });
      setTimeout(resolve, 3000); // never hold the page's readiness hostage to one chart
    });
    instance.setOption(Object.assign({ animation: false, textStyle: { fontFamily: "inherit" } }, option), true);
    return { instance: instance, drawn: drawn };
  }

  function barChart(id, labels, series, options) {
    const opts = options || {};
    return chart(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { left: 8, right: 16, top: series.length > 1 ? 32 : 12, bottom: 8, containLabel: true },
      xAxis: opts.horizontal ? { type: "value", minInterval: 1 } : { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 35 : 0 } },
      yAxis: opts.horizontal ? { type: "category", data: labels, inverse: true } : { type: "value", minInterval: 1 },
      series: series.map((s) => Object.assign({ type: "bar", stack: opts.stack, barMaxWidth: 28 }, s)),
    });
  }

  function setStatus(text, kind) {
    const status = document.getElementById("board-status");
    status.textContent = text;
    status.className = `board-status${kind ? ` board-status--${kind}` : ""}`;
    status.hidden = !text;
  }

  function setExports(query) {
    document.querySelectorAll("[data-export]").forEach((link) => {
      link.href = exportHref(query, link.dataset.export);
    });
  }

  function ready(drawn) {
    return Promise.all(drawn).then(() => {
      setStatus("");
      document.body.dataset.ready = "1";
    });
  }

  function failed(error) {
    setStatus(error.message || "加载失败，请稍后重试", "error");
    document.body.dataset.ready = "error";
  }

  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));

  // ---- 民意地图 -------------------------------------------------------------------------------

  const COUNT_COLOURS = ["#eef3fb", "#fdd49e", "#fc8d59", "#d7301f", "#990000"];
  const CHANGE_COLOURS = ["#2166ac", "#92c5de", "#f7f7f7", "#f4a582", "#b2182b"];

  function mapOption(geo, data, layer, points, hot) {
    const measure = data.measure.key;
    const values = data.placed.map((s) => s.value).filter((v) => v !== null);
    const top = values.length ? Math.max(...values.map(Math.abs)) : 1;
    const visual = measure === "change"
      ? { min: -Math.max(top, 0.1), max: Math.max(top, 0.1), inRange: { color: CHANGE_COLOURS }, formatter: (v) => format("change", v) }
      : { min: 0, max: Math.max(top, 1), inRange: { color: COUNT_COLOURS }, formatter: (v) => (measure === "per10k" ? Number(v).toFixed(1) : integer.format(Math.round(v))) };
    const byCode = Object.fromEntries(data.placed.map((s) => [s.code, s]));
    const warned = {};
    data.warnings.forEach((w) => {
      if (w.street && geo.centres[w.street]) (warned[w.street] = warned[w.street] || []).push(w.label);
    });
    const series = [
      {
        id: "streets",
        type: "map",
        geoIndex: 0,
        data: data.placed.map((s) => ({ name: s.name, value: s.value, code: s.code })),
      },
      {
        id: "warnings",
        name: "弱信号预警",
        type: "effectScatter",
        coordinateSystem: "geo",
        symbolSize: 14,
        rippleEffect: { scale: 3, brushType: "stroke" },
        itemStyle: { color: "#b3261e" },
        zlevel: 2,
        tooltip: { formatter: (p) => `${escapeHtml(p.name)}：${p.data.labels.length} 条预警<br>${p.data.labels.slice(0, 5).map(escapeHtml).join("<br>")}` },
        data: Object.entries(warned).map(([code, labels]) => ({
          name: byCode[code] ? byCode[code].name : code,
          value: geo.centres[code].concat([labels.length]),
          labels: labels,
        })),
      },
    ];
    // On a phone the legend goes under the map, where it covers no street.
    const small = document.getElementById("chart-map").clientWidth < 520;
    const legend = small
      ? { orient: "horizontal", left: "center", bottom: 0, itemWidth: 12, itemHeight: 120 }
      : { orient: "vertical", left: 8, bottom: 28, itemHeight: 90 };
    const visualMaps = [Object.assign({
      type: "continuous", seriesIndex: 0, calculable: true, text: ["高", "低"], textStyle: { fontSize: 11 },
    }, legend, visual)];
    if (hot && hot.hotspots.length) {
      series.push({
        id: "hotspots", name: "类案热点", type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 26,
        zlevel: 3, itemStyle: { color: "#8a5a00" }, label: { show: true, formatter: (p) => String(p.data.rank), color: "#fff", fontSize: 10 },
        tooltip: { formatter: (p) => `类案热点 ${p.data.rank}：${escapeHtml(p.data.title)}<br>${p.data.count} 件，热度 ${p.data.heat}${p.data.place ? `<br>地点：${escapeHtml(p.data.place)}` : ""}` },
        data: hot.hotspots.filter((h) => h.longitude !== null).map((h) => ({
          name: h.title, value: [h.longitude, h.latitude], rank: h.rank, title: h.title, count: h.count, heat: h.heat, place: h.place,
        })),
      });
    }
    if (layer === "points" && points) {
      series.push({
        id: "points", name: "诉求点", type: "scatter", coordinateSystem: "geo", large: true, symbolSize: 4,
        itemStyle: { color: "#1d4f91", opacity: 0.55 }, data: points.points.map((p) => [p[0], p[1]]), silent: true,
      });
    }
    if (layer === "heat" && points) {
      series.push({
        id: "heat", name: "热力", type: "heatmap", coordinateSystem: "geo", pointSize: 8, blurSize: 14,
        data: points.points.map((p) => [p[0], p[1], 1]), silent: true,
      });
      visualMaps.push({ type: "continuous", seriesIndex: series.length - 1, show: false, min: 0, max: 6,
        inRange: { color: ["rgba(29,79,145,0)", "#3a7bd5", "#7fc97f", "#ffd92f", "#e41a1c"] } });
    }
    return {
      tooltip: {
        trigger: "item",
        formatter: (p) => {
          if (p.seriesId !== "streets" && p.componentType !== "geo") return "";
          const s = data.placed.find((row) => row.name === p.name);
          if (!s) return escapeHtml(p.name);
          const lines = [`<b>${escapeHtml(s.name)}</b>`, `诉求量：${format("int", s.count)}`, `上期：${format("int", s.previous)}（${format("change", s.change)}）`];
          if (s.per_10k !== null) lines.push(`每万人：${s.per_10k.toFixed(1)}`);
          return lines.join("<br>");
        },
      },
      visualMap: visualMaps,
      geo: {
        map: "district",
        roam: true,
        aspectScale: 0.92, // cos(22.7°): a degree of longitude is shorter than one of latitude here
        layoutCenter: ["50%", small ? "46%" : "50%"],
        layoutSize: small ? "88%" : "95%",
        selectedMode: "single",
        // A white halo keeps the names legible on the darkest reds as on the palest.
        label: { show: true, fontSize: 11, color: "#1f2328", textBorderColor: "#fff", textBorderWidth: 2 },
        itemStyle: { borderColor: "#5f6b7a", borderWidth: 1 },
        emphasis: { label: { show: true }, itemStyle: { areaColor: "#f2b705" } },
        select: { label: { show: true, fontWeight: "bold" }, itemStyle: { borderColor: "#143a6b", borderWidth: 2.5 } },
      },
      graphic: [{ type: "text", right: 8, top: 2, style: { text: geo.source, fill: "#5f6b7a", fontSize: small ? 10 : 11 } }],
      series: series,
    };
  }

  function streetPanel(query, street, data) {
    const title = document.getElementById("street-title");
    const clear = document.getElementById("street-clear");
    const links = document.getElementById("street-links");
    const hint = document.getElementById("street-hint");
    const table = document.getElementById("table-communities");
    const chartNode = document.getElementById("chart-communities");
    if (!street) {
      title.textContent = "点击地图上的街道";
      clear.hidden = true;
      links.hidden = true;
      hint.hidden = false;
      chartNode.hidden = true;
      table.replaceChildren();
      delete document.body.dataset.street;
      return Promise.resolve();
    }
    const narrowed = params(query, { street: street.code });
    title.textContent = `${street.name}`;
    clear.hidden = false;
    hint.hidden = true;
    links.hidden = false;
    const total = data.communities.reduce((sum, c) => sum + c.count, 0);
    const appeals = document.getElementById("street-appeals");
    appeals.href = drillHref(query, "received", { street: street.code });
    appeals.textContent = `查看该街道诉求（${integer.format(total)} 件）`;
    document.getElementById("street-export").href = exportHref(narrowed, "communities");
    const top = data.communities.slice(0, 12);
    const drawn = barChart("chart-communities", top.map((c) => c.name), [{ name: "诉求量", data: top.map((c) => c.count), itemStyle: { color: "#1d4f91" } }], { horizontal: true }).drawn;
    renderTable(table, data.table, query, { caption: data.table.title });
    document.body.dataset.street = street.code;
    return drawn;
  }

  async function mapBoard(board) {
    // The map always shows the whole district: a street in the URL (the page writes it there when one
    // is clicked) only chooses the side panel, so the district's numbers, links and exports omit it.
    const query = params(board.dataset.query, { street: null, community: null });
    const measure = board.dataset.measure || "count";
    setExports(query);
    const [geo, data] = await Promise.all([
      getJSON(`${API}/map/geo`),
      getJSON(`${API}/map`, params(query, { measure: measure })),
    ]);
    // The map draws the 11 streets; appeals without a street are counted in the total and the table.
    data.placed = data.streets.filter((s) => s.code);
    echarts.registerMap("district", geo.geojson);
    document.getElementById("map-source").textContent = geo.source;
    document.getElementById("map-measure").textContent = `（${data.measure.label}）`;
    document.getElementById("board-scope").textContent = data.filters.description;
    const change = data.previous_total ? (data.total - data.previous_total) / data.previous_total : null;
    const totalKpi = document.getElementById("kpi-total");
    totalKpi.href = drillHref(query, "received");
    totalKpi.querySelector("[data-value]").textContent = format("int", data.total);
    document.querySelector("#kpi-previous [data-value]").textContent = format("int", data.previous_total);
    document.querySelector("#kpi-change [data-value]").textContent = format("change", change);
    document.querySelector("#kpi-warnings [data-value]").textContent = format("int", data.warnings.length);

    let layer = "none";
    let points = null;
    let hot = null;
    const map = chart("chart-map", mapOption(geo, data, layer, points, hot));
    const redraw = () => {
      map.instance.setOption(mapOption(geo, data, layer, points, hot), true);
      if (selected) map.instance.dispatchAction({ type: "select", geoIndex: 0, name: selected.name });
    };
    const byName = Object.fromEntries(data.placed.map((s) => [s.name, s]));
    let selected = null;

    async function select(street) {
      selected = street;
      if (!street) {
        map.instance.dispatchAction({ type: "unselect", geoIndex: 0, name: data.placed.map((s) => s.name) });
        history.replaceState(null, "", `?${params(location.search.slice(1), { street: null })}`);
        return streetPanel(query, null, null);
      }
      map.instance.dispatchAction({ type: "select", geoIndex: 0, name: street.name });
      history.replaceState(null, "", `?${params(location.search.slice(1), { street: street.code })}`);
      document.body.dataset.street = "";
      const detail = await getJSON(`${API}/map/street`, params(query, { street: street.code }));
      if (selected !== street) return undefined;
      return streetPanel(query, street, detail);
    }

    map.instance.on("click", (event) => {
      if (event.seriesId === "hotspots") return; // a warning marker sits on its street: it selects the street
      const street = byName[event.name];
      if (street) select(street).catch(failed);
    });
    document.getElementById("street-clear").addEventListener("click", () => select(null));
    document.querySelectorAll("input[name=layer]").forEach((radio) => {
      radio.addEventListener("change", async () => {
        layer = radio.value;
        if (layer !== "none" && !points) {
          points = await getJSON(`${API}/map/points`, query).catch((e) => { failed(e); return null; });
        }
        redraw();
      });
    });
    // Hotspots take seconds to cluster: they are marked when they arrive, after the page is usable.
    getJSON(`${API}/map/hotspots`, query).then((found) => {
      hot = found;
      const note = document.getElementById("hotspots-note");
      note.textContent = found.hotspots.length
        ? `◆ 类案热点：${found.first} 至 ${found.last} 最新 ${integer.format(found.clustered)} 件诉求中聚出的前 ${found.hotspots.length} 个类案`
        : `${found.first} 至 ${found.last} 没有类案热点`;
      const link = el("a", { href: `/analytics/hotspots?first=${found.first}&last=${found.last}` }, "查看类案热点");
      note.append(" ", link);
      redraw();
      document.body.dataset.hotspots = String(found.hotspots.length);
    }).catch(() => {
      document.getElementById("hotspots-note").textContent = "类案热点暂时无法计算";
      document.body.dataset.hotspots = "error";
    });

    const monthly = data.trend.unit === "month";
    document.getElementById("trend-title").textContent = monthly ? "逐月受理量" : "逐日受理量";
    const trend = chart("chart-trend", {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 12, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.trend.points.map((d) => (monthly ? d.start.slice(0, 7) : d.start.slice(5))) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: "受理量", type: "line", smooth: !monthly, symbol: monthly ? "circle" : "none", areaStyle: { opacity: 0.12 }, data: data.trend.points.map((d) => d.count), itemStyle: { color: "#1d4f91" } }],
    });
    const top = data.categories.slice(0, 12);
    const categories = barChart("chart-categories", top.map((c) => c.category), [{ name: "诉求量", data: top.map((c) => c.count), itemStyle: { color: "#b3261e" } }], { horizontal: true });
    categories.instance.on("click", (event) => {
      if (event.name && event.name !== "未分类") location.href = drillHref(query, "received", { category: event.name });
    });

    renderTable(document.getElementById("table-streets"), data.table, query, {
      caption: data.table.title,
      onRowName: (row) => select(byName[row.name]).catch(failed),
    });

    const list = document.getElementById("warnings-list");
    list.replaceChildren();
    if (!data.warnings.length) list.append(el("li", { class: "muted" }, "期间没有弱信号预警"));
    data.warnings.forEach((w) => {
      const item = el("li");
      item.append(el("a", { href: `/analytics/signals?day=${w.day}` }, `${w.day} ${w.label}`));
      list.append(item);
    });

    const initial = new URLSearchParams(location.search).get("street");
    const first = initial ? data.placed.find((s) => s.code === initial) : null;
    const waits = [map.drawn, trend.drawn, categories.drawn];
    if (first) waits.push(select(first));
    return ready(waits);
  }

  // ---- 民意速办 -------------------------------------------------------------------------------

  function rateCards(container, overview, query) {
    container.replaceChildren();
    const rates = overview.rates;
    const kinds = { average_handling_days: "days" };
    const cards = [
      ["received", "受理", "int", "received", "期间内受理的诉求"],
      ["closed", "办结", "int", "closed", "期间内受理、已办结的诉求"],
    ];
    Object.entries(overview.definitions).forEach(([key, d]) => {
      cards.push([key, d.label, kinds[key] || "rate", d.drill, d.formula]);
    });
    cards.forEach(([key, label, kind, drill, formula]) => {
      const card = el("a", { class: "kpi", href: drillHref(query, drill), title: formula, "data-rate": key });
      card.append(el("span", { class: "kpi__label" }, label));
      card.append(el("span", { class: "kpi__value", "data-value": "" }, format(kind, rates[key])));
      card.append(el("span", { class: "kpi__note" }, formula));
      container.append(card);
    });
  }

  async function handlingBoard(board) {
    const query = board.dataset.query;
    setExports(query);
    const [overview, due, streets, assessment, supervision] = await Promise.all([
      getJSON(`${API}/handling/overview`, query),
      getJSON(`${API}/handling/due`, query),
      getJSON(`${API}/handling/streets`, query),
      getJSON(`${API}/handling/assessment`, query),
      getJSON(`${API}/handling/supervision`, query),
    ]);
    document.querySelectorAll("[data-live]").forEach((card) => {
      const key = card.dataset.live;
      card.href = drillHref(query, key);
      card.querySelector("[data-value]").textContent = format("int", overview.today[key]);
    });
    document.getElementById("rates-scope").textContent = `（${overview.filters.description}）`;
    rateCards(document.getElementById("rates"), overview, query);

    const backlog = barChart("chart-backlog", overview.backlog.map((b) => b.label), [{
      name: "件数", data: overview.backlog.map((b) => ({ value: b.count, key: b.key })), itemStyle: { color: "#1d4f91" },
    }]);
    backlog.instance.on("click", (event) => {
      if (event.data && event.data.key) location.href = drillHref(query, event.data.key);
    });
    const channels = chart("chart-channels", {
      tooltip: { trigger: "item", formatter: (p) => `${escapeHtml(p.name)}：${p.value} 件（${p.percent}%）` },
      legend: { bottom: 0, type: "scroll" },
      series: [{
        type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"],
        label: { formatter: "{b} {c}" },
        data: overview.today_by_channel.length ? overview.today_by_channel.map((c) => ({ name: c.channel, value: c.count })) : [{ name: "今日暂无受理", value: 0 }],
      }],
    });

    const deptRows = due.by_department.rows.filter((r) => r.near_due || r.overdue || r.overdue_accept).slice(0, 15);
    const dueSeries = (rows) => [
      { name: "超期未办结", data: rows.map((r) => ({ value: r.overdue, narrow: r.narrow, key: "overdue" })), itemStyle: { color: "#b3261e" } },
      { name: "超时未签收", data: rows.map((r) => ({ value: r.overdue_accept, narrow: r.narrow, key: "overdue_accept" })), itemStyle: { color: "#8a5a00" } },
      { name: "临期", data: rows.map((r) => ({ value: r.near_due, narrow: r.narrow, key: "near_due" })), itemStyle: { color: "#f2b705" } },
    ];
    // Side by side, not stacked: an appeal can be both not accepted in time and past its deadline.
    const byDept = barChart("chart-due-departments", deptRows.map((r) => r.name), dueSeries(deptRows), { horizontal: true });
    const byStreet = barChart("chart-due-streets", due.by_street.rows.map((r) => r.name), dueSeries(due.by_street.rows));
    [byDept, byStreet].forEach((c) => c.instance.on("click", (event) => {
      if (event.data && event.data.key) location.href = drillHref(query, event.data.key, event.data.narrow);
    }));
    document.getElementById("chart-due-departments").style.height = `${Math.max(160, 44 * deptRows.length + 60)}px`;
    byDept.instance.resize();

    renderTable(document.getElementById("table-due-departments"), due.by_department, query, { caption: due.by_department.title });
    renderTable(document.getElementById("table-due-streets"), due.by_street, query, { caption: due.by_street.title });
    renderTable(document.getElementById("table-street-rates"), streets, query, { caption: streets.title });
    document.getElementById("assessment-formula").textContent = assessment.formula;
    renderTable(document.getElementById("table-assessment"), assessment, query, { caption: assessment.title });
    renderTable(document.getElementById("table-supervision"), supervision, query, { caption: supervision.title });
    return ready([backlog.drawn, channels.drawn, byDept.drawn, byStreet.drawn]);
  }

  function start() {
    const board = document.getElementById("board");
    if (!board) return;
    if (typeof echarts === "undefined") {
      failed(new Error("图表组件未能加载"));
      return;
    }
    const draw = board.dataset.board === "map" ? mapBoard : handlingBoard;
    draw(board).catch(failed);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
