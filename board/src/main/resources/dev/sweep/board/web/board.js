// The live coverage board. One page, no framework. The page looks at one area of the campaign's tree at a time (the
// link says which: #area=CG&site=NX-CG-001&sort=queue&desc=1); /events sends the campaign-wide panels and that
// area's view (its figures, the areas below it, a page of its sites, its alerts), then what changes, at most once a
// second; another area is asked for on the same stream (/api/view?stream=...). Everything the page holds is
// bounded by the view, not by the campaign. Chinese by default; the English switch is remembered.
'use strict';

const I18N = {
  zh: {
    title: '核酸采样实时看板', target: '目标', campaignClock: '战役时钟', coverage: '覆盖率', people: '人',
    sampled: '已采样', population: '常住人口', rate: '每小时', eta: '预计达标', worstFirst: '（最落后在前）',
    sites: '采样点', site: '采样点', state: '状态', lastScan: '最后采样', rate15: '速率/能力', queue: '排队',
    throughput: '采样人数 / 5分钟', alerts: '告警', resolved: '最近解除', health: '数据健康', eventsPerSecond: '事件/秒',
    events: '事件总数', duplicates: '重复', late: '迟到', deadLetters: '死信', watermarkLag: '水位延迟', perHour: '/时',
    coverageCol: '覆盖率', lagCol: '较计划', etaShort: '达标时间', laggingSilent: '滞后/静默', reached: '已达标', noRate: '—',
    by: '截止', lagging: '滞后', silentN: '静默', noAlerts: '无告警', noneResolved: '暂无', lasted: '持续', ago: '前',
    searchHint: '查找采样点或区域：名称或编号', noMatch: '没有找到', moreMatches: (n) => `另有 ${n} 个结果，请输入更多`,
    more: (n) => `另有 ${n} 条告警未显示`, moreAreas: (n) => `仅显示最落后的 ${n} 个`, ofTotal: (n) => `共 ${n} 个`,
    behindPlan: (p) => `落后计划 ${p}`, aheadPlan: (p) => `超前计划 ${p}`, points: '个百分点',
    mostLagging: (level) => `最落后的${level}`, below: (level) => `下级${level}`, noChildren: '没有下级区域',
    siteCount: (n) => `${n} 个`, noSites: '此区域没有采样点', found: '查找结果', within: (name) => `${name}内`,
    status: { live: '实时', rebuilding: '正在恢复…', connecting: '连接 Kafka…', lost: 'Kafka 中断 · 最后画面', offline: '看板连接中断' },
    condition: { clear: '畅通', busy: '繁忙', congested: '拥堵', silent: '静默', closed: '已关闭', paused: '暂停', waiting: '未开始' },
    kind: { SITE_SILENT: '采样点静默', SITE_SLOW: '采样缓慢', SITE_CONGESTED: '排队拥堵', STATION_OFFLINE: '采样站离线',
      TOWNSHIP_BEHIND_PLAN: '进度落后', FEED_STALLED: '数据中断' },
    level: { county: '县', township: '乡镇', village: '村', city: '市', district: '区', street: '街道', community: '社区', province: '省', prefecture: '地市' },
    whole: { county: '全县', city: '全市', province: '全省', prefecture: '全市' },
    area: '区域', min: '分钟', h: '小时', d: '天', s: '秒',
  },
  en: {
    title: 'Live coverage board', target: 'Target', campaignClock: 'Campaign clock', coverage: 'coverage', people: 'people',
    sampled: 'Sampled', population: 'Residents', rate: 'Per hour', eta: 'Target reached at', worstFirst: '(worst first)',
    sites: 'Sites', site: 'Site', state: 'State', lastScan: 'Last scan', rate15: 'Rate / cap.', queue: 'Queue',
    throughput: 'People sampled per 5 minutes', alerts: 'Alerts', resolved: 'Recently resolved', health: 'Data health',
    eventsPerSecond: 'Events/s', events: 'Events', duplicates: 'Duplicates', late: 'Late', deadLetters: 'Dead letters',
    watermarkLag: 'Watermark lag', perHour: '/h', coverageCol: 'Coverage', lagCol: 'vs plan', etaShort: 'ETA',
    laggingSilent: 'lag/silent', reached: 'reached', noRate: '—', by: 'by', lagging: 'lagging', silentN: 'silent',
    noAlerts: 'No alerts', noneResolved: 'None yet', lasted: 'lasted', ago: 'ago',
    searchHint: 'Find a site or an area: name or id', noMatch: 'Nothing found', moreMatches: (n) => `${n} more: type more`,
    more: (n) => `${n} more not shown`, moreAreas: (n) => `the ${n} most lagging shown`, ofTotal: (n) => `of ${n}`,
    behindPlan: (p) => `${p} behind plan`, aheadPlan: (p) => `${p} ahead of plan`, points: 'pts',
    mostLagging: (level) => `Most lagging ${level}`, below: (level) => level, noChildren: 'No areas below',
    siteCount: (n) => `${n}`, noSites: 'No site stands in this area', found: 'Found', within: (name) => `in ${name}`,
    status: { live: 'LIVE', rebuilding: 'Rebuilding…', connecting: 'Connecting to Kafka…', lost: 'Kafka lost · last picture', offline: 'Board unreachable' },
    condition: { clear: 'clear', busy: 'busy', congested: 'congested', silent: 'silent', closed: 'closed', paused: 'paused', waiting: 'not open' },
    kind: { SITE_SILENT: 'Site silent', SITE_SLOW: 'Site slow', SITE_CONGESTED: 'Site congested', STATION_OFFLINE: 'Station offline',
      TOWNSHIP_BEHIND_PLAN: 'Behind plan', FEED_STALLED: 'Feed stalled' },
    level: { county: 'counties', township: 'townships', village: 'villages', city: 'cities', district: 'districts', street: 'streets', community: 'communities', province: 'provinces', prefecture: 'prefectures' },
    levelOne: { county: 'county', township: 'township', village: 'village', city: 'city', district: 'district', street: 'street', community: 'community', province: 'province', prefecture: 'prefecture' },
    whole: { county: 'County', city: 'City', province: 'Province', prefecture: 'Prefecture' },
    area: 'Area', min: 'min', h: 'h', d: 'd', s: 's',
  },
};
const CONDITION_ORDER = ['silent', 'congested', 'busy', 'clear', 'paused', 'waiting', 'closed'];
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#86bcb6', '#d37295', '#a0cbe8', '#ffbe7d', '#8cd17d', '#f1ce63', '#79706e', '#d4a6c8'];
const LANG_KEY = 'sweep.board.lang';
const SORTS = ['worst', 'name', 'lastScan', 'load', 'queue', 'sampled'];
const MAX_ROWS = 100; // the server's page at most (ViewKey.MAX_ROWS)

