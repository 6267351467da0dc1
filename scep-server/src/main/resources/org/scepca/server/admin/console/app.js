// scepca admin console: plain JavaScript, no dependencies. Every value from the server is put in the page with
// textContent, never as HTML, and the Content-Security-Policy forbids inline script, so a hostile certificate
// subject stays text.
'use strict';

(function () {
  const API = '/api/v1';
  const TOKEN_KEY = 'scepca.token';
  const NOTICE_KEY = 'scepca.notice';
  const $ = (id) => document.getElementById(id);
  let me = null;
  let certCursor = null;
  let certQuery = '';
  let selectedCert = null;

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

  function toast(message, kind) {
    const t = $('toast');
    t.textContent = message;
    t.className = 'toast ' + (kind || 'ok');
    t.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { t.hidden = true; }, 5000);
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
  function logout(message) {
    sessionStorage.removeItem(TOKEN_KEY);
    if (message) sessionStorage.setItem(NOTICE_KEY, message);
    history.replaceState(null, '', location.pathname + '#/login');
    location.reload();
  }

  // ---- views

  const views = {
    login: () => { $('login-token').value = ''; $('login-token').focus(); },
    dashboard: loadDashboard,
    certificates: () => searchCertificates(false),
    challenges: loadChallenges,
    requests: loadRequests,
    profiles: loadProfiles,
  };

  async function route() {
    let name = (location.hash.replace(/^#\//, '') || 'dashboard').split('?')[0];
    if (!sessionStorage.getItem(TOKEN_KEY)) {
      name = 'login';
    } else if (!me) {
      try {
        me = await apiJson('GET', '/me');
      } catch (e) {
        return;
      }
    }
    if (name === 'login' && me) name = 'dashboard';
    if (!views[name]) name = 'dashboard';
    if (me) {
      $('nav').hidden = false;
      $('who').hidden = false;
      $('who-name').textContent = me.name;
      $('who-role').textContent = me.role;
      document.body.classList.toggle('is-admin', me.role === 'admin');
      // Profiles mint challenges: admins only.
      $('nav-profiles').hidden = me.role !== 'admin';
    }
    for (const v of document.querySelectorAll('.view')) v.hidden = v.id !== 'view-' + name;
    for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.id === 'nav-' + name);
    try {
      await views[name]();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) toast(e.message, 'error');
    }
  }

  async function loadDashboard() {
    const [d, ca, expiring] = await Promise.all([
      apiJson('GET', '/dashboard'),
      apiJson('GET', '/ca'),
      apiJson('GET', '/certificates?status=active&expiringWithinDays=30&limit=10'),
    ]);
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
      tbody.append(el('tr', {}, el('td', { text: c.subject }), el('td', { class: 'mono', text: c.serial }),
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

  function certParams() {
    const p = new URLSearchParams();
    const q = $('cert-q').value.trim();
    if (q) p.set('q', q);
    p.set('status', $('cert-status').value);
    const exp = $('cert-expiring').value.trim();
    if (exp) p.set('expiringWithinDays', exp);
    p.set('limit', '25');
    return p;
  }

  async function searchCertificates(more) {
    if (!more) {
      certQuery = certParams().toString();
      certCursor = null;
      clear($('cert-rows'));
      $('cert-detail').hidden = true;
    }
    const p = new URLSearchParams(certQuery);
    if (more && certCursor) p.set('cursor', certCursor);
    const page = await apiJson('GET', '/certificates?' + p.toString());
    const tbody = $('cert-rows');
    for (const c of page.items) {
      const tr = el('tr', { 'data-serial': c.serial, tabIndex: 0 },
        el('td', { text: c.subject }),
        el('td', { class: 'small', text: c.subjectAltNames.join(', ') }),
        el('td', { class: 'mono small', text: deviceOf(c) }),
        el('td', {}, statusBadge(c.status)),
        el('td', { text: fmtTime(c.notAfter) }),
        el('td', { class: 'mono small', text: c.serial }));
      tr.addEventListener('click', () => showCertificate(c.serial));
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') showCertificate(c.serial); });
      tbody.append(tr);
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
    $('cert-detail').hidden = false;
    $('cert-detail').scrollIntoView({ block: 'nearest' });
  }

  async function revokeSelected() {
    const c = selectedCert;
    if (!c) return;
    const select = el('select', { id: 'revoke-reason' });
    for (const r of ['unspecified', 'keyCompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation',
      'privilegeWithdrawn']) {
      select.append(el('option', { value: r, text: r }));
    }
    const extra = el('label', { class: 'block' }, 'Reason ', select);
    const ok = await confirmDialog('Revoke certificate?',
      'Revoke ' + c.subject + ' (serial ' + c.serial + ')? The CRL is republished at once; this cannot be undone.',
      'Revoke', extra);
    if (!ok) return;
    try {
      const updated = await apiJson('POST', '/certificates/' + encodeURIComponent(c.serial) + '/revoke',
        { reason: select.value });
      toast('Revoked ' + updated.serial);
      await showCertificate(updated.serial);
      const row = document.querySelector('#cert-rows tr[data-serial="' + CSS.escape(updated.serial) + '"] td:nth-child(3)');
      if (row) { clear(row); row.append(statusBadge(updated.status)); }
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
      tbody.append(el('tr', { 'data-id': c.id }, el('td', { text: c.note || '–' }),
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

  async function copySecret() {
    const input = $('challenge-secret');
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
      tbody.append(el('tr', { 'data-transaction': r.transactionId }, el('td', { text: r.subject }),
        el('td', { text: r.requester }), el('td', { text: fmtTime(r.createdAt) }),
        el('td', { class: 'mono small', text: r.transactionId }), el('td', { class: 'nowrap' }, approve, ' ', reject)));
    }
    $('request-empty').hidden = list.items.length > 0;
  }

  let profileDefaults = null;

  async function loadProfiles() {
    profileDefaults = await apiJson('GET', '/profiles');
    if (!$('profile-url').value) $('profile-url').value = profileDefaults.defaultScepUrl;
  }

  async function createProfile(ev) {
    ev.preventDefault();
    $('profile-error').hidden = true;
    $('profile-result').hidden = true;
    const body = {
      scepUrl: $('profile-url').value.trim(),
      challenge: $('profile-challenge').value,
      challengeTtl: $('profile-ttl').value,
      keySize: Number($('profile-key-size').value),
      sign: $('profile-sign').checked,
      includeIntermediate: $('profile-intermediate').checked,
    };
    const optional = { subject: 'profile-subject', sanDns: 'profile-san-dns', displayName: 'profile-display-name',
      organization: 'profile-organization' };
    for (const [field, id] of Object.entries(optional)) {
      const v = $(id).value.trim();
      if (v) body[field] = v;
    }
    const preset = $('profile-preset').value;
    try {
      const resp = await api('POST', '/profiles/' + encodeURIComponent(preset), body);
      const name = 'scepca-' + preset + '.mobileconfig';
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
        location.hash = '#/dashboard';
        await route();
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
    $('cert-dl-pem').addEventListener('click', () => selectedCert && download('/certificates/'
      + encodeURIComponent(selectedCert.serial) + '?format=pem', selectedCert.serial + '.pem'));
    $('cert-dl-der').addEventListener('click', () => selectedCert && download('/certificates/'
      + encodeURIComponent(selectedCert.serial) + '?format=der', selectedCert.serial + '.cer'));
    $('dl-chain').addEventListener('click', () => download('/ca/chain', 'chain.pem'));
    $('dl-crl').addEventListener('click', () => download('/ca/crl', 'intermediate.crl'));
    $('challenge-form').addEventListener('submit', createChallenge);
    $('challenge-copy').addEventListener('click', copySecret);
    $('profile-form').addEventListener('submit', createProfile);
    window.addEventListener('hashchange', route);
    const notice = sessionStorage.getItem(NOTICE_KEY);
    if (notice) {
      sessionStorage.removeItem(NOTICE_KEY);
      toast(notice, 'warn');
    }
    route();
  });
})();
