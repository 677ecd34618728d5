#include "report/html_assets.h"

namespace endstate::report {

// System fonts only: the page must render offline, identically everywhere.
const char kHtmlReportCss[] = R"css(
:root {
  --fg: #1f2328; --muted: #656d76; --line: #d8dee4; --bg: #ffffff;
  --panel: #f6f8fa; --accent: #0969da;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9;
  --error: #9a6700; --error-bg: #fff8c5; --run: #6e7781; --run-bg: #eaeef2;
}
* { box-sizing: border-box; }
html { font-size: 15px; }
body {
  margin: 0; color: var(--fg); background: var(--bg);
  font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans",
    "Liberation Sans", Helvetica, Arial, sans-serif;
  line-height: 1.45;
}
code, pre, .mono {
  font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono",
    "Liberation Mono", Menlo, Consolas, monospace; font-size: 0.86rem;
}
header.top {
  padding: 20px 32px 16px; border-bottom: 1px solid var(--line);
  background: var(--panel);
}
header.top h1 { margin: 0 0 4px; font-size: 1.5rem; font-weight: 650; }
header.top h1 .muted { color: var(--muted); font-weight: 400; }
.meta { color: var(--muted); font-size: 0.9rem; }
.meta code { color: var(--fg); }
main { padding: 8px 32px 48px; max-width: 1400px; }
h2 { font-size: 1.15rem; margin: 28px 0 10px; font-weight: 650; }
h3 { font-size: 1rem; margin: 18px 0 8px; font-weight: 600; }
.note { color: var(--muted); font-size: 0.85rem; margin: 6px 0 0; }
table { border-collapse: collapse; }
th, td { padding: 6px 10px; text-align: left; vertical-align: top; }
thead th {
  font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em;
  color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line);
}
tbody tr { border-bottom: 1px solid #eef1f4; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.sub { color: var(--muted); font-size: 0.8rem; font-weight: 400; }
table.models td.name { font-weight: 600; white-space: nowrap; }
table.models tbody tr { cursor: pointer; }
table.models tbody tr:hover { background: var(--panel); }
.rate { min-width: 300px; }
.rateline { display: flex; gap: 10px; align-items: baseline; }
.pct { font-size: 1.15rem; font-weight: 650; font-variant-numeric: tabular-nums; }
.ci { color: var(--muted); font-size: 0.85rem; font-variant-numeric: tabular-nums; }
.bar {
  position: relative; height: 10px; margin-top: 5px; border-radius: 5px;
  background: var(--fail-bg);
}
.bar .fill {
  position: absolute; left: 0; top: 0; bottom: 0; border-radius: 5px;
  background: #4ac26b;
}
.bar .whisker {
  position: absolute; top: -3px; height: 16px;
  border: 2px solid var(--fg); border-top: none; border-bottom: none;
}
.bar .whisker::after {
  content: ""; position: absolute; left: 0; right: 0; top: 7px;
  border-top: 2px solid var(--fg);
}
.heat-wrap { overflow-x: auto; }
table.heat th.task { font-weight: 600; max-width: 320px; }
table.heat td.cell {
  text-align: center; vertical-align: middle; min-width: 84px; cursor: pointer;
  font-variant-numeric: tabular-nums; border: 2px solid var(--bg);
  border-radius: 6px;
}
table.heat td.cell:hover { outline: 2px solid var(--accent); }
table.heat td.empty { color: var(--muted); background: var(--panel); }
.err-note { display: block; font-size: 0.75rem; color: var(--error); }
.legend { display: flex; gap: 14px; align-items: center; margin-top: 8px;
  color: var(--muted); font-size: 0.8rem; }
.legend .sw { display: inline-block; width: 14px; height: 14px;
  border-radius: 3px; vertical-align: -2px; margin-right: 4px; }
.cols { display: flex; flex-wrap: wrap; gap: 36px; }
.cols > div { min-width: 280px; }
.cols > div.wide { flex-basis: 100%; }
table.modes td.zero { color: #b0b7be; }
table.failed-checks td:first-child { white-space: nowrap; }
ul.errors { margin: 4px 0; padding-left: 18px; }
ul.errors li { margin: 2px 0; }
.badge {
  display: inline-block; padding: 1px 8px; border-radius: 10px;
  font-size: 0.78rem; font-weight: 600; line-height: 1.5;
}
.badge.passed { color: var(--pass); background: var(--pass-bg); }
.badge.failed { color: var(--fail); background: var(--fail-bg); }
.badge.error { color: var(--error); background: var(--error-bg); }
.badge.running { color: var(--run); background: var(--run-bg); }
.badge.kind { color: var(--fail); background: var(--fail-bg); font-weight: 500; }
.filters { display: flex; gap: 10px; margin-bottom: 10px; flex-wrap: wrap; }
select, button {
  font: inherit; font-size: 0.9rem; padding: 4px 8px; border-radius: 6px;
  border: 1px solid var(--line); background: var(--bg); color: var(--fg);
}
button { cursor: pointer; background: var(--panel); }
table.attempts { width: 100%; }
table.attempts td { white-space: nowrap; }
table.attempts td.reason { white-space: normal; max-width: 28em; }
.table-wrap { overflow-x: auto; }
table.attempts tbody tr { cursor: pointer; }
table.attempts tbody tr:hover, table.attempts tbody tr.current {
  background: #ddf4ff;
}
table.attempts a { color: var(--accent); text-decoration: none; }
#more { margin-top: 10px; }
body.drawer-open { padding-right: min(680px, 52vw); }
#drawer {
  position: fixed; top: 0; right: 0; bottom: 0; width: min(680px, 52vw);
  background: var(--bg); border-left: 1px solid var(--line);
  box-shadow: -6px 0 18px rgba(31, 35, 40, 0.08); overflow-y: auto;
  padding: 0 24px 40px;
}
#drawer[hidden] { display: none; }
.drawer-head {
  position: sticky; top: 0; background: var(--bg); padding: 16px 0 10px;
  border-bottom: 1px solid var(--line); display: flex;
  justify-content: space-between; align-items: baseline; z-index: 1;
}
.drawer-head h3 { margin: 0; font-size: 1.05rem; }
#d-close { color: var(--muted); text-decoration: none; font-size: 1.4rem;
  line-height: 1; }