let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
// What the page holds: the campaign, the campaign-wide panels, the chart's buckets, and one view.
const model = { campaign: null, status: 'connecting', board: null, buckets: new Map(), view: null };
// The view the page wants (from the link, the clicks, the pager); the server's view says which it sends.
const want = { area: null, site: null, sort: 'worst', desc: false, offset: 0, rows: 30 };
let stream = null; // this page's event stream id
let source = null;
let chart = null;
let chartBuckets = [];
let updates = 0;
const siteRows = []; // a pool of <tr>, one per row of the page

const $ = (id) => document.getElementById(id);
const t = (key) => I18N[lang][key] ?? key;
const nf = () => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US');
const fmtInt = (n) => (n == null ? '—' : nf().format(Math.round(n)));
const fmtPct = (x, digits = 1) => (x == null ? '—' : (x * 100).toFixed(digits) + '%');
const nameOf = (x) => (x == null ? '' : lang === 'zh' ? x.nameZh : (x.name ?? x.nameEn));

function levelName(level) {
  return I18N[lang].level[level] ?? level ?? t('area');
}

/**
 * A name without what the breadcrumb already says: in 第4区第7街道, its community 第4区第7街道第1社区 is 第1社区 (generated
 * and official Chinese names repeat their parents'; the end is what tells them apart).
 */
