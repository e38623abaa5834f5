// The live coverage board. One page, no framework: a snapshot from /events, then updates merged
// in as they come (at most one a second). Chinese by default; the English switch is remembered.
'use strict';

const I18N = {
  zh: {
    title: '核酸采样实时看板', target: '目标', campaignClock: '战役时钟', county: '全县', coverage: '覆盖率',
    sampled: '已采样', population: '常住人口', rate: '每小时', eta: '预计达标', townships: '乡镇',
    worstFirst: '（最落后在前）', sites: '采样点', site: '采样点', township: '乡镇', state: '状态',
    lastScan: '最后采样', rate15: '速率(15分) / 能力', queue: '排队', throughput: '采样人数 / 5分钟',
    alerts: '告警', resolved: '最近解除', health: '数据健康', eventsPerSecond: '事件/秒', events: '事件总数',
    duplicates: '重复', late: '迟到', deadLetters: '死信', watermarkLag: '水位延迟', perHour: '/时',
    coverageCol: '覆盖率', etaShort: '达标时间', laggingSilent: '滞后/静默', reached: '已达标', noRate: '—', by: '截止', lagging: '滞后', silentN: '静默', noAlerts: '无告警',
    noneResolved: '暂无', lasted: '持续', ago: '前', countyLine: '全县', more: (n) => `另有 ${n} 条告警未显示`,
    status: { live: '实时', rebuilding: '正在恢复…', connecting: '连接 Kafka…', lost: 'Kafka 中断 · 最后画面', offline: '看板连接中断' },
    condition: { clear: '畅通', busy: '繁忙', congested: '拥堵', silent: '静默', closed: '已关闭', paused: '暂停', waiting: '未开始' },
    kind: { SITE_SILENT: '采样点静默', SITE_SLOW: '采样缓慢', SITE_CONGESTED: '排队拥堵', STATION_OFFLINE: '采样站离线',
      TOWNSHIP_BEHIND_PLAN: '乡镇进度落后', FEED_STALLED: '数据中断' },
    min: '分钟', h: '小时', d: '天', s: '秒',
  },
  en: {
    title: 'Live coverage board', target: 'Target', campaignClock: 'Campaign clock', county: 'County', coverage: 'coverage',
    sampled: 'Sampled', population: 'Residents', rate: 'Per hour', eta: 'Target reached at', townships: 'Townships',
    worstFirst: '(worst first)', sites: 'Sites', site: 'Site', township: 'Township', state: 'State',
    lastScan: 'Last scan', rate15: 'Rate (15 min) / cap.', queue: 'Queue', throughput: 'People sampled per 5 minutes',
    alerts: 'Alerts', resolved: 'Recently resolved', health: 'Data health', eventsPerSecond: 'Events/s', events: 'Events',
    duplicates: 'Duplicates', late: 'Late', deadLetters: 'Dead letters', watermarkLag: 'Watermark lag', perHour: '/h',
    coverageCol: 'Coverage', etaShort: 'ETA', laggingSilent: 'lag/silent', reached: 'reached', noRate: '—', by: 'by', lagging: 'lagging', silentN: 'silent', noAlerts: 'No alerts',
    noneResolved: 'None yet', lasted: 'lasted', ago: 'ago', countyLine: 'County', more: (n) => `${n} more not shown`,
    status: { live: 'LIVE', rebuilding: 'Rebuilding…', connecting: 'Connecting to Kafka…', lost: 'Kafka lost · last picture', offline: 'Board unreachable' },
    condition: { clear: 'clear', busy: 'busy', congested: 'congested', silent: 'silent', closed: 'closed', paused: 'paused', waiting: 'not open' },
    kind: { SITE_SILENT: 'Site silent', SITE_SLOW: 'Site slow', SITE_CONGESTED: 'Site congested', STATION_OFFLINE: 'Station offline',
      TOWNSHIP_BEHIND_PLAN: 'Township behind plan', FEED_STALLED: 'Feed stalled' },
    min: 'min', h: 'h', d: 'd', s: 's',
  },
};
const CONDITION_ORDER = ['silent', 'congested', 'busy', 'clear', 'paused', 'waiting', 'closed'];
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#86bcb6', '#d37295', '#a0cbe8', '#ffbe7d', '#8cd17d', '#f1ce63', '#79706e', '#d4a6c8'];
const LANG_KEY = 'sweep.board.lang';