.facts { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 12px 0;
  color: var(--muted); font-size: 0.88rem; }
.facts b { color: var(--fg); font-weight: 600; }
pre {
  margin: 6px 0; padding: 8px 10px; background: var(--panel);
  border-radius: 6px; white-space: pre-wrap; word-break: break-word;
  max-height: 420px; overflow: auto;
}
pre.error-text { background: var(--error-bg); }
.check { padding: 8px 0; border-bottom: 1px solid #eef1f4; }
.check .check-name { margin-left: 6px; }
.check .kind { color: var(--muted); margin-left: 6px; }
.check pre { margin-top: 4px; }
.turn { margin: 14px 0; padding: 10px 12px; border: 1px solid var(--line);
  border-radius: 8px; }
.turn-head { display: flex; justify-content: space-between; gap: 8px;
  color: var(--muted); font-size: 0.82rem; margin-bottom: 4px; }
.turn-head b { color: var(--fg); }
.content { background: transparent; padding: 2px 0; font-family: inherit;
  font-size: 0.95rem; max-height: none; }
details.reasoning summary { cursor: pointer; color: var(--muted);
  font-size: 0.85rem; }
details.reasoning pre { font-style: italic; color: #424a53; }
.call { margin: 8px 0 4px; padding: 8px 10px; border-left: 3px solid var(--accent);
  background: #fbfcfd; border-radius: 0 6px 6px 0; }
.call.bad { border-left-color: var(--fail); }
.call-head { display: flex; gap: 8px; align-items: baseline;
  flex-wrap: wrap; font-size: 0.85rem; color: var(--muted); }
.tool-name { font-weight: 650; color: var(--fg); }
.label { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.05em;
  color: var(--muted); margin-top: 6px; }
.warn { color: var(--error); font-size: 0.85rem; }
.omitted { padding: 10px 12px; background: var(--error-bg); border-radius: 6px; }
)css";

const char kHtmlReportJs[] = R"js(
(function () {
  'use strict';
  var PAGE = 200;
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmtMs(ms) {
    return ms >= 1000 ? (ms / 1000).toFixed(1) + ' s' : Math.round(ms) + ' ms';
  }
  function pretty(s) {
    try { return JSON.stringify(JSON.parse(s), null, 2); } catch (e) { return s; }
  }
  var meta = JSON.parse($('es-meta').textContent);
  // [id, model, task, epoch, try, outcome|"running", termination, turns,
  //  tokens, wall_ms, error, reason]; epochs (and turns, checks) count
  //  from 1 as embedded: the page prints them as they are.
  var attempts = JSON.parse($('es-attempts').textContent);
  var byId = {};
  attempts.forEach(function (a) { byId[a[0]] = a; });
  var shown = PAGE;

  function matches(a) {
    var fm = $('f-model').value, ft = $('f-task').value, fo = $('f-outcome').value;
    if (fm !== '' && a[1] !== +fm) return false;
    if (ft !== '' && a[2] !== +ft) return false;
    if (fo === 'notpassed') return a[5] === 'failed' || a[5] === 'error';
    return fo === '' || a[5] === fo;
  }
  function renderList() {
    var body = $('att-body'), frag = document.createDocumentFragment();
    var total = 0, n = 0;
    body.textContent = '';
    for (var i = 0; i < attempts.length; i++) {
      var a = attempts[i];
      if (!matches(a)) continue;
      ++total;
      if (n >= shown) continue;
      ++n;
      var tr = el('tr');
      tr.dataset.id = a[0];
      var link = el('a', null, '#' + a[0]);
      link.href = '#attempt-' + a[0];
      var cells = [link, meta.models[a[1]], meta.tasks[a[2]], a[3],
                   el('span', 'badge ' + a[5], a[5] === 'running' ? 'unfinished' : a[5]),
                   a[6], a[7], a[8], fmtMs(a[9]), a[11] || ''];
      cells.forEach(function (c, k) {
        var td = el('td', k >= 6 && k <= 8 ? 'num' : (k === 9 ? 'reason' : null));
        if (typeof c === 'object') td.appendChild(c); else td.textContent = c;
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    }
    body.appendChild(frag);
    $('att-count').textContent = total === attempts.length
        ? '(' + total + ')' : '(' + total + ' of ' + attempts.length + ')';
    $('more').hidden = total <= n;
  }
  function setFilter(model, task, outcome) {
    $('f-model').value = model; $('f-task').value = task;
    $('f-outcome').value = outcome || '';
    shown = PAGE;
    renderList();
    $('attempts').scrollIntoView();
  }

  function renderCall(c) {
    var box = el('div', 'call' + (c.is_error ? ' bad' : ''));
    var head = el('div', 'call-head');
    head.appendChild(el('span', 'tool-name', c.name || '(no name)'));
    if (c.error_kind) head.appendChild(el('span', 'badge kind', c.error_kind));
    if (c.exit_code !== undefined) head.appendChild(el('span', null, 'exit ' + c.exit_code));
    if (c.is_error && !c.error_kind) head.appendChild(el('span', 'badge failed', 'tool error'));
    head.appendChild(el('span', null, fmtMs(c.ms)));
    box.appendChild(head);
    box.appendChild(el('div', 'label', 'arguments'));
    box.appendChild(el('pre', 'args', pretty(c.args)));
    box.appendChild(el('div', 'label', 'result'));
    box.appendChild(el('pre', 'result', c.result));
    return box;
  }
  function renderTurn(t) {
    var box = el('div', 'turn');
    var head = el('div', 'turn-head');
    var left = el('span');
    left.appendChild(el('b', null, 'Turn ' + t.index));
    left.appendChild(document.createTextNode(' · ' + (t.finish || 'no finish reason')));
    head.appendChild(left);
    var facts = [];
    if (t.prompt_tokens !== undefined) facts.push(t.prompt_tokens + ' → ' + t.completion_tokens + ' tokens');
    if (t.ttft_ms !== undefined) facts.push('TTFT ' + fmtMs(t.ttft_ms));
    facts.push(fmtMs(t.ms));
    if (t.retries) facts.push(t.retries + ' retries');
    head.appendChild(el('span', null, facts.join(' · ')));
    box.appendChild(head);
    if (t.reasoning) {
      var det = el('details', 'reasoning');
      det.appendChild(el('summary', null, 'reasoning (' + t.reasoning.length + ' characters)'));
      det.appendChild(el('pre', null, t.reasoning));
      box.appendChild(det);
    }
    if (t.content) box.appendChild(el('pre', 'content', t.content));
    if (t.leaked) box.appendChild(el('div', 'warn', 'tool-call markup leaked into the content: ' + t.leaked));
    t.calls.forEach(function (c) { box.appendChild(renderCall(c)); });
    return box;
  }
  function openAttempt(id) {
    var a = byId[id], node = $('t-' + id);
    if (!a) return;
    var t = node ? JSON.parse(node.textContent) : null;
    var body = $('d-body');
    body.textContent = '';
    $('d-title').textContent = '#' + id + ' · ' + meta.models[a[1]] + ' · ' + meta.tasks[a[2]];
    var facts = el('div', 'facts');
    facts.appendChild(el('span', 'badge ' + a[5], a[5] === 'running' ? 'unfinished' : a[5]));
    [['task', meta.titles[a[2]]], ['epoch', a[3]], ['try', a[4]],
     ['termination', a[6] || '-'], ['turns', a[7]], ['tokens', a[8]],
     ['wall', fmtMs(a[9])], ['reason', a[11] || '-']].forEach(function (f) {
      var s = el('span', null, f[0] + ' ');
      s.appendChild(el('b', null, f[1]));
      facts.appendChild(s);
    });
    body.appendChild(facts);
    if (a[10]) body.appendChild(el('pre', 'error-text', a[10]));
    if (!t) {
      body.appendChild(el('div', 'omitted', 'The checks and turns of this attempt are not ' +
          'embedded: the report reached its size limit. They are in the database (attempt ' +
          id + ').'));
      t = {checks: [], turns: [], none: true};
    } else {
      body.appendChild(el('h3', null, 'Checks (' + t.checks.length + ')'));
    }
    if (!t.checks.length && !t.none) body.appendChild(el('div', 'note', 'no check ran'));
    t.checks.forEach(function (c) {
      var box = el('div', 'check');
      box.appendChild(el('span', 'badge ' + c.verdict, c.verdict));
      box.appendChild(el('b', 'check-name', c.name || (c.kind + ' (check ' + c.index + ')')));
      box.appendChild(el('span', 'kind', c.kind));
      box.appendChild(el('pre', 'detail', c.detail));
      var spec = el('details');
      spec.appendChild(el('summary', 'sub', 'spec'));
      spec.appendChild(el('pre', null, pretty(c.spec)));
      box.appendChild(spec);
      body.appendChild(box);
    });
    if (!t.none) body.appendChild(el('h3', null, 'Transcript'));
    if (!t.turns.length && !t.none) body.appendChild(el('div', 'note', 'no turns recorded'));
    t.turns.forEach(function (turn) { body.appendChild(renderTurn(turn)); });
    var old = document.querySelector('tr.current');
    if (old) old.classList.remove('current');
    var row = document.querySelector('#att-body tr[data-id="' + id + '"]');
    if (row) row.classList.add('current');
    $('drawer').hidden = false;
    document.body.classList.add('drawer-open');
    $('drawer').scrollTop = 0;
  }
  function closeDrawer() {
    $('drawer').hidden = true;
    document.body.classList.remove('drawer-open');
  }
  function route() {
    var m = /^#attempt-(\d+)$/.exec(location.hash);
    if (m) openAttempt(+m[1]); else closeDrawer();
  }

  ['f-model', 'f-task', 'f-outcome'].forEach(function (id) {
    $(id).addEventListener('change', function () { shown = PAGE; renderList(); });
  });
  $('more').addEventListener('click', function () { shown += PAGE * 5; renderList(); });
  $('att-body').addEventListener('click', function (e) {
    var tr = e.target.closest('tr');
    if (tr && e.target.tagName !== 'A') location.hash = 'attempt-' + tr.dataset.id;
  });
  document.querySelectorAll('td.cell[data-model]').forEach(function (td) {
    td.addEventListener('click', function () {
      setFilter(td.dataset.model, td.dataset.task, '');
    });
  });
  document.querySelectorAll('table.models tbody tr').forEach(function (tr) {
    tr.addEventListener('click', function () { setFilter(tr.dataset.model, '', ''); });
  });
  $('d-close').addEventListener('click', function (e) {
    e.preventDefault();
    history.replaceState(null, '', location.pathname + location.search);
    closeDrawer();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !$('drawer').hidden) $('d-close').click();
  });
  window.addEventListener('hashchange', route);
  renderList();
  route();
})();
)js";

}  // namespace endstate::report