function shortName(name) {
  const v = model.view;
  if (!v || lang !== 'zh' || !name) return name;
  let cut = 0;
  for (const c of v.path) {
    if (c.nameZh && c.nameZh.length > cut && name.length > c.nameZh.length && name.startsWith(c.nameZh)) cut = c.nameZh.length;
  }
  return name.slice(cut);
}

/** One area's level: 乡镇 / township (the plural is for lists). */
function levelOne(level) {
  return (I18N[lang].levelOne ?? I18N[lang].level)[level] ?? level ?? t('area');
}

/** The name of the whole campaign's area for its own panel: 全县 / County. */
function wholeName(area) {
  return I18N[lang].whole[area.level] ?? nameOf(area);
}

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
  const s = Math.abs(ms) / 1000;
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
  return fmtTime(clock + etaMinutes * 60000, etaMinutes > 12 * 60);
}

/** How far an area is behind the plan: the coverage the plan expects by now (the same for all) less its own. */
function lagOf(r) {
  return (model.board?.planned ?? 0) - r.coverage;
}

/** Lag behind the plan in percentage points: −2.1 behind, +0.4 ahead. */
function fmtLag(lag) {
  const p = Math.abs(lag * 100).toFixed(1);
  return lag > 0.0005 ? `−${p}` : `+${p}`;
}

// ---- the link: which view ----------------------------------------------------------------------

