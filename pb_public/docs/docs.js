// Renders the OpenAPI 3.1 description at /api/docs/openapi.json: per tag,
// each operation with its parameters, request body and responses, plus the
// schemas, with a table of contents. No dependencies; every text goes into
// the page as text (the description is data, never markup).
"use strict";

(function () {
  const SPEC_URL = "/api/docs/openapi.json";
  const METHODS = ["get", "post", "put", "patch", "delete"];
  const main = document.getElementById("main");
  const tocList = document.getElementById("toc-list");
  const filter = document.getElementById("filter");
  const status = document.getElementById("status");

  // el builds an element: attrs (class, id, href, …) and children (nodes,
  // strings, arrays, null).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const c of children) {
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) append(node, c);
      else node.append(c instanceof Node ? c : String(c));
    }
  }

  function slug(s) {
    return String(s).toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  }

  // --- a little Markdown: paragraphs, "- " lists, `code`, **bold**, [links](url)

  function inline(text) {
    const out = [];
    const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let last = 0;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (m.index > last) out.push(text.slice(last, m.index));
      if (m[1] !== undefined) out.push(el("code", null, m[1]));
      else if (m[2] !== undefined) out.push(el("strong", null, inline(m[2])));
      else out.push(safeHref(m[4]) ? el("a", { href: m[4] }, m[3]) : m[0]);
      last = re.lastIndex;
    }
    if (last < text.length) out.push(text.slice(last));
    return out;
  }

  function safeHref(href) {
    return /^(https?:\/\/|\/|#)/.test(href);
  }

  function markdown(text, cls) {
    const box = el("div", { class: "md" + (cls ? " " + cls : "") });
    if (!text) return box;
    for (const block of String(text).split(/\n\s*\n/)) {
      const lines = block.split("\n");
      if (lines.every((l) => /^\s*- /.test(l))) {
        box.append(el("ul", null, lines.map((l) => el("li", null, inline(l.replace(/^\s*- /, ""))))));
        continue;
      }
      // a paragraph that opens a list: "text:\n- a\n- b"
      const first = lines.findIndex((l) => /^\s*- /.test(l));
      if (first > 0 && lines.slice(first).every((l) => /^\s*- /.test(l))) {
        box.append(el("p", null, inline(lines.slice(0, first).join(" "))));
        box.append(el("ul", null, lines.slice(first).map((l) => el("li", null, inline(l.replace(/^\s*- /, ""))))));
        continue;
      }
      box.append(el("p", null, inline(lines.join(" "))));
    }
    return box;
  }

  // --- references and schemas

  let spec = null;

  function lookup(ref) {
    if (!ref.startsWith("#/")) return null;
    let v = spec;
    for (const part of ref.slice(2).split("/")) {
      v = v && v[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    }
    return v || null;
  }

  function resolve(v) {
    let seen = 0;
    while (v && v.$ref && seen++ < 10) {
      const target = lookup(v.$ref);
      if (!target) break;
      v = target;
    }
    return v;
  }

  function refName(ref) {
    return ref.split("/").pop();
  }

  function schemaLink(ref) {
    const name = refName(ref);
    return el("a", { href: "#schema-" + slug(name), class: "schema-link" }, name);
  }

  // typeLabel says what a schema is, briefly, with links to named schemas.
  function typeLabel(s) {
    if (!s) return "any";
    if (s.$ref) return schemaLink(s.$ref);
    if (s.oneOf) {
      const parts = [];
      s.oneOf.forEach((alt, i) => {
        if (i) parts.push(" or ");
        parts.push(typeLabel(alt));
      });
      return el("span", null, parts);
    }
    let types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    const parts = [];
    types.forEach((t, i) => {
      if (i) parts.push(" | ");
      if (t === "array") parts.push("array of ", typeLabel(s.items));
      else parts.push(t);
    });
    if (!types.length) parts.push("any JSON");
    if (s.format) parts.push(el("span", { class: "fmt" }, " (" + s.format + ")"));
    return el("span", null, parts);
  }

  // constraints lists a schema's limits, choices and default.
  function constraints(s) {
    if (!s || s.$ref) return [];
    const out = [];
    if (s.enum) out.push(el("span", null, "one of ", s.enum.map((v, i) => [i ? ", " : "", el("code", null, v)])));
    if (s.minLength !== undefined && s.maxLength !== undefined) out.push(s.minLength + "–" + s.maxLength + " characters");
    else if (s.maxLength !== undefined) out.push("at most " + s.maxLength + " characters");
    if (s.minimum !== undefined && s.maximum !== undefined) out.push("from " + s.minimum + " to " + s.maximum);
    if (s.maxItems !== undefined) out.push("at most " + s.maxItems + " items");
    if (s.items && !s.items.$ref && s.items.maxLength !== undefined) out.push("items of at most " + s.items.maxLength + " characters");
    if (s.pattern) out.push(el("span", null, "pattern ", el("code", null, s.pattern)));
    if (s.default !== undefined) out.push(el("span", null, "default ", el("code", null, JSON.stringify(s.default))));
    return out;
  }

  function constraintLine(s) {
    const c = constraints(s);
    if (!c.length) return null;
    return el("div", { class: "constraints" }, c.map((x, i) => [i ? " · " : "", x]));
  }

  // fieldsTable shows an object schema's properties.
  function fieldsTable(s, caption) {
    const props = s.properties || {};
    const names = Object.keys(props);
    const required = new Set(s.required || []);
    const table = el("table", { class: "fields" },
      caption ? el("caption", null, caption) : null,
      el("thead", null, el("tr", null,
        el("th", { scope: "col" }, "Field"),
        el("th", { scope: "col" }, "Type"),
        el("th", { scope: "col" }, "Description"))));
    const body = el("tbody");
    for (const name of names) {
      const p = props[name];
      body.append(el("tr", null,
        el("th", { scope: "row" }, el("code", null, name), required.has(name) ? el("span", { class: "req", title: "required" }, " *") : null),
        el("td", null, typeLabel(p)),
        el("td", null, p.description ? markdown(p.description, "tight") : null, constraintLine(p))));
    }
    if (s.additionalProperties) {
      body.append(el("tr", null,
        el("th", { scope: "row" }, el("em", null, "any other")),
        el("td", null, typeLabel(s.additionalProperties)),
        el("td", null, "")));
    }
    table.append(body);
    return table;
  }

  // schemaBlock shows a body's schema: a named one with its fields (open, or
  // in a closed disclosure), an inline object with its fields, else its type.
  function schemaBlock(s, open) {
    if (!s) return null;
    const target = resolve(s);
    const label = el("div", { class: "schema-type" }, "Schema: ", typeLabel(s));
    const isObject = target && target.properties && Object.keys(target.properties).length;
    if (!isObject) {
      if (target && target.type === "array" && target.items) {
        const item = resolve(target.items);
        if (item && item.properties && open) return el("div", null, label, fieldsTable(item));
      }
      return label;
    }
    if (open) return el("div", null, label, target.description ? markdown(target.description) : null, fieldsTable(target));
    return el("details", { class: "schema" },
      el("summary", null, "Schema: ", s.$ref ? refName(s.$ref) : "object"),
      target.description ? markdown(target.description) : null,
      fieldsTable(target));
  }

  function example(v) {
    if (v === undefined) return null;
    return el("pre", { class: "example" }, el("code", null, JSON.stringify(v, null, 2)));
  }

  // --- operations

  function securityOf(op) {
    const reqs = op.security !== undefined ? op.security : spec.security || [];
    if (!reqs.length) return { label: "none (public)", cls: "public" };
    const names = reqs.map((r) => Object.keys(r));
    const anonymous = names.some((n) => n.length === 0);
    const schemes = [...new Set(names.flat())];
    const words = schemes.map((n) => ({
      bearerAuth: "Bearer token",
      apiKeyAuthorization: "Authorization: Api-Key",
      apiKeyHeader: "X-API-Key",
    })[n] || n);
    return {
      label: (anonymous ? "optional: " : "") + words.join(", or "),
      cls: anonymous ? "optional" : "auth",
    };
  }

  function paramsTable(params) {
    const rows = params.map(resolve).filter(Boolean);
    if (!rows.length) return null;
    return el("table", { class: "fields params" },
      el("caption", null, "Parameters"),
      el("thead", null, el("tr", null,
        el("th", { scope: "col" }, "Name"),
        el("th", { scope: "col" }, "In"),
        el("th", { scope: "col" }, "Type"),
        el("th", { scope: "col" }, "Description"))),
      el("tbody", null, rows.map((p) => el("tr", null,
        el("th", { scope: "row" }, el("code", null, p.name), p.required ? el("span", { class: "req", title: "required" }, " *") : null),
        el("td", null, p.in),
        el("td", null, typeLabel(p.schema)),
        el("td", null, markdown(p.description, "tight"), constraintLine(p.schema))))));
  }

  function requestBody(rb) {
    if (!rb) return null;
    rb = resolve(rb);
    const media = Object.entries(rb.content || {});
    return el("section", { class: "body" },
      el("h4", null, "Request body", rb.required ? "" : " (optional)"),
      rb.description ? markdown(rb.description) : null,
      media.map(([type, m]) => el("div", null,
        el("div", { class: "media" }, el("code", null, type)),
        schemaBlock(m.schema, true),
        m.example !== undefined ? el("details", { class: "ex" }, el("summary", null, "Example"), example(m.example)) : null)));
  }

  function responsesList(responses) {
    const list = el("dl", { class: "responses" });
    for (const [code, raw] of Object.entries(responses || {})) {
      const r = resolve(raw);
      const description = raw.description || r.description;
      const cls = "status s" + code[0];
      list.append(el("dt", null, el("span", { class: cls }, code)));
      const dd = el("dd", null, markdown(description));
      for (const [name, h] of Object.entries(r.headers || {})) {
        dd.append(el("div", { class: "header" }, "Header ", el("code", null, name), ": ", inline(h.description || "")));
      }
      for (const [, m] of Object.entries(r.content || {})) {
        if (code[0] === "2") {
          dd.append(schemaBlock(m.schema, false));
          if (m.example !== undefined) dd.append(el("details", { class: "ex" }, el("summary", null, "Example"), example(m.example)));
        } else {
          // errors: their shape and an example body, on one line
          dd.append(el("div", { class: "schema-type" }, "Body: ", typeLabel(m.schema),
            m.example !== undefined ? [", e.g. ", el("code", null, JSON.stringify(m.example))] : null));
        }
      }
      list.append(dd);
    }
    return el("section", null, el("h4", null, "Responses"), list);
  }

  function operationArticle(path, method, op) {
    const id = "op-" + slug(op.operationId || method + "-" + path);
    const sec = securityOf(op);
    const art = el("article", { class: "op", id, "data-search": [method, path, op.summary, op.operationId, (op.tags || []).join(" ")].join(" ").toLowerCase() },
      el("h3", null,
        el("a", { href: "#" + id, class: "anchor" },
          el("span", { class: "method m-" + method }, method.toUpperCase()),
          " ", el("code", { class: "path" }, path)),
        el("span", { class: "summary" }, op.summary || "")),
      el("p", { class: "auth " + sec.cls }, "Authentication: ", sec.label),
      markdown(op.description),
      paramsTable(op.parameters || []),
      requestBody(op.requestBody),
      responsesList(op.responses));
    return { id, art };
  }

  // --- the page

  function render() {
    const info = spec.info || {};
    document.title = (info.title || "API") + " reference";
    main.replaceChildren();
    const toc = el("ul", { class: "toc" });

    const intro = el("section", { id: "overview", class: "intro" },
      el("h1", null, info.title || "API reference", info.version ? el("span", { class: "version" }, " " + info.version) : null),
      info.summary ? el("p", { class: "lead" }, info.summary) : null,
      markdown(info.description));
    main.append(intro);
    toc.append(el("li", null, el("a", { href: "#overview" }, "Overview")));

    const schemes = (spec.components && spec.components.securitySchemes) || {};
    main.append(el("section", { id: "authentication" },
      el("h2", null, "Authentication"),
      el("dl", { class: "schemes" }, Object.entries(schemes).map(([name, s]) => [
        el("dt", null, el("code", null, name), " ", el("span", { class: "fmt" }, s.type === "http" ? "HTTP " + s.scheme : s.type + " in " + s.in + " " + s.name)),
        el("dd", null, markdown(s.description)),
      ]))));
    toc.append(el("li", null, el("a", { href: "#authentication" }, "Authentication")));

    // operations by tag, in the document's tag order, then any others
    const byTag = new Map((spec.tags || []).map((t) => [t.name, { tag: t, ops: [] }]));
    for (const [path, item] of Object.entries(spec.paths || {})) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        const name = (op.tags && op.tags[0]) || "Other";
        if (!byTag.has(name)) byTag.set(name, { tag: { name }, ops: [] });
        byTag.get(name).ops.push({ path, method, op });
      }
    }
    for (const { tag, ops } of byTag.values()) {
      if (!ops.length) continue;
      const sid = "tag-" + slug(tag.name);
      const section = el("section", { id: sid, class: "tag" },
        el("h2", null, el("a", { href: "#" + sid, class: "anchor" }, tag.name)),
        tag.description ? markdown(tag.description) : null);
      const sub = el("ul");
      for (const { path, method, op } of ops) {
        const { id, art } = operationArticle(path, method, op);
        section.append(art);
        sub.append(el("li", { "data-op": id }, el("a", { href: "#" + id },
          el("span", { class: "method m-" + method }, method.toUpperCase()), " ",
          el("span", { class: "toc-summary" }, op.summary || path))));
      }
      main.append(section);
      toc.append(el("li", { class: "toc-tag", "data-tag": sid }, el("a", { href: "#" + sid }, tag.name), sub));
    }

    const schemas = (spec.components && spec.components.schemas) || {};
    const schemaSection = el("section", { id: "schemas" }, el("h2", null, "Schemas"));
    for (const [name, s] of Object.entries(schemas)) {
      const sid = "schema-" + slug(name);
      const box = el("article", { class: "schema-def", id: sid },
        el("h3", null, el("a", { href: "#" + sid, class: "anchor" }, name)),
        s.description ? markdown(s.description) : null);
      if (s.properties && Object.keys(s.properties).length) box.append(fieldsTable(s));
      else box.append(el("div", { class: "schema-type" }, "Type: ", typeLabel(s)));
      if (s.examples) box.append(example(s.examples[0]));
      schemaSection.append(box);
    }
    main.append(schemaSection);
    toc.append(el("li", null, el("a", { href: "#schemas" }, "Schemas")));

    tocList.replaceChildren(toc);
    filter.disabled = false;
    const q = new URLSearchParams(location.search).get("q");
    if (q) {
      filter.value = q;
      applyFilter();
    }
    if (location.hash) {
      const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) target.scrollIntoView();
    }
  }

  // The filter hides the operations (and their table-of-contents entries)
  // that do not match every word typed.
  function applyFilter() {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    for (const art of main.querySelectorAll("article.op")) {
      const hit = words.every((w) => art.dataset.search.includes(w));
      art.hidden = !hit;
      const entry = tocList.querySelector('[data-op="' + art.id + '"]');
      if (entry) entry.hidden = !hit;
    }
    for (const section of main.querySelectorAll("section.tag")) {
      const any = section.querySelector("article.op:not([hidden])");
      section.hidden = !any;
      const entry = tocList.querySelector('[data-tag="' + section.id + '"]');
      if (entry) entry.hidden = !any;
    }
  }
  filter.addEventListener("input", () => {
    applyFilter();
    // keep the filter in the address, to share or reload the view
    const url = new URL(location.href);
    if (filter.value) url.searchParams.set("q", filter.value);
    else url.searchParams.delete("q");
    history.replaceState(null, "", url);
  });

  fetch(SPEC_URL, { headers: { Accept: "application/json" } })
    .then((res) => {
      if (!res.ok) throw new Error(res.status + " " + res.statusText);
      return res.json();
    })
    .then((doc) => {
      spec = doc;
      render();
    })
    .catch((err) => {
      status.textContent = "Could not load " + SPEC_URL + ": " + err.message;
      status.classList.add("error");
    });
})();