let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
const model = { campaign: null, status: 'connecting', board: null, sites: new Map(), buckets: new Map() };
const rows = new Map(); // site id -> <tr>
let sortKey = 'condition';
let sortAsc = true;
let chart = null;
let chartBuckets = [];
let updates = 0;

const $ = (id) => document.getElementById(id);
const t = (key) => I18N[lang][key] ?? key;
const nf = () => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US');
const fmtInt = (n) => (n == null ? '—' : nf().format(Math.round(n)));
const fmtPct = (x, digits = 1) => (x == null ? '—' : (x * 100).toFixed(digits) + '%');

/** Event time in the campaign's zone: HH:mm, or MM-DD HH:mm (the same in both languages). */
function fmtTime(ms, withDate) {
  if (ms == null || !model.campaign) return '—';
  const p = clockParts(ms);
  return withDate ? `${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.hour}:${p.minute}`;
}

function clockParts(ms) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: model.campaign.zone, year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  return Object.fromEntries(parts.map((x) => [x.type, x.value]));
}

function fmtClock(ms) {
  if (ms == null || !model.campaign) return '—';
  const p = clockParts(ms);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function fmtDuration(ms) {
  if (ms == null || !isFinite(ms)) return '—';
  const neg = ms < 0;
  let s = Math.abs(ms) / 1000;
  let out;
  if (s < 90) out = `${Math.round(s)} ${t('s')}`;
  else if (s < 5400) out = `${Math.round(s / 60)} ${t('min')}`;
  else if (s < 86400 * 2) out = `${Math.floor(s / 3600)} ${t('h')} ${String(Math.round((s % 3600) / 60)).padStart(2, '0')}`;
  else out = `${nf().format(Math.round(s / 86400))} ${t('d')}`;
  return (neg ? '-' : '') + out;
}

function fmtEta(etaMinutes, clock) {
  if (etaMinutes == null) return t('noRate');
  if (etaMinutes <= 0) return t('reached');
  if (clock == null) return `+${fmtDuration(etaMinutes * 60000)}`;
  return `${fmtTime(clock + etaMinutes * 60000, etaMinutes > 12 * 60)}<small>+${fmtDuration(etaMinutes * 60000)}</small>`;
}

// ---- the stream -----------------------------------------------------------------------------

function connect() {
  const es = new EventSource('/events');
  es.addEventListener('snapshot', (e) => { applySnapshot(JSON.parse(e.data)); });
  es.addEventListener('update', (e) => { applyUpdate(JSON.parse(e.data)); });
  es.addEventListener('status', (e) => { setStatus(JSON.parse(e.data).status); });
  es.onerror = () => {
    if (es.readyState === EventSource.OPEN) return;
    setStatus('offline');
    if (es.readyState === EventSource.CLOSED) { // the browser gave up (e.g. a proxy's error page): start over
      es.close();
      setTimeout(connect, 5000);
    }
  };
}

function applySnapshot(s) {
  const first = !model.campaign;
  model.campaign = s.campaign;
  model.board = s.board;
  model.sites = new Map(s.board.sites.map((x) => [x.id, x]));
  model.buckets = new Map(s.board.throughput.map((b) => [b.start, b]));
  if (first) buildStatic();
  buildSiteRows();
  countUpdate();
  render(true);
}

function applyUpdate(u) {
  if (!model.board) return;
  for (const s of u.sites) model.sites.set(s.id, s);
  for (const b of u.throughput) model.buckets.set(b.start, b);
  model.board = Object.assign({}, model.board, { status: u.status, clock: u.clock, county: u.county,
    townships: u.townships, alerts: u.alerts, health: u.health });
  countUpdate();
  render(u.throughput.length > 0, u.sites.map((s) => s.id));
}

function countUpdate() {
  updates += 1;
  document.body.dataset.updates = String(updates);
}

function setStatus(status) {
  model.status = status;
  document.body.dataset.status = status;
  $('status').textContent = I18N[lang].status[status] ?? status;
}

// ---- rendering --------------------------------------------------------------------------------

function buildStatic() {
  const c = model.campaign;
  $('zone').textContent = c.zone;
  $('county-target').style.left = `${c.target * 100}%`;
  buildChart();
}

function render(chartChanged, changedSites) {
  const b = model.board;
  const start = performance.now();
  setStatus(b.status);
  renderHeader();
  renderCounty(b);
  renderTownships(b);
  renderSites(changedSites);
  renderAlerts(b);
  renderHealth(b);
  if (chartChanged) renderChart();
  window.boardRenderMs = performance.now() - start;
}

function renderHeader() {
  const c = model.campaign;
  if (!c) return;
  const title = lang === 'zh' ? c.title : `${t('title')} · ${c.name}`;
  $('title').textContent = title;
  document.title = title;
  $('target').textContent = `${fmtPct(c.target, 0)} ${t('by')} ${fmtTime(c.deadline, true)}`;
  $('clock').textContent = fmtClock(model.board ? model.board.clock : null);
}

function renderCounty(b) {
  const c = b.county;
  const sampled = $('county-sampled');
  sampled.dataset.value = String(c.sampled);
  sampled.textContent = fmtInt(c.sampled);
  $('county-population').textContent = fmtInt(c.population);
  $('county-coverage').textContent = fmtPct(c.coverage);
  $('county-bar').style.width = `${Math.min(100, c.coverage * 100)}%`;
  $('county-rate').textContent = `${fmtInt(c.ratePerHour)}${t('perHour')}`;
  $('county-eta').innerHTML = fmtEta(c.etaMinutes, b.clock);
}

function townshipName(id) {
  const tw = model.campaign.townships.find((x) => x.id === id);
  return tw ? (lang === 'zh' ? tw.nameZh : tw.name) : id;
}

function renderTownships(b) {
  const box = $('township-rows');
  const target = model.campaign.target;
  const html = [`<div class="trow head"><div>${t('township')}</div><div></div><div>${t('coverageCol')}</div>
    <div>${t('sampled')} / ${t('population')}</div><div>${t('rate')}</div><div>${t('etaShort')}</div><div>${t('laggingSilent')}</div></div>`];
  for (const r of b.townships) {
    const cls = r.coverage >= target ? 'reached' : r.behindPlan ? 'behind' : '';
    html.push(`<div class="trow ${cls}" id="township-${esc(r.id)}" data-coverage="${r.coverage}">
      <div class="name">${esc(lang === 'zh' ? r.nameZh : r.name)}</div>
      <div class="bar"><div class="fill" style="width:${Math.min(100, r.coverage * 100)}%"></div>
        <div class="target-line" style="left:${target * 100}%"></div></div>
      <div class="pct">${fmtPct(r.coverage)}</div>
      <div class="n">${fmtInt(r.sampled)} / ${fmtInt(r.population)}</div>
      <div class="n">${fmtInt(r.ratePerHour)}${t('perHour')}</div>
      <div class="n">${esc(r.etaMinutes == null ? t('noRate') : r.etaMinutes <= 0 ? t('reached') : fmtTime(b.clock + r.etaMinutes * 60000, r.etaMinutes > 12 * 60))}</div>
      <div class="badges">${r.lagging ? `<span class="badge lagging" title="${t('lagging')}">${r.lagging}</span>` : ''}${r.silent ? `<span class="badge silent" title="${t('silentN')}">${r.silent}</span>` : ''}</div>
    </div>`);
  }
  box.innerHTML = html.join('');
}

function buildSiteRows() {
  const body = $('site-rows');
  body.textContent = '';
  rows.clear();
  for (const s of model.sites.values()) {
    const tr = document.createElement('tr');
    tr.id = `site-${s.id}`;
    tr.innerHTML = '<td class="name"></td><td><span class="state"></span></td>'
      + '<td class="n last"></td><td class="n rate"></td><td class="n queue"></td><td class="n sampled"></td>';
    rows.set(s.id, tr);
    fillSiteRow(tr, s);
    body.appendChild(tr);
  }
}

function fillSiteRow(tr, s) {
  tr.className = s.condition;
  tr.dataset.condition = s.condition;
  tr.dataset.alerts = s.alerts.join(' ');
  const c = tr.children;
  c[0].textContent = lang === 'zh' ? s.nameZh : s.nameEn;
  c[0].title = `${s.id} · ${townshipName(s.township)}`;
  const badge = c[1].firstChild;
  badge.className = `state ${s.condition}`;
  badge.textContent = I18N[lang].condition[s.condition] ?? s.condition;
  c[2].textContent = s.lastScan == null ? '—' : fmtTime(s.lastScan);
  const load = s.capacity > 0 ? s.rate15 / s.capacity : 0;
  c[3].innerHTML = `<span class="load ${load < 0.5 && s.station === 'OPEN' && (s.queue ?? 0) > 0 ? 'low' : ''}"><i style="width:${Math.min(100, load * 100)}%"></i></span>${fmtInt(s.rate15)} / ${fmtInt(s.capacity)}`;
  c[4].textContent = s.queue == null ? '—' : fmtInt(s.queue);
  c[5].textContent = fmtInt(s.sampled);
}

function sortValue(s) {
  switch (sortKey) {
    case 'name': return s.id;
    case 'condition': return CONDITION_ORDER.indexOf(s.condition) * 1e6 - (s.queue ?? 0);
    case 'lastScan': return s.lastScan ?? 0;
    case 'load': return s.capacity > 0 ? s.rate15 / s.capacity : 0;
    case 'queue': return s.queue ?? -1;
    case 'sampled': return s.sampled;
    default: return s.id;
  }
}

function renderSites(changed) {
  const all = [...model.sites.values()];
  const ids = changed ?? all.map((s) => s.id);
  for (const id of ids) {
    const tr = rows.get(id);
    if (tr) fillSiteRow(tr, model.sites.get(id));
  }
  all.sort((a, b) => {
    const va = sortValue(a); const vb = sortValue(b);
    const cmp = va < vb ? -1 : va > vb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return sortAsc ? cmp : -cmp;
  });
  const body = $('site-rows');
  let i = 0;
  for (const s of all) {
    const tr = rows.get(s.id);
    if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
    i += 1;
  }
  const counts = {};
  for (const s of all) counts[s.condition] = (counts[s.condition] ?? 0) + 1;
  $('state-legend').innerHTML = CONDITION_ORDER.filter((k) => counts[k])
    .map((k) => `<span class="state ${k}">${I18N[lang].condition[k]} ${counts[k]}</span>`).join('');
  document.querySelectorAll('#site-table th').forEach((th) => {
    th.classList.toggle('sorted', th.dataset.sort === sortKey);
    th.classList.toggle('asc', th.dataset.sort === sortKey && sortAsc);
  });
}

function alertWhere(a) {
  if (a.site) {
    const s = model.sites.get(a.site);
    return `${s ? (lang === 'zh' ? s.nameZh : s.nameEn) : a.site}`;
  }
  return a.township ? townshipName(a.township) : t('county');
}

function alertAge(a, clock) {
  // Event-time incidents age on the campaign clock; a stalled feed on the wall clock.
  const now = a.kind === 'FEED_STALLED' || clock == null ? Date.now() : clock;
  return now - a.since;
}

// Most urgent first: the whole feed, then a station nobody hears, a site nobody scans at, a line, a township, a slow site.
const URGENCY = ['FEED_STALLED', 'STATION_OFFLINE', 'SITE_SILENT', 'SITE_CONGESTED', 'TOWNSHIP_BEHIND_PLAN', 'SITE_SLOW'];
const urgency = (a) => { const i = URGENCY.indexOf(a.kind); return i < 0 ? URGENCY.length : i; };

function renderAlerts(b) {
  const active = [...b.alerts.active].sort((x, y) => urgency(x) - urgency(y) || x.since - y.since || (x.id < y.id ? -1 : 1));
  const count = $('alert-count');
  count.textContent = String(active.length);
  count.classList.toggle('on', active.length > 0);
  // More than three: one line each, and the resolved ones make room (they are over).
  $('alerts').classList.toggle('crowded', active.length > 3);
  const resolved = b.alerts.resolved.slice(0, active.length > 0 ? 2 : 8);
  $('alerts-resolved').innerHTML = resolved.length === 0 ? `<li class="none">${t('noneResolved')}</li>` : resolved.map((a) => `
    <li class="${esc(a.kind)}" data-id="${esc(a.id)}" data-kind="${esc(a.kind)}" data-site="${esc(a.site ?? '')}">
      <div class="head"><span>${esc(I18N[lang].kind[a.kind] ?? a.kind)} · ${esc(alertWhere(a))}</span>
        <span class="age">${fmtTime(a.at)} · ${t('lasted')} ${fmtDuration(a.at - a.since)}</span></div></li>`).join('');
  const list = $('alerts-active');
  list.innerHTML = active.length === 0 ? `<li class="none">${t('noAlerts')}</li>` : active.map((a) => `
    <li class="${esc(a.kind)}" data-id="${esc(a.id)}" data-kind="${esc(a.kind)}" data-site="${esc(a.site ?? '')}">
      <div class="head"><span>${esc(I18N[lang].kind[a.kind] ?? a.kind)} · ${esc(alertWhere(a))}</span>
        <span class="age">${fmtDuration(alertAge(a, b.clock))}</span></div>
      <div class="msg">${esc(lang === 'zh' ? a.message : a.messageEn)}</div></li>`).join('');
  fitAlerts(list, active.length);
}

/**
 * Every active alert must be seen on the wall without scrolling: when they do not all fit, the least urgent give
 * way, one by one, to a line counting them.
 */
function fitAlerts(list, total) {
  list.dataset.hidden = '0';
  if (total === 0 || list.scrollHeight <= list.clientHeight + 1) return;
  const more = document.createElement('li');
  more.className = 'more';
  list.appendChild(more);
  let shown = total;
  do {
    list.removeChild(more.previousElementSibling);
    shown -= 1;
    more.textContent = t('more')(total - shown);
  } while (shown > 1 && list.scrollHeight > list.clientHeight + 1);
  list.dataset.hidden = String(total - shown);
}

function renderHealth(b) {
  const h = b.health;
  $('health-rate').textContent = fmtInt(h.eventsPerSecond);
  $('health-events').textContent = fmtInt(h.events);
  $('health-duplicates').textContent = fmtInt(h.duplicates);
  $('health-late').textContent = fmtInt(h.late);
  $('health-dead').textContent = fmtInt(h.deadLetters + h.unreadable);
  const lag = $('health-lag');
  lag.textContent = fmtDuration(h.watermarkLagMs);
  lag.classList.toggle('warn', h.watermarkLagMs != null && h.watermarkLagMs > 60000);
}

// ---- the throughput chart: townships stacked, the county on top ------------------------------

function seriesColor(i) { return PALETTE[i % PALETTE.length]; }

function buildChart() {
  const box = $('chart');
  const townships = model.campaign.townships;
  const series = [{}];
  townships.forEach((tw, i) => series.push({ label: tw.id, stroke: seriesColor(i), fill: seriesColor(i) + 'cc', width: 1, points: { show: false } }));
  series.push({ label: 'county', stroke: '#ffffff', width: 3, points: { show: false } });
  const bands = [];
  for (let i = 2; i <= townships.length; i++) bands.push({ series: [i, i - 1], fill: seriesColor(i - 1) + 'cc' });
  series[1].fill = seriesColor(0) + 'cc';
  const opts = {
    width: Math.max(200, box.clientWidth), height: Math.max(120, box.clientHeight),
    legend: { show: false }, cursor: { show: false }, bands,
    scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(10, max * 1.08)] } },
    axes: [
      { stroke: '#8fa1bd', grid: { stroke: '#1e2a40' }, ticks: { stroke: '#1e2a40' }, space: 90, font: '15px sans-serif',
        values: (u, splits) => {
          let day = null;
          return splits.map((x) => {
            const b = chartBuckets[Math.round(x)];
            if (b == null || Math.abs(x - Math.round(x)) > 1e-6) return '';
            const d = clockParts(b.start).day;
            const label = fmtTime(b.start, day !== null && d !== day);
            day = d;
            return label;
          });
        } },
      { stroke: '#8fa1bd', grid: { stroke: '#1e2a40' }, ticks: { stroke: '#1e2a40' }, size: 70, font: '15px sans-serif',
        values: (u, splits) => splits.map((v) => nf().format(v)) },
    ],
    series,
  };
  chart = new uPlot(opts, [[], ...series.slice(1).map(() => [])], box);
  new ResizeObserver(() => chart.setSize({ width: Math.max(200, box.clientWidth), height: Math.max(120, box.clientHeight) })).observe(box);
  renderLegend();
}

