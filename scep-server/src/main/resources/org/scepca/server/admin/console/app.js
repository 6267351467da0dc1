// scepca admin console: plain JavaScript, no dependencies. Every value from the server is put in the page with
// textContent, never as HTML, and the Content-Security-Policy forbids inline script, so a hostile certificate
// subject stays text.
'use strict';

(function () {
  const API = '/api/v1';
  const TOKEN_KEY = 'scepca.token';
  const NOTICE_KEY = 'scepca.notice';
  const $ = (id) => document.getElementById(id);
  const REASONS = ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation',
    'privilegeWithdrawn'];
  let me = null;
  let certCursor = null;
  let certQuery = '';
  let selectedCert = null;
  let currentView = null;
  const selectedSerials = new Set();
  let auditCursor = null;
  let auditQuery = '';

  // ---- API access

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || ('HTTP ' + status));
      this.status = status;
      this.problem = problem || {};
    }
  }

  async function api(method, path, body) {
    const headers = { 'Authorization': 'Bearer ' + sessionStorage.getItem(TOKEN_KEY) };
    const init = { method, headers };
    // The server refuses any change without this header, an empty body too (CSRF defence, see CsrfFilter).
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
    }
    if (body !== undefined) {
      init.body = JSON.stringify(body);
    }
    const resp = await fetch(API + path, init);
    if (resp.status === 401) {
      logout('Your session is no longer valid: sign in again.');
      throw new ApiError(401, null);
    }
    if (!resp.ok) {
      let problem = null;
      try { problem = await resp.json(); } catch (e) { /* not JSON */ }
      throw new ApiError(resp.status, problem);
    }
    return resp;
  }

  async function apiJson(method, path, body) {
    const resp = await api(method, path, body);
    return resp.status === 204 ? null : resp.json();
  }

  async function download(path, fallbackName) {
    const resp = await api('GET', path);
    const disposition = resp.headers.get('Content-Disposition') || '';
    const m = /filename="([^"]+)"/.exec(disposition);
    const blob = await resp.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = m ? m[1] : fallbackName;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- small DOM helpers

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('data-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) e.append(c);
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.firstChild.remove();
  }

  function fmtTime(iso) {
    if (!iso) return '–';
    return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, ' UTC').replace('Z', ' UTC');
  }

  function kv(dl, pairs) {
    clear(dl);
    for (const [k, v] of pairs) {
      dl.append(el('dt', { text: k }), el('dd', { text: v === null || v === undefined || v === '' ? '–' : String(v) }));
    }
  }

  // A toast in the region at the top of the page (in the flow: it never covers a button). It goes after 5 s
  // (errors 10 s), waits while the pointer or focus is on it, and has a dismiss button; the region is aria-live.
  const MAX_TOASTS = 4;

  function toast(message, kind) {
    const region = $('toast');
    const close = el('button', { type: 'button', class: 'toast-close', text: '×', title: 'Dismiss' });
    close.setAttribute('aria-label', 'Dismiss');
    const t = el('div', { class: 'toast ' + (kind || 'ok') }, el('span', { class: 'toast-text', text: message }), close);
    let remaining = kind === 'error' ? 10000 : 5000;
    let started = 0;
    let timer = null;
    const remove = () => { clearTimeout(timer); t.remove(); };
    const run = () => { started = Date.now(); timer = setTimeout(remove, remaining); };
    const pause = () => { clearTimeout(timer); remaining = Math.max(1000, remaining - (Date.now() - started)); };
    t.addEventListener('mouseenter', pause);
    t.addEventListener('mouseleave', run);
    t.addEventListener('focusin', pause);
    t.addEventListener('focusout', run);
    close.addEventListener('click', remove);
    region.append(t);
    while (region.children.length > MAX_TOASTS) region.firstElementChild.remove();
    run();
  }

  // Table rows become labelled cards on a phone: each cell carries its column's name (CSS shows it there).
  function appendRow(tbody, tr) {
    const heads = tbody.closest('table').tHead.rows[0].cells;
    [...tr.cells].forEach((td, i) => { if (heads[i]) td.setAttribute('data-label', heads[i].textContent.trim()); });
    tbody.append(tr);
  }

  function showError(node, err) {
    node.textContent = err.problem && err.problem.errors && err.problem.errors.length
      ? err.problem.errors.map((e) => e.field + ': ' + e.message).join('; ')
      : err.message;
    node.hidden = false;
  }

  function statusBadge(status) {
    return el('span', { class: 'badge ' + status, text: status });
  }

  // A modal confirmation; resolves true on Confirm. `extra` is an optional node (e.g. a reason select).
  function confirmDialog(title, text, okLabel, extra) {
    const d = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-ok').textContent = okLabel;
    clear($('confirm-extra'));
    if (extra) $('confirm-extra').append(extra);
    d.showModal();
    return new Promise((resolve) => {
      const done = (v) => {
        $('confirm-ok').onclick = null;
        $('confirm-cancel').onclick = null;
        d.onclose = null;
        if (d.open) d.close();
        resolve(v);
      };
      $('confirm-ok').onclick = () => done(true);
      $('confirm-cancel').onclick = () => done(false);
      d.onclose = () => done(false);
    });
  }

  // ---- session

  async function login(token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    const resp = await fetch(API + '/me', { headers: { 'Authorization': 'Bearer ' + token } });
    if (!resp.ok) {
      sessionStorage.removeItem(TOKEN_KEY);
      let detail = 'The token was not accepted.';
      try { detail = (await resp.json()).detail || detail; } catch (e) { /* keep default */ }
      throw new Error(detail);
    }
    me = await resp.json();
  }

  // Reloads the page so nothing from the session (certificate lists, a challenge shown once) stays in the DOM.
  // The page asked for (its hash) stays: signing in again returns there.
  function logout(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (message) sessionStorage.setItem(NOTICE_KEY, message);
    location.reload();
  }

  // ---- views

  // Every page has a hash route: #/NAME, #/certificates/SERIAL, #/audit?serial=...
  const views = {
    login: () => { $('login-token').value = ''; $('login-token').focus(); },
    dashboard: loadDashboard,
    certificates: showCertificates,
    challenges: loadChallenges,
    requests: loadRequests,
    profiles: loadProfiles,
    audit: showAudit,
    tokens: loadTokens,
  };
  const ADMIN_ONLY = new Set(['profiles', 'tokens']);

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '');
    const q = h.indexOf('?');
    const path = q < 0 ? h : h.slice(0, q);
    const parts = path.split('/');
    let arg = null;
    try { arg = parts[1] ? decodeURIComponent(parts[1]) : null; } catch (e) { arg = null; }
    return { name: parts[0] || 'dashboard', arg, params: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
  }

  async function route() {
    const r = parseHash();
    let name = r.name;
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      name = 'login'; // the hash stays as asked, for after the sign-in
    } else if (!me) {
      try {
        me = await apiJson('GET', '/me');
      } catch (e) {
        return;
      }
    }
    if (me && (name === 'login' || !views[name] || (ADMIN_ONLY.has(name) && me.role !== 'admin'))) {
      name = 'dashboard';
      history.replaceState(null, '', location.pathname + '#/dashboard');
    }
    if (me) {
      $('nav').hidden = false;
      $('menu').hidden = false;
      $('who').hidden = false;
      $('who-name').textContent = me.name;
      $('who-role').textContent = me.role;
      document.body.classList.toggle('is-admin', me.role === 'admin');
      // Profiles mint challenges, tokens grant access: admins only.
      $('nav-profiles').hidden = me.role !== 'admin';
      $('nav-tokens').hidden = me.role !== 'admin';
    }
    setMenu(false);
    const previous = currentView;
    currentView = name;
    for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== 'view-' + name;
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.id === 'nav-' + name);
    try {
      await views[name](r, previous !== name);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast(e.message, 'error');
    }
  }

  function setMenu(open) {
    $('nav').classList.toggle('open', open);
    $('menu').setAttribute('aria-expanded', String(open));
  }

  async function loadDashboard() {
    const [d, ca, expiring, perWeek] = await Promise.all([
      apiJson('GET', '/dashboard'),
      apiJson('GET', '/ca'),
      apiJson('GET', '/certificates?status=active&expiringWithinDays=30&limit=10'),
      apiJson('GET', '/stats/expiry?weeks=26'),
    ]);
    drawExpiryChart(perWeek);
    const stats = $('dash-stats');
    clear(stats);
    const stat = (label, value, cls, id) => el('div', { class: 'stat ' + (cls || ''), 'data-stat': id },
      el('div', { class: 'value', text: String(value) }), el('div', { class: 'label', text: label }));
    stats.append(
      stat('Active certificates', d.certificates.active, '', 'active'),
      stat('Expiring in ' + d.expiringWithinDays + ' days', d.certificates.expiringSoon,
        d.certificates.expiringSoon > 0 ? 'warn' : '', 'expiring'),
      stat('Revoked', d.certificates.revoked, '', 'revoked'),
      stat('Expired', d.certificates.expired, '', 'expired'),
      stat('Pending requests', d.pendingRequests, d.pendingRequests > 0 ? 'warn' : '', 'pending'),
      stat('Active challenges', d.activeChallenges, '', 'challenges'),
      stat('Issuing CA days left', d.issuingCaDaysLeft, d.issuingCaDaysLeft < 90 ? 'danger' : '', 'ca-days'));
    const warnings = $('dash-warnings');
    clear(warnings);
    for (const w of d.warnings || []) {
      warnings.append(el('p', { class: 'notice danger', text: w }));
    }
    warnings.hidden = !(d.warnings && d.warnings.length);
    $('dash-horizon').textContent = d.expiringWithinDays;
    const tbody = $('dash-expiring');
    clear(tbody);
    for (const c of expiring.items) {
      appendRow(tbody, el('tr', {}, el('td', { text: c.subject }), el('td', { class: 'mono', text: c.serial }),
        el('td', { text: fmtTime(c.notAfter) })));
    }
    $('dash-expiring-empty').hidden = expiring.items.length > 0;
    kv($('dash-ca'), [
      ['Issuing CA', ca.intermediate.subject],
      ['Issuing CA expires', fmtTime(ca.intermediate.notAfter)],
      ['Root', ca.root.subject],
      ['Root expires', fmtTime(ca.root.notAfter)],
      ['Root SHA-256', ca.root.sha256Fingerprint],
      ['Root SHA-1', ca.root.sha1Fingerprint],
      ['Next CA staged', ca.next ? ca.next.intermediate.subject + ' (until ' + fmtTime(ca.next.intermediate.notAfter) + ')' : 'no'],
      ['CRL', '#' + ca.crl.number + ', ' + ca.crl.entries + ' entries, next update ' + fmtTime(ca.crl.nextUpdate)],
    ]);
  }

  // Certificates expiring per week as an inline SVG bar chart (no library; the CSP allows no inline style, so the
  // look is in app.css by class). Each bar has a <title> (a tooltip and its accessible name).
  function drawExpiryChart(stats) {
    const NS = 'http://www.w3.org/2000/svg';
    const svgEl = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const W = 640, H = 180, left = 34, bottom = 22, top = 10;
    const n = stats.items.length;
    const max = Math.max(1, ...stats.items.map((w) => w.count));
    const slot = (W - left - 4) / n;
    const scale = (H - top - bottom) / max;
    const svg = svgEl('svg', { id: 'expiry-chart', viewBox: '0 0 ' + W + ' ' + H, role: 'img',
      'aria-label': stats.total + ' active certificates expire in the next ' + n + ' weeks' });
    svg.append(svgEl('line', { class: 'axis', x1: left, y1: H - bottom, x2: W - 2, y2: H - bottom }));
    svg.append(svgEl('text', { class: 'tick', x: left - 4, y: top + 8, 'text-anchor': 'end' }, String(max)));
    svg.append(svgEl('text', { class: 'tick', x: left - 4, y: H - bottom, 'text-anchor': 'end' }, '0'));
    stats.items.forEach((w, i) => {
      const h = w.count * scale;
      const x = left + i * slot + 1;
      const bar = svgEl('rect', { class: 'bar' + (i < 4 ? ' soon' : ''), x: x.toFixed(1), y: (H - bottom - h).toFixed(1),
        width: Math.max(1, slot - 2).toFixed(1), height: Math.max(0, h).toFixed(1), 'data-count': w.count });
      bar.append(svgEl('title', {}, 'Week from ' + w.start.slice(0, 10) + ': ' + w.count + ' expiring'));
      svg.append(bar);
      if (i % 4 === 0) {
        svg.append(svgEl('text', { class: 'tick', x: (x + slot / 2).toFixed(1), y: H - 6, 'text-anchor': 'middle' },
          w.start.slice(5, 10)));
      }
    });
    const box = $('dash-chart');
    clear(box);
    box.append(svg);
    $('dash-weeks').textContent = String(n);
    const busiest = stats.items.reduce((a, b) => (b.count > a.count ? b : a), stats.items[0]);
    $('dash-chart-summary').textContent = stats.total === 0 ? 'No active certificate expires in this period.'
      : stats.total + ' expire in this period; the busiest week starts ' + busiest.start.slice(0, 10) + ' ('
        + busiest.count + ').';
  }

  function certParams() {
    const p = new URLSearchParams();
    const q = $('cert-q').value.trim();
    if (q) p.set('q', q);
    p.set('status', $('cert-status').value);
    const exp = $('cert-expiring').value.trim();
    if (exp) p.set('expiringWithinDays', exp);
    const device = $('cert-device').value.trim();
    if (device) p.set('device', device);
    return p;
  }

  // #/certificates[/SERIAL]: the list is searched when the page is entered (not when only the serial changes), then
  // the certificate the hash names is opened.
  async function showCertificates(r, entered) {
    if (entered || certQuery === '') {
      if (r.params.has('device')) $('cert-device').value = r.params.get('device');
      await searchCertificates(false);
    }
    if (r.arg) {
      await showCertificate(r.arg);
    } else {
      $('cert-detail').hidden = true;
      selectedCert = null;
    }
  }

  async function searchCertificates(more) {
    if (!more) {
      certQuery = certParams().toString();
      certCursor = null;
      clear($('cert-rows'));
      selectedSerials.clear();
      updateSelection();
    }
    const p = new URLSearchParams(certQuery);
    p.set('limit', '25');
    if (more && certCursor) p.set('cursor', certCursor);
    const page = await apiJson('GET', '/certificates?' + p.toString());
    const tbody = $('cert-rows');
    for (const c of page.items) {
      const box = el('input', { type: 'checkbox', class: 'select' });
      box.setAttribute('aria-label', 'Select ' + c.serial);
      box.disabled = c.status === 'revoked';
      box.addEventListener('click', (e) => e.stopPropagation());
      box.addEventListener('change', () => {
        if (box.checked) selectedSerials.add(c.serial); else selectedSerials.delete(c.serial);
        updateSelection();
      });
      const open = () => { location.hash = '#/certificates/' + encodeURIComponent(c.serial); };
      const tr = el('tr', { 'data-serial': c.serial, tabIndex: 0 },
        el('td', { class: 'admin-only select-cell' }, box),
        el('td', { text: c.subject }),
        el('td', { class: 'small', text: c.subjectAltNames.join(', ') }),
        el('td', { class: 'mono small', text: deviceOf(c) }),
        el('td', { class: 'status-cell' }, statusBadge(c.status)),
        el('td', { text: fmtTime(c.notAfter) }),
        el('td', { class: 'mono small', text: c.serial }));
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      appendRow(tbody, tr);
    }
    certCursor = page.next;
    $('cert-more').hidden = !page.next;
    $('cert-empty').hidden = tbody.children.length > 0;
  }

  // The device a certificate was issued for: Jamf's serial/UDID, Intune's device id, or the challenge's note.
  function deviceOf(c) {
    const f = c.issuedFor || {};
    return f.deviceSerial || f.deviceUdid || f.intuneDeviceId || f.note || '';
  }

  function updateSelection() {
    const n = selectedSerials.size;
    $('cert-selected-count').textContent = n + ' selected';
    $('cert-bulk-revoke').disabled = n === 0;
    $('cert-bulk-clear').disabled = n === 0;
    const boxes = [...document.querySelectorAll('#cert-rows input.select:not(:disabled)')];
    $('cert-select-all').checked = boxes.length > 0 && boxes.every((b) => b.checked);
  }

  function selectAll(on) {
    for (const tr of document.querySelectorAll('#cert-rows tr')) {
      const box = tr.querySelector('input.select');
      if (!box || box.disabled) continue;
      box.checked = on;
      if (on) selectedSerials.add(tr.dataset.serial); else selectedSerials.delete(tr.dataset.serial);
    }
    updateSelection();
  }

  function setRowStatus(serial, status) {
    const tr = document.querySelector('#cert-rows tr[data-serial="' + CSS.escape(serial) + '"]');
    if (!tr) return;
    const cell = tr.querySelector('.status-cell');
    clear(cell);
    cell.append(statusBadge(status));
    const box = tr.querySelector('input.select');
    if (box && status === 'revoked') { box.checked = false; box.disabled = true; }
  }

  function reasonPicker() {
    const select = el('select', { id: 'revoke-reason' });
    for (const r of REASONS) select.append(el('option', { value: r, text: r }));
    return { select, node: el('label', { class: 'block' }, 'Reason ', select) };
  }

  // One request for the whole selection: the server revokes them in one transaction and republishes the CRL once.
  async function revokeSelection() {
    const serials = [...selectedSerials];
    if (!serials.length) return;
    const reason = reasonPicker();
    const ok = await confirmDialog('Revoke ' + serials.length + ' certificate' + (serials.length > 1 ? 's' : '') + '?',
      'The CRL is republished at once; this cannot be undone.', 'Revoke ' + serials.length, reason.node);
    if (!ok) return;
    try {
      const res = await apiJson('POST', '/certificates/revoke', { serials, reason: reason.select.value });
      for (const item of res.items) {
        if (item.certificate) setRowStatus(item.serial, item.certificate.status);
        selectedSerials.delete(item.serial);
      }
      updateSelection();
      toast('Revoked ' + res.revoked + (res.alreadyRevoked ? ', ' + res.alreadyRevoked + ' already revoked' : '')
        + (res.unknown ? ', ' + res.unknown + ' unknown' : ''));
      if (selectedCert && res.items.some((i) => i.serial === selectedCert.serial)) await showCertificate(selectedCert.serial);
    } catch (e) {
      if (e.status !== 401) toast(e.message, 'error');
    }
  }

  function exportCsv() {
    const p = new URLSearchParams(certParams());
    p.set('format', 'csv');
    download('/certificates?' + p.toString(), 'certificates.csv').catch((e) => {
      if (e.status !== 401) toast(e.message, 'error');
    });
  }

  async function showCertificate(serial) {
    const c = await apiJson('GET', '/certificates/' + encodeURIComponent(serial));
    selectedCert = c;
    $('cert-detail-serial').textContent = c.serial;
    kv($('cert-detail-fields'), [
      ['Subject', c.subject],
      ['SANs', c.subjectAltNames.join(', ')],
      ['Status', c.status + (c.revokedAt ? ' since ' + fmtTime(c.revokedAt) + ' (' + c.revocationReason + ')' : '')],
      ['Valid from', fmtTime(c.notBefore)],
      ['Valid until', fmtTime(c.notAfter)],
      ['Issuer', c.issuer],
      ['Profile', c.profile],
      ['Requester', c.requester],
      ['Endpoint', (c.issuedFor && c.issuedFor.endpoint) || '-'],
      ['Device', c.issuedFor ? ['serial ' + (c.issuedFor.deviceSerial || '-'), 'UDID ' + (c.issuedFor.deviceUdid || '-'),
        'Intune ' + (c.issuedFor.intuneDeviceId || '-')].join(', ') : '-'],
      ['Challenge', c.issuedFor && c.issuedFor.challengeId ? c.issuedFor.challengeId + (c.issuedFor.note ? ' (' + c.issuedFor.note + ')' : '') : '-'],
      ['Transaction', c.transactionId],
      ['Issued', fmtTime(c.issuedAt)],
      ['SHA-256', c.sha256],
    ]);
    $('cert-revoke').hidden = c.status === 'revoked';
    $('cert-audit').href = '#/audit?serial=' + encodeURIComponent(c.serial);
    $('cert-detail').hidden = false;
    $('cert-detail').scrollIntoView({ block: 'nearest' });
  }

  async function revokeSelected() {
    const c = selectedCert;
    if (!c) return;
    const reason = reasonPicker();
    const select = reason.select;
    const ok = await confirmDialog('Revoke certificate?',
      'Revoke ' + c.subject + ' (serial ' + c.serial + ')? The CRL is republished at once; this cannot be undone.',
      'Revoke', reason.node);
    if (!ok) return;
    try {
      const updated = await apiJson('POST', '/certificates/' + encodeURIComponent(c.serial) + '/revoke',
        { reason: select.value });
      toast('Revoked ' + updated.serial);
      await showCertificate(updated.serial);
      setRowStatus(updated.serial, updated.status);
    } catch (e) {
      if (e.status !== 401) toast(e.message, 'error');
    }
  }

  // The endpoints that take one-time challenges, for the create form (the API refuses the others anyway).
  async function loadEndpoints() {
    const select = $('challenge-endpoint');
    const list = await apiJson('GET', '/endpoints');
    const chosen = select.value;
    clear(select);
    for (const e of list.items.filter((x) => x.auth.includes('one-time'))) {
      select.append(el('option', { value: e.name, text: e.path }));
    }
    if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
    select.hidden = select.options.length < 2;
  }

  async function loadChallenges() {
    await loadEndpoints();
    const list = await apiJson('GET', '/challenges');
    const tbody = $('challenge-rows');
    clear(tbody);
    for (const c of list.items) {
      const del = el('button', { type: 'button', class: 'small danger admin-only', text: 'Delete' });
      del.addEventListener('click', async () => {
        if (!await confirmDialog('Delete challenge?', 'Devices using it will no longer enroll.', 'Delete')) return;
        try {
          await apiJson('DELETE', '/challenges/' + encodeURIComponent(c.id));
          toast('Challenge deleted');
          await loadChallenges();
        } catch (e) {
          if (e.status !== 401) toast(e.message, 'error');
        }
      });
      appendRow(tbody, el('tr', { 'data-id': c.id }, el('td', { text: c.note || '–' }),
        el('td', { class: 'mono small', text: c.endpoint === 'default' ? '/scep' : '/scep/' + c.endpoint }),
        el('td', { class: 'mono small', text: boundTo(c) + (c.deviceSerial ? '; device ' + c.deviceSerial : '') }), el('td', { text: fmtTime(c.createdAt) }), el('td', { text: fmtTime(c.expiresAt) }),
        el('td', { class: 'mono small', text: c.id }), el('td', {}, del)));
    }
    $('challenge-empty').hidden = list.items.length > 0;
  }

  // The names a challenge is bound to, as one line ("any names" when unbound).
  function boundTo(c) {
    const parts = [];
    if (c.subject) parts.push('subject ' + c.subject);
    for (const san of (c.sans || [])) parts.push(san);
    return parts.length ? parts.join('; ') : 'any names';
  }

  async function createChallenge(ev) {
    ev.preventDefault();
    $('challenge-error').hidden = true;
    try {
      const note = $('challenge-note').value.trim();
      const body = { ttl: $('challenge-ttl').value, endpoint: $('challenge-endpoint').value || 'default' };
      if (note) body.note = note;
      const subject = $('challenge-subject').value.trim();
      if (subject) body.subject = subject;
      // A regex may itself contain commas: split on commas followed by a SAN type or regex: only.
      const sans = $('challenge-sans').value.split(/,\s*(?=(?:dns|email|uri|ip|upn|regex):)/i)
        .map((v) => v.trim()).filter((v) => v);
      if (sans.length) body.sans = sans;
      const created = await apiJson('POST', '/challenges', body);
      $('challenge-secret').value = created.challenge;
      $('challenge-expires').textContent = fmtTime(created.expiresAt);
      $('challenge-created').hidden = false;
      $('challenge-note').value = '';
      $('challenge-subject').value = '';
      $('challenge-sans').value = '';
      await loadChallenges();
    } catch (e) {
      if (e.status !== 401) showError($('challenge-error'), e);
    }
  }

  async function copySecret(input) {
    try {
      await navigator.clipboard.writeText(input.value);
      toast('Copied');
    } catch (e) {
      input.select();
      toast('Press Ctrl+C (or Cmd+C) to copy', 'warn');
    }
  }

  async function loadRequests() {
    const list = await apiJson('GET', '/requests?status=pending');
    const tbody = $('request-rows');
    clear(tbody);
    for (const r of list.items) {
      const approve = el('button', { type: 'button', class: 'small primary admin-only', text: 'Approve' });
      const reject = el('button', { type: 'button', class: 'small danger admin-only', text: 'Reject' });
      const path = '/requests/' + encodeURIComponent(r.transactionId);
      approve.addEventListener('click', async () => {
        if (!await confirmDialog('Approve request?', 'Issue a certificate for ' + r.subject + '?', 'Approve')) return;
        try {
          const res = await apiJson('POST', path + '/approve', {});
          toast('Issued ' + res.certificate.serial);
          await loadRequests();
        } catch (e) {
          if (e.status !== 401) toast(e.message, 'error');
        }
      });
      reject.addEventListener('click', async () => {
        const reason = el('input', { type: 'text', id: 'reject-reason', maxLength: 512, placeholder: 'Reason (optional)' });
        if (!await confirmDialog('Reject request?', 'The device gets FAILURE on its next poll.', 'Reject', reason)) return;
        try {
          const body = reason.value.trim() ? { reason: reason.value.trim() } : {};
          await apiJson('POST', path + '/reject', body);
          toast('Rejected');
          await loadRequests();
        } catch (e) {
          if (e.status !== 401) toast(e.message, 'error');
        }
      });
      appendRow(tbody, el('tr', { 'data-transaction': r.transactionId }, el('td', { text: r.subject }),
        el('td', { text: r.requester }), el('td', { text: fmtTime(r.createdAt) }),
        el('td', { class: 'mono small', text: r.transactionId }), el('td', { class: 'nowrap' }, approve, ' ', reject)));
    }
    $('request-empty').hidden = list.items.length > 0;
  }

  // ---- audit log

  const AUDIT_FIELDS = ['serial', 'device', 'actor', 'op', 'outcome', 'from', 'to'];

  // #/audit?serial=...: the form takes the hash's search, so an audit search is a link.
  async function showAudit(r) {
    for (const f of AUDIT_FIELDS) $('audit-' + f).value = r.params.get(f) || '';
    await searchAudit(false);
  }

  async function searchAudit(more) {
    if (!more) {
      const p = new URLSearchParams();
      for (const f of AUDIT_FIELDS) {
        const v = $('audit-' + f).value.trim();
        if (v) p.set(f, v);
      }
      auditQuery = p.toString();
      auditCursor = null;
      clear($('audit-rows'));
      history.replaceState(null, '', location.pathname + '#/audit' + (auditQuery ? '?' + auditQuery : ''));
    }
    const p = new URLSearchParams(auditQuery);
    p.set('limit', '50');
    if (more && auditCursor) p.set('cursor', auditCursor);
    const page = await apiJson('GET', '/audit?' + p.toString());
    const tbody = $('audit-rows');
    for (const e of page.items) {
      const serialCell = el('td', { class: 'mono small' });
      if (e.serial) {
        serialCell.append(el('a', { href: '#/certificates/' + encodeURIComponent(e.serial), text: e.serial }));
      }
      const line = el('details', {}, el('summary', { text: 'line' }), el('code', { class: 'line', text: e.line }));
      appendRow(tbody, el('tr', { 'data-id': e.id },
        el('td', { class: 'nowrap', text: fmtTime(e.at) }), el('td', { text: e.op }),
        el('td', {}, el('span', { class: 'badge ' + (e.outcome || ''), text: e.outcome || '–' })),
        el('td', { class: 'small', text: e.actor || '–' }), serialCell,
        el('td', { class: 'mono small', text: e.device || '' }), el('td', { class: 'small', text: e.subject || '' }),
        el('td', {}, line)));
    }
    auditCursor = page.next;
    $('audit-more').hidden = !page.next;
    $('audit-empty').hidden = tbody.children.length > 0;
  }

  // ---- API tokens

  async function loadTokens() {
    const list = await apiJson('GET', '/tokens');
    const tbody = $('token-rows');
    clear(tbody);
    for (const t of list.items) {
      const revoke = el('button', { type: 'button', class: 'small danger', text: 'Revoke' });
      revoke.hidden = t.status === 'revoked';
      revoke.addEventListener('click', async () => {
        const self = t.name === me.name && me.authenticatedBy === 'token';
        if (!await confirmDialog('Revoke token ' + t.name + '?', 'Whatever uses it stops working at once.'
          + (self ? ' If it is the token of this session, you are signed out.' : ''), 'Revoke')) return;
        try {
          await apiJson('DELETE', '/tokens/' + encodeURIComponent(t.id));
          toast('Token ' + t.name + ' revoked');
          await loadTokens();
        } catch (e) {
          if (e.status !== 401) toast(e.message, 'error');
        }
      });
      appendRow(tbody, el('tr', { 'data-id': t.id }, el('td', { text: t.name }), el('td', { text: t.role }),
        el('td', {}, el('span', { class: 'badge ' + (t.status === 'active' ? 'active' : 'revoked'), text: t.status })),
        el('td', { text: fmtTime(t.createdAt) }), el('td', { text: t.lastUsedAt ? fmtTime(t.lastUsedAt) : 'never' }),
        el('td', { class: 'mono small', text: t.id }), el('td', {}, revoke)));
    }
  }

  async function createToken(ev) {
    ev.preventDefault();
    $('token-error').hidden = true;
    try {
      const created = await apiJson('POST', '/tokens', { name: $('token-name').value.trim(), role: $('token-role').value });
      $('token-secret').value = created.token;
      $('token-created').hidden = false;
      $('token-name').value = '';
      await loadTokens();
    } catch (e) {
      if (e.status !== 401) showError($('token-error'), e);
    }
  }

  let profileDefaults = null;

  async function loadProfiles() {
    profileDefaults = await apiJson('GET', '/profiles');
    if (!$('profile-url').value) $('profile-url').value = profileDefaults.defaultScepUrl;
    if (!$('profile-directory-url').value && profileDefaults.defaultAcmeDirectoryUrl) {
      $('profile-directory-url').value = profileDefaults.defaultAcmeDirectoryUrl;
    }
    showProtocolFields();
  }

  /** Shows the fields of the chosen protocol; a hidden field is neither required nor sent. */
  function showProtocolFields() {
    const protocol = $('profile-protocol').value;
    for (const node of document.querySelectorAll('.scep-only')) node.hidden = protocol === 'acme';
    for (const node of document.querySelectorAll('.acme-only')) node.hidden = protocol === 'scep';
    $('profile-url').required = protocol !== 'acme';
  }

  /** The ACME fields of a profile request, as the API names them. */
  function acmeFields(body) {
    const [type, size, binding] = $('profile-acme-key').value.split(':');
    body.acmeKeyType = type;
    body.acmeKeySize = Number(size);
    body.hardwareBound = binding === 'bound';
    body.attest = body.hardwareBound && $('profile-attest').checked;
    const directory = $('profile-directory-url').value.trim();
    if (directory) body.directoryUrl = directory;
    const clientId = $('profile-client-id').value.trim();
    if (clientId) body.clientIdentifier = clientId;
  }

  async function createProfile(ev) {
    ev.preventDefault();
    $('profile-error').hidden = true;
    $('profile-result').hidden = true;
    const protocol = $('profile-protocol').value;
    const body = { protocol, sign: $('profile-sign').checked, includeIntermediate: $('profile-intermediate').checked };
    if (protocol !== 'acme') {
      body.scepUrl = $('profile-url').value.trim();
      body.challenge = $('profile-challenge').value;
      body.challengeTtl = $('profile-ttl').value;
      body.keySize = Number($('profile-key-size').value);
    }
    if (protocol !== 'scep') acmeFields(body);
    const optional = { subject: 'profile-subject', sanDns: 'profile-san-dns', displayName: 'profile-display-name',
      organization: 'profile-organization' };
    for (const [field, id] of Object.entries(optional)) {
      const v = $(id).value.trim();
      if (v) body[field] = v;
    }
    const preset = $('profile-preset').value;
    try {
      const resp = await api('POST', '/profiles/' + encodeURIComponent(preset), body);
      const name = 'scepca-' + preset + { scep: '.mobileconfig', acme: '-acme.mobileconfig', both: '-scep-acme.zip' }[protocol];
      const url = URL.createObjectURL(await resp.blob());
      const a = el('a', { href: url, download: name });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      $('profile-file').textContent = name + (resp.headers.get('Scepca-Profile-Signed') === 'true' ? ' (signed)' : '');
      const kind = resp.headers.get('Scepca-Challenge-Kind');
      $('profile-challenge-info').textContent = kind === 'one-time'
        ? 'It carries one-time challenge ' + resp.headers.get('Scepca-Challenge-Id') + ', valid until '
          + fmtTime(resp.headers.get('Scepca-Challenge-Expires')) + '. Delete it under Challenges to withdraw the profile.'
        : kind === 'static' ? 'It carries the static challenge from scep.static-challenge.'
          : kind === 'none' ? 'It carries no challenge: the device proves itself with Apple\'s attestation (device-attest-01).'
            : 'It carries no challenge: Jamf Pro fetches one per device from its webhook.';
      $('profile-result').hidden = false;
    } catch (e) {
      if (e.status !== 401) showError($('profile-error'), e);
    }
  }

  // ---- wiring

  document.addEventListener('DOMContentLoaded', () => {
    $('login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      $('login-error').hidden = true;
      try {
        await login($('login-token').value.trim());
        // Back to the page asked for: the hash survived the sign-in.
        const asked = parseHash().name;
        if (asked === 'login') {
          location.hash = '#/dashboard'; // routes on hashchange
        } else {
          await route();
        }
      } catch (e) {
        $('login-error').textContent = e.message;
        $('login-error').hidden = false;
      }
    });
    $('logout').addEventListener('click', () => logout('Signed out.'));
    $('cert-search').addEventListener('submit', (ev) => {
      ev.preventDefault();
      searchCertificates(false).catch((e) => toast(e.message, 'error'));
    });
    $('cert-more').addEventListener('click', () => searchCertificates(true).catch((e) => toast(e.message, 'error')));
    $('cert-revoke').addEventListener('click', revokeSelected);
    $('cert-close').addEventListener('click', () => { location.hash = '#/certificates'; });
    $('cert-select-all').addEventListener('change', (e) => selectAll(e.target.checked));
    $('cert-bulk-revoke').addEventListener('click', revokeSelection);
    $('cert-bulk-clear').addEventListener('click', () => selectAll(false));
    $('cert-export').addEventListener('click', exportCsv);
    $('audit-search').addEventListener('submit', (ev) => {
      ev.preventDefault();
      searchAudit(false).catch((e) => { if (e.status !== 401) toast(e.message, 'error'); });
    });
    $('audit-more').addEventListener('click', () => searchAudit(true).catch((e) => toast(e.message, 'error')));
    $('token-form').addEventListener('submit', createToken);
    $('token-copy').addEventListener('click', () => copySecret($('token-secret')));
    $('menu').addEventListener('click', () => setMenu(!$('nav').classList.contains('open')));
    $('cert-dl-pem').addEventListener('click', () => selectedCert && download('/certificates/'
      + encodeURIComponent(selectedCert.serial) + '?format=pem', selectedCert.serial + '.pem'));
    $('cert-dl-der').addEventListener('click', () => selectedCert && download('/certificates/'
      + encodeURIComponent(selectedCert.serial) + '?format=der', selectedCert.serial + '.cer'));
    $('dl-chain').addEventListener('click', () => download('/ca/chain', 'chain.pem'));
    $('dl-crl').addEventListener('click', () => download('/ca/crl', 'intermediate.crl'));
    $('challenge-form').addEventListener('submit', createChallenge);
    $('challenge-copy').addEventListener('click', () => copySecret($('challenge-secret')));
    $('profile-form').addEventListener('submit', createProfile);
    $('profile-protocol').addEventListener('change', showProtocolFields);
    window.addEventListener('hashchange', route);
    const notice = sessionStorage.getItem(NOTICE_KEY);
    if (notice) {
      sessionStorage.removeItem(NOTICE_KEY);
      toast(notice, 'warn');
    }
    route();
  });
})();