function readLink() {
  const p = new URLSearchParams(location.hash.replace(/^#/, ''));
  want.area = p.get('area') || null;
  want.site = p.get('site') || null;
  want.sort = SORTS.includes(p.get('sort')) ? p.get('sort') : 'worst';
  want.desc = p.get('desc') === '1';
  want.offset = 0;
}

function link(area, site, sort = want.sort, desc = want.desc) {
  const p = new URLSearchParams();
  if (area) p.set('area', area);
  if (site) p.set('site', site);
  if (sort !== 'worst') p.set('sort', sort);
  if (desc) p.set('desc', '1');
  return '#' + p.toString();
}

function query() {
  const p = new URLSearchParams();
  if (want.area) p.set('area', want.area);
  if (want.site) p.set('site', want.site);
  p.set('sort', want.sort);
  if (want.desc) p.set('desc', '1');
  p.set('offset', String(want.offset));
  p.set('rows', String(want.rows));
  return p.toString();
}

/** Whether the view on the page is the one wanted. */
function showing() {
  const k = model.view?.key;
  if (!k) return false;
  return k.area === (want.area ?? model.campaign.root.id) && (k.site ?? null) === want.site && k.sort === want.sort
    && k.desc === want.desc && k.offset === want.offset && k.rows === want.rows;
}

let asked = null; // the view asked for on this stream, so it is asked once: it comes on the stream
/** Asks the server for the wanted view on this page's stream (the view comes on the stream). */
function askView() {
  if (!stream || showing()) return;
  const q = query();
  if (asked === stream + '?' + q) return;
  asked = stream + '?' + q;
  fetch(`/api/view?stream=${encodeURIComponent(stream)}&${q}`, { cache: 'no-store' }).then((r) => {
    if (r.status === 404) { // the area or site is not in this campaign: back to the top (or the stream is gone)
      r.text().then((msg) => {
        if (/^(area|site):/.test(msg)) location.hash = '';
      });
    } else if (r.status === 429) { // too many changes at once: the latest wish, a second later
      asked = null;
      setTimeout(askView, 1000);
    }
  }, () => { asked = null; });
}

// ---- the stream -----------------------------------------------------------------------------

function connect() {
  const es = new EventSource(`/events?${query()}`);
  source = es;
  es.addEventListener('hello', (e) => { stream = JSON.parse(e.data).stream; });
  es.addEventListener('snapshot', (e) => { count(e); applySnapshot(JSON.parse(e.data)); });
  es.addEventListener('update', (e) => { count(e); applyUpdate(JSON.parse(e.data)); });
  es.addEventListener('view', (e) => { count(e); applyView(JSON.parse(e.data).view); });
  es.addEventListener('status', (e) => { setStatus(JSON.parse(e.data).status); });
  es.onerror = () => {
    if (es.readyState === EventSource.OPEN) return;
    stream = null;
    setStatus('offline');
    if (es.readyState === EventSource.CLOSED) { // the browser gave up (e.g. a proxy's error page): start over
      es.close();
      setTimeout(connect, 5000);
    }
  };
}

/** Bytes of events taken, for the measurements (the server counts its own). */
function count(e) {
  window.boardEventChars = (window.boardEventChars ?? 0) + e.data.length;
}

function applySnapshot(s) {
  const first = !model.campaign;
  model.campaign = s.campaign;
  model.board = s.board;
  model.buckets = new Map(s.buckets.map((b) => [b.start, b]));
  model.view = s.view;
  if (first) buildStatic();
  countUpdate();
  render(true);
  askView();
}

function applyUpdate(u) {
  if (!model.board) return;
  if (u.board) model.board = merge(model.board, u.board);
  if (u.buckets) for (const b of u.buckets) model.buckets.set(b.start, b);
  if (u.view) model.view = merge(model.view, u.view);
  countUpdate();
  // The plan moves with the clock: every area's lag with it.
  render(!!u.buckets, !u.view && !(u.board && 'planned' in u.board));
}

function applyView(v) {
  model.view = v;
  countUpdate();
  renderView();
  askView();
}

/** Undoes the server's delta (JsonDelta): changed fields; for a list of rows, changed rows and the new order. */
function merge(old, delta) {
  if (delta === null || typeof delta !== 'object' || Array.isArray(delta)) return delta;
  if (Array.isArray(old)) {
    const byId = new Map(old.map((r) => [r.id, r]));
    for (const r of delta.rows ?? []) byId.set(r.id, r);
    return (delta.ids ?? old.map((r) => r.id)).map((id) => byId.get(id));
  }
  if (old === null || typeof old !== 'object') return delta;
  const out = Object.assign({}, old);
  for (const [k, v] of Object.entries(delta)) out[k] = merge(old[k], v);
  return out;
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
  $('focus-target').style.left = `${c.target * 100}%`;
  buildChart();
}

function render(chartChanged, boardOnly) {
  const b = model.board;
  const start = performance.now();
  setStatus(b.status);
  renderHeader();
  renderHealth(b);
  if (!boardOnly) renderView();
  else renderAlerts(); // their ages follow the clock
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
  const county = model.board.county;
  $('root-name').textContent = nameOf(c.root);
  $('county-coverage').textContent = fmtPct(county.coverage);
  const sampled = $('county-sampled');
  sampled.dataset.value = String(county.sampled);
  sampled.textContent = fmtInt(county.sampled);
}

function renderView() {
  const v = model.view;
  if (!v) return;
  document.body.dataset.area = v.key.area;
  document.body.dataset.site = v.key.site ?? '';
  renderCrumbs(v);
  renderFocus(v);
  renderChildren(v);
  renderWorst(v);
  renderSites(v);
  renderAlerts();
}

function renderCrumbs(v) {
  $('crumbs').innerHTML = v.path.map((c, i) => (i === v.path.length - 1
    ? `<span class="here" data-area="${esc(c.id)}">${esc(i === 0 ? wholeName(c) : nameOf(c))}</span>`
    : `<a href="${esc(link(c.id))}" data-area="${esc(c.id)}">${esc(i === 0 ? wholeName(c) : nameOf(c))}</a>`)).join('<span class="sep">›</span>');
}

function renderFocus(v) {
  const a = v.area;
  const root = v.path.length === 1;
  $('focus-name').textContent = root ? wholeName(a) : nameOf(a);
  $('focus-level').textContent = root ? (nameOf(a) === wholeName(a) ? '' : nameOf(a)) : levelOne(a.level);
  const sampled = $('focus-sampled');
  sampled.dataset.value = String(a.sampled);
  sampled.textContent = fmtInt(a.sampled);
  $('focus-population').textContent = fmtInt(a.population);
  $('focus-coverage').textContent = fmtPct(a.coverage);
  $('focus-bar').style.width = `${Math.min(100, a.coverage * 100)}%`;
  $('focus-plan').style.left = `${Math.min(100, model.board.planned * 100)}%`;
  $('focus-rate').textContent = `${fmtInt(a.ratePerHour)}${t('perHour')}`;
  $('focus-eta').innerHTML = esc(fmtEta(a.etaMinutes, model.board.clock))
    + (a.etaMinutes > 0 && model.board.clock != null ? `<small>+${esc(fmtDuration(a.etaMinutes * 60000))}</small>` : '');
  $('focus-eta').classList.toggle('warn', a.late);
  const lag = $('focus-lag');
  const behind = lagOf(a);
  const p = `${Math.abs(behind * 100).toFixed(1)} ${t('points')}`;
  lag.textContent = behind > 0.0005 ? t('behindPlan')(p) : t('aheadPlan')(p);
  lag.classList.toggle('behind', behind > 0.0005);
  $('focus').classList.toggle('behind', a.behindPlan);
}

/** One area's row: a link into it, its bar against the plan and the target, and its figures. */
function areaRow(r, prefix, clock) {
  const target = model.campaign.target;
  const cls = r.coverage >= target ? 'reached' : r.behindPlan ? 'behind' : '';
  return `<a class="trow ${cls}" href="${esc(link(r.id))}" id="${prefix}-${esc(r.id)}" data-area="${esc(r.id)}"
      data-coverage="${r.coverage}" data-sampled="${r.sampled}">
    <div class="name" title="${esc(nameOf(r))} · ${esc(r.id)}">${esc(shortName(nameOf(r)))}</div>
    <div class="bar"><div class="fill" style="width:${Math.min(100, r.coverage * 100)}%"></div>
      <div class="plan-line" style="left:${Math.min(100, model.board.planned * 100)}%"></div>
      <div class="target-line" style="left:${target * 100}%"></div></div>
    <div class="pct">${fmtPct(r.coverage)}</div>
    <div class="n lag ${lagOf(r) > 0.0005 ? 'behind' : ''}">${fmtLag(lagOf(r))}</div>
    <div class="n sampled" title="${t('population')} ${fmtInt(r.population)}">${fmtInt(r.sampled)}</div>
    <div class="n">${fmtInt(r.ratePerHour)}${t('perHour')}</div>
    <div class="n eta ${r.late ? 'warn' : ''}">${esc(fmtEta(r.etaMinutes, clock))}</div>
    <div class="badges">${r.lagging ? `<span class="badge lagging" title="${t('lagging')}">${r.lagging}</span>` : ''}${r.silent ? `<span class="badge silent" title="${t('silentN')}">${r.silent}</span>` : ''}</div>
  </a>`;
}

function rowsHead() {
  return `<div class="trow head"><div>${t('area')}</div><div></div><div>${t('coverageCol')}</div><div>${t('lagCol')}</div>
    <div>${t('sampled')}</div><div>${t('rate')}</div><div>${t('etaShort')}</div><div>${t('laggingSilent')}</div></div>`;
}

function renderChildren(v) {
  const c = v.children;
  $('areas-title').textContent = c.level ? t('below')(levelName(c.level)) : t('noChildren');
  $('areas-more').textContent = c.total > c.rows.length ? t('moreAreas')(c.rows.length) + ' · ' + t('ofTotal')(fmtInt(c.total)) : '';
  const clock = model.board.clock;
  $('area-rows').innerHTML = c.rows.length === 0 ? '' : rowsHead() + c.rows.map((r) => areaRow(r, 'area', clock)).join('');
  $('area-rows').classList.toggle('many', c.rows.length > 18);
}

function renderWorst(v) {
  const w = v.worst;
  $('worst').hidden = !w;
  if (!w) return;
  $('worst-title').textContent = t('mostLagging')(levelName(w.level));
  $('worst-total').textContent = t('ofTotal')(fmtInt(w.total));
  const clock = model.board.clock;
  $('worst-rows').innerHTML = w.rows.map((r) => areaRow(r, 'worst', clock)).join('');
}

function fillSiteRow(tr, s) {
  if (tr.children.length === 0) {
    tr.innerHTML = '<td class="name"></td><td><span class="state"></span></td>'
      + '<td class="n last"></td><td class="n rate"></td><td class="n queue"></td><td class="n sampled"></td>';
  }
  tr.className = s.condition;
  tr.dataset.condition = s.condition;
  tr.dataset.alerts = s.alerts.join(' ');
  tr.dataset.site = s.id;
  const c = tr.children;
  c[0].textContent = lang === 'zh' ? shortName(s.nameZh) : s.nameEn;
  c[0].title = `${lang === 'zh' ? s.nameZh : s.nameEn} · ${s.id}`;
  const badge = c[1].firstChild;
  badge.className = `state ${s.condition}`;
  badge.textContent = I18N[lang].condition[s.condition] ?? s.condition;
  c[2].textContent = s.lastScan == null ? '—' : fmtTime(s.lastScan);
  const load = s.capacity > 0 ? s.rate15 / s.capacity : 0;
  c[3].innerHTML = `<span class="load ${load < 0.5 && s.station === 'OPEN' && (s.queue ?? 0) > 0 ? 'low' : ''}"><i style="width:${Math.min(100, load * 100)}%"></i></span>${fmtInt(s.rate15)} / ${fmtInt(s.capacity)}`;
  c[4].textContent = s.queue == null ? '—' : fmtInt(s.queue);
  c[5].textContent = fmtInt(s.sampled);
}

function renderSites(v) {
  const s = v.sites;
  const body = $('site-rows');
  while (siteRows.length < s.rows.length) siteRows.push(document.createElement('tr'));
  s.rows.forEach((row, i) => {
    const tr = siteRows[i];
    tr.id = `site-${row.id}`;
    fillSiteRow(tr, row);
    if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
  });
  while (body.children.length > s.rows.length) body.removeChild(body.lastChild);
  const where = v.path.length === 1 ? '' : t('within')(nameOf(v.area)) + ' · ';
  $('site-counts').textContent = s.total === 0 ? t('noSites') : where + t('siteCount')(fmtInt(s.total));
  $('state-legend').innerHTML = CONDITION_ORDER.filter((k) => s.counts[k])
    .map((k) => `<span class="state ${k}">${esc(I18N[lang].condition[k])} ${fmtInt(s.counts[k])}</span>`).join('');
  $('page-range').textContent = s.total === 0 ? '0' : `${fmtInt(s.offset + 1)}–${fmtInt(s.offset + s.rows.length)} / ${fmtInt(s.total)}`;
  $('page-prev').disabled = s.offset === 0;
  $('page-next').disabled = s.offset + s.rows.length >= s.total;
  const found = $('found');
  found.hidden = !v.site;
  if (v.site) {
    const tr = $('found-row');
    tr.innerHTML = '';
    fillSiteRow(tr, v.site);
    tr.id = 'found-row';
    found.dataset.site = v.site.id;
  }
  document.querySelectorAll('#site-table th').forEach((th) => {
    th.classList.toggle('sorted', th.dataset.sort === v.key.sort);
    th.classList.toggle('asc', th.dataset.sort === v.key.sort && !v.key.desc);
  });
}

function alertAge(a, clock) {
  // Event-time incidents age on the campaign clock; a stalled feed on the wall clock.
  const now = a.kind === 'FEED_STALLED' || clock == null ? Date.now() : clock;
  return now - a.since;
}

function alertWhere(a) {
  return lang === 'zh' ? shortName(a.placeZh) : a.place;
}

function renderAlerts() {
  const v = model.view;
  if (!v || !model.board) return;
  const al = v.alerts;
  const active = al.active; // most urgent first, from the server
  const count = $('alert-count');
  count.textContent = String(al.total);
  count.classList.toggle('on', al.total > 0);
  // More than three: one line each, and the resolved ones make room (they are over).
  $('alerts').classList.toggle('crowded', al.total > 3);
  const resolved = al.resolved.slice(0, al.total > 0 ? 2 : 8);
  $('alerts-resolved').innerHTML = resolved.length === 0 ? `<li class="none">${t('noneResolved')}</li>` : resolved.map((a) => `
    <li class="${esc(a.kind)}" data-id="${esc(a.id)}" data-kind="${esc(a.kind)}" data-site="${esc(a.site ?? '')}">
      <div class="head"><span>${esc(I18N[lang].kind[a.kind] ?? a.kind)} · ${esc(alertWhere(a))}</span>
        <span class="age">${fmtTime(a.at)} · ${t('lasted')} ${fmtDuration(a.at - a.since)}</span></div></li>`).join('');
  const list = $('alerts-active');
  list.innerHTML = active.length === 0 ? `<li class="none">${t('noAlerts')}</li>` : active.map((a) => `
    <li class="${esc(a.kind)}" data-id="${esc(a.id)}" data-kind="${esc(a.kind)}" data-site="${esc(a.site ?? '')}" data-area="${esc(a.area ?? '')}">
      <div class="head"><span>${esc(I18N[lang].kind[a.kind] ?? a.kind)} · ${esc(alertWhere(a))}</span>
        <span class="age">${fmtDuration(alertAge(a, model.board.clock))}</span></div>
      <div class="msg">${esc(lang === 'zh' ? a.message : a.messageEn)}</div></li>`).join('');
  fitAlerts(list, active.length, al.total);
}

/**
 * Every active alert must be seen on the wall without scrolling: when they do not all fit (or the server sent only
 * the most urgent), the least urgent give way, one by one, to a line counting them.
 */
function fitAlerts(list, sent, total) {
  list.dataset.hidden = String(total - sent);
  if (total === 0 || (sent === total && list.scrollHeight <= list.clientHeight + 1)) return;
  const more = document.createElement('li');
  more.className = 'more';
  list.appendChild(more);
  let shown = sent;
  more.textContent = t('more')(total - shown);
  while (shown > 1 && list.scrollHeight > list.clientHeight + 1) {
    list.removeChild(more.previousElementSibling);
    shown -= 1;
    more.textContent = t('more')(total - shown);
  }
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

// ---- the throughput chart: the areas one level below the root stacked, the root on top ---------

function seriesColor(i) { return PALETTE[i % PALETTE.length]; }

function buildChart() {
  const box = $('chart');
  const townships = model.campaign.townships;
  const series = [{}];
  townships.forEach((tw, i) => series.push({ label: tw.id, stroke: seriesColor(i), fill: seriesColor(i) + 'cc', width: 1, points: { show: false } }));
  series.push({ label: 'county', stroke: '#ffffff', width: 3, points: { show: false } });
  const bands = [];
  for (let i = 2; i <= townships.length; i++) bands.push({ series: [i, i - 1], fill: seriesColor(i - 1) + 'cc' });
  if (series.length > 2) series[1].fill = seriesColor(0) + 'cc';
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
        values: (u, splits) => splits.map((v) => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-US', { notation: 'compact' }).format(v)) },
    ],
    series,
  };
  chart = new uPlot(opts, [[], ...series.slice(1).map(() => [])], box);
  new ResizeObserver(() => chart.setSize({ width: Math.max(200, box.clientWidth), height: Math.max(120, box.clientHeight) })).observe(box);
  renderLegend();
}

function renderLegend() {
  if (!model.campaign) return;
  $('chart-legend').innerHTML = `<span><i style="background:#fff"></i>${esc(wholeName(model.campaign.root))}</span>`
    + model.campaign.townships.map((tw, i) => `<span><i style="background:${seriesColor(i)}"></i>${esc(nameOf(tw))}</span>`).join('');
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

// ---- search: on the server, a few results at a time ---------------------------------------------

let searchTimer = null;
let searchSeq = 0;

function search(q) {
  const seq = ++searchSeq;
  if (q.trim() === '') { showResults(null); return; }
  fetch(`/api/search?q=${encodeURIComponent(q)}`, { cache: 'no-store' }).then((r) => r.json()).then((found) => {
    if (seq === searchSeq) showResults(found);
  }, () => {});
}

function showResults(found) {
  const list = $('search-results');
  if (!found) { list.hidden = true; list.innerHTML = ''; list.dataset.total = ''; return; }
  list.dataset.total = String(found.total);
  list.dataset.query = found.query;
  list.innerHTML = found.results.length === 0 ? `<li class="none">${t('noMatch')}</li>` : found.results.map((e) => `
    <li data-kind="${esc(e.kind)}" data-id="${esc(e.id)}" data-area="${esc(e.area)}">
      <a href="${esc(e.kind === 'site' ? link(e.area, e.id) : link(e.id))}">
        <span class="kind">${esc(e.kind === 'site' ? t('site') : levelOne(e.level))}</span>
        <span class="what">${esc(nameOf(e))}</span> <span class="id">${esc(e.id)}</span>
        <span class="path">${esc(lang === 'zh' ? e.pathZh : e.path)}</span></a></li>`).join('')
    + (found.total > found.results.length ? `<li class="none">${t('moreMatches')(fmtInt(found.total - found.results.length))}</li>` : '');
  list.hidden = false;
}

// ---- language --------------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll('[data-i18n-placeholder]').forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  $('lang-toggle').textContent = lang === 'zh' ? 'EN' : '中文';
  setStatus(model.status);
  if (model.board) {
    renderLegend();
    render(true);
  }
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Site rows that fit the table's height (the server sends a page of that many). */
function rowsThatFit() {
  const wrap = $('site-wrap');
  const head = wrap.querySelector('thead').getBoundingClientRect().height || 28;
  const row = parseFloat(getComputedStyle(document.documentElement).fontSize) * 1.75;
  return Math.max(5, Math.min(MAX_ROWS, Math.floor((wrap.clientHeight - head) / row)));
}

document.addEventListener('DOMContentLoaded', () => {
  $('lang-toggle').addEventListener('click', () => {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem(LANG_KEY, lang);
    applyLanguage();
  });
  document.querySelectorAll('#site-table th').forEach((th) => th.addEventListener('click', () => {
    const sort = th.dataset.sort;
    location.hash = link(model.view?.key.area ?? want.area, want.site, sort, want.sort === sort ? !want.desc : false);
  }));
  $('page-prev').addEventListener('click', () => { want.offset = Math.max(0, want.offset - want.rows); askView(); });
  $('page-next').addEventListener('click', () => {
    const s = model.view?.sites;
    if (s && s.offset + s.rows.length < s.total) { want.offset = s.offset + want.rows; askView(); }
  });
  window.addEventListener('hashchange', () => { readLink(); askView(); });
  const box = $('search-box');
  box.addEventListener('input', () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => search(box.value), 120); });
  box.addEventListener('keydown', (e) => { if (e.key === 'Escape') { box.value = ''; showResults(null); } });
  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    const first = $('search-results').querySelector('li[data-id] a');
    if (first) first.click();
  });
  $('search-results').addEventListener('click', (e) => {
    if (e.target.closest('a')) { box.value = ''; setTimeout(() => showResults(null), 0); }
  });
  new ResizeObserver(() => {
    const rows = rowsThatFit();
    if (rows !== want.rows) { want.rows = rows; want.offset = Math.floor(want.offset / rows) * rows; askView(); }
  }).observe($('site-wrap'));
  // Alert ages tick between updates.
  setInterval(() => { if (model.view) renderAlerts(); }, 5000);
  readLink();
  want.rows = rowsThatFit();
  applyLanguage();
  connect();
});