function renderLegend() {
  if (!model.campaign) return;
  $('chart-legend').innerHTML = `<span><i style="background:#fff"></i>${t('countyLine')}</span>`
    + model.campaign.townships.map((tw, i) => `<span><i style="background:${seriesColor(i)}"></i>${esc(lang === 'zh' ? tw.nameZh : tw.name)}</span>`).join('');
}

function renderChart() {
  if (!chart) return;
  // Only buckets that saw anyone: the night between waves takes no room.
  chartBuckets = [...model.buckets.values()].sort((a, b) => a.start - b.start);
  const townships = model.campaign.townships;
  const x = chartBuckets.map((_, i) => i);
  const stacked = [];
  const acc = new Array(chartBuckets.length).fill(0);
  for (const tw of townships) {
    chartBuckets.forEach((b, i) => { acc[i] += b.townships[tw.id] ?? 0; });
    stacked.push(acc.slice());
  }
  const county = chartBuckets.map((b) => b.county);
  chart.setData([x, ...stacked, county]);
  $('chart').dataset.buckets = String(chartBuckets.length);
  $('chart').dataset.peak = String(Math.max(0, ...county));
}

// ---- language --------------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $('lang-toggle').textContent = lang === 'zh' ? 'EN' : '中文';
  setStatus(model.status);
  if (model.board) {
    renderLegend();
    for (const [id, tr] of rows) fillSiteRow(tr, model.sites.get(id));
    render(true);
  }
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

document.addEventListener('DOMContentLoaded', () => {
  $('lang-toggle').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, lang);
    applyLanguage();
  });
  document.querySelectorAll('#site-table th').forEach((th) => th.addEventListener('click', () => {
    if (sortKey === th.dataset.sort) sortAsc = !sortAsc; else { sortKey = th.dataset.sort; sortAsc = true; }
    if (model.board) renderSites([]);
  }));
  // Alert ages tick between updates.
  setInterval(() => { if (model.board) renderAlerts(model.board); }, 5000);
  applyLanguage();
  connect();
});
