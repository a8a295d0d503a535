// Azora web client: a plain ES module, no framework. Server data is only ever put in the page as text
// (textContent, text nodes); nothing here uses innerHTML.
const $ = (id) => document.getElementById(id);
const STORE = 'azora.session';

let session = null;        // {accessToken, refreshToken, user}
let refreshing = null;     // the one refresh in flight, shared by every caller
let openCourse = null;     // the course shown in #course
let tutor = null, events = null, room = null;
let epoch = 0;             // grows at every sign-in and sign-out: late answers of an old session are dropped

// ---------- small helpers ----------
function h(tag, props = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el) el[k] = v;
    else el.setAttribute(k, v);
  }
  for (const c of kids) if (c != null) el.append(c);
  return el;
}
const say = (id, text) => { $(id).textContent = text || ''; };
const str = (v) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const clip = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

let seq = 0;
function uid() {
  if (globalThis.crypto?.randomUUID) return crypto.randomUUID();
  const r = new Uint32Array(2);
  crypto.getRandomValues(r);
  return `${Date.now().toString(36)}-${(++seq).toString(36)}-${r[0].toString(36)}${r[1].toString(36)}`;
}

function when(at) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? null : h('time', { dateTime: d.toISOString() }, d.toLocaleString());
}

// A decimal string is zero when it has only zeros: no float parsing of money.
const isZero = (s) => /^0*(\.0*)?$/.test(s) && s !== '.';
const PRICE = /^[0-9]{1,18}(\.[0-9]{1,8})?$/;

// ---------- API ----------
class ApiError extends Error {
  constructor(status, problem) {
    const p = problem && typeof problem === 'object' ? problem : {};
    let msg = str(p.detail) || str(p.title) || `Request failed (HTTP ${status})`;
    if (Array.isArray(p.errors) && p.errors.length) {
      msg += ' ' + p.errors.map((e) => [str(e?.field), str(e?.message)].filter(Boolean).join(': ')).join('; ');
    }
    super(msg);
    this.status = status;
    this.code = str(p.code);
  }
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (token) headers.Authorization = 'Bearer ' + token;
  let res;
  try {
    res = await fetch('/api' + path, init);
  } catch {
    throw new ApiError(0, { detail: 'The server could not be reached. Check your connection and try again.' });
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) { try { data = JSON.parse(text); } catch { data = null; } }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// Authenticated call: on 401, refresh the tokens once and try again; otherwise back to sign-in.
async function api(method, path, body) {
  if (!session) throw new ApiError(401, { detail: 'Not signed in.' });
  const used = session.accessToken;
  try {
    return await send(method, path, body, used);
  } catch (e) {
    if (e.status !== 401 || !session) throw e;
    const renewed = session.accessToken !== used || (await refresh());
    if (!renewed || !session) { expire(); throw e; }
    try {
      return await send(method, path, body, session.accessToken);
    } catch (e2) {
      if (e2.status === 401) expire();
      throw e2;
    }
  }
}

function refresh() {
  if (!session?.refreshToken) return Promise.resolve(false);
  if (!refreshing) {
    const spent = session.refreshToken;
    refreshing = send('POST', '/auth/refresh', { refreshToken: spent })
      .then((t) => {
        if (!session || session.refreshToken !== spent) return false;
        const access = t?.accessToken || t?.token;
        if (!access) return false;
        setSession({ ...session, accessToken: access, refreshToken: t.refreshToken || null, user: t.user || session.user });
        renewSockets();
        return true;
      })
      .catch(() => false)
      .finally(() => { refreshing = null; });
  }
  return refreshing;
}

// The token's own expiry (seconds), read only to time renewals; the server is what checks it.
function tokenExp(token) {
  try {
    const exp = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))).exp;
    return typeof exp === 'number' ? exp : 0;
  } catch {
    return 0;
  }
}
const expiresSoon = (token) => { const exp = tokenExp(token); return exp > 0 && exp * 1000 - Date.now() < 30000; };

// Renew a minute before the access token expires, and hand the new token to the open sockets
// ({"type":"auth","token"}), which the server otherwise closes (1008) when the old one expires.
let renewTimer = 0, authSeq = 0;
function scheduleRenew() {
  clearTimeout(renewTimer);
  const exp = session ? tokenExp(session.accessToken) : 0;
  if (!exp) return;
  const delay = Math.min(Math.max(5000, exp * 1000 - Date.now() - 60000), 2147483000);
  renewTimer = setTimeout(() => { refresh(); }, delay);
}
function renewSockets() {
  for (const s of [tutor, events, room]) s?.send({ type: 'auth', id: `auth-${++authSeq}`, token: session.accessToken });
}

// ---------- WebSockets with reconnect ----------
const wsUrl = (path) => (location.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + location.host + path;

function liveSocket(path, { onMessage, onOpen, onClose, maxFailures = Infinity, fatal = () => false }) {
  // A socket that could not open may mean the session is gone: any API call then refreshes or signs out.
  let ws = null, stopped = false, delay = 1000, timer = 0, failures = 0, opened = false, everOpened = false;
  async function connect() {
    if (stopped || !session) return;
    if (expiresSoon(session.accessToken) && !(await refresh())) { if (!stopped) expire(); return; }
    if (stopped || !session) return;
    opened = false;
    try {
      ws = new WebSocket(wsUrl(path), ['bearer.' + session.accessToken]);
    } catch {
      ws = null; stopped = true; onClose?.({ code: 0, reason: 'could not connect' }, true); return;
    }
    ws.onopen = () => { opened = true; failures = 0; delay = 1000; onOpen?.(everOpened); everOpened = true; };
    ws.onmessage = (e) => {
      let m;
      try { m = JSON.parse(e.data); } catch { return; }
      if (m && typeof m === 'object') onMessage(m);
    };
    ws.onclose = (e) => {
      ws = null;
      if (stopped) return;
      if (!opened) { failures++; api('GET', '/auth/profile').catch(() => {}); }
      if (stopped || !session) return;
      const giveUp = fatal(e) || failures >= maxFailures;
      onClose?.(e, giveUp);
      if (giveUp) { stopped = true; return; }
      timer = setTimeout(connect, delay + Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
  return {
    get open() { return !!ws && ws.readyState === WebSocket.OPEN; },
    send(obj) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(obj));
      return true;
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      if (ws) { try { ws.close(1000); } catch { /* already closing */ } ws = null; }
    },
  };
}

// ---------- session ----------
function setSession(s) {
  session = s;
  scheduleRenew();
  try {
    if (s) sessionStorage.setItem(STORE, JSON.stringify(s));
    else sessionStorage.removeItem(STORE);
  } catch { /* storage unavailable: memory only */ }
}

function showSignedIn() {
  const u = session.user || {};
  const name = str(u.name), email = str(u.email);
  say('user-label', name && email ? `${name} (${email})` : name || email || 'you');
  epoch++;
  $('auth').hidden = true;
  $('app').hidden = false;
  say('auth-error', '');
  $('password').value = '';
  loadCourses('');
  loadBalance();
  loadNotifications();
  startTutor();
  startEvents();
}

function signedOutView(message) {
  epoch++;
  for (const s of [tutor, events, room]) s?.close();
  tutor = events = room = null;
  asking = null; pendingAsk = null;
  openCourse = null;
  seen.clear();
  unread = 0;
  notesCursor = coursesCursor = null;
  for (const id of ['courses', 'lessons', 'answer', 'answer-sources', 'room-presence', 'room-log', 'notifications']) $(id).replaceChildren();
  for (const id of ['courses-status', 'course-error', 'course-status', 'room-error', 'wallet-error', 'notifications-error', 'tutor-status', 'room-status', 'events-status']) say(id, '');
  $('course').hidden = $('lesson').hidden = $('sources-heading').hidden = true;
  $('courses-more').hidden = $('notifications-more').hidden = true;
  say('wallet-balance', '…');
  say('unread-count', '0');
  roomView(false);
  setRoomCourse(null);
  $('app').hidden = true;
  $('auth').hidden = false;
  say('auth-error', message || '');
  $('email').focus();
}

function expire() {
  if (!session) return;
  setSession(null);
  signedOutView('Your session has ended. Please sign in again.');
}

async function authenticate(path, body) {
  const btns = [$('signin'), $('register')];
  btns.forEach((b) => { b.disabled = true; });
  say('auth-error', '');
  try {
    const t = await send('POST', path, body);
    const access = t?.accessToken || t?.token;
    if (!access) throw new ApiError(500, { detail: 'The server answered without a token.' });
    setSession({ accessToken: access, refreshToken: t.refreshToken || null, user: t.user || { email: body.email, name: body.name } });
    showSignedIn();
    $('account-heading').focus();
  } catch (e) {
    let msg = e.message;
    if (e.code === 'mfa_required') msg = `${msg} (Two-factor sign-in is not available in this page yet.)`;
    say('auth-error', msg);
  } finally {
    btns.forEach((b) => { b.disabled = false; });
  }
}

function credentials() {
  const email = $('email').value.trim(), password = $('password').value;
  if (!email || !$('email').checkValidity()) { say('auth-error', 'Enter a valid email address.'); $('email').focus(); return null; }
  if (!password) { say('auth-error', 'Enter your password.'); $('password').focus(); return null; }
  return { email, password };
}

$('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const c = credentials();
  if (c) authenticate('/auth/login', c);
});

function register() {
  const c = credentials();
  if (!c) return;
  const name = $('name').value.trim();
  if (!name) { say('auth-error', 'Enter your name to register.'); $('name').focus(); return; }
  authenticate('/auth/register', { ...c, name, role: 'student' });
}
$('register').addEventListener('click', register);
// Enter in the name field registers rather than signing in.
$('name').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.isComposing) { e.preventDefault(); register(); }
});

$('signout').addEventListener('click', async () => {
  const s = session;
  setSession(null);
  signedOutView('You are signed out.');
  if (s) { try { await send('POST', '/auth/logout', undefined, s.accessToken); } catch { /* the session ends anyway */ } }
});

// ---------- courses ----------
let coursesQuery = '', coursesCursor = null;

async function loadCourses(q, cursor) {
  const list = $('courses');
  if (!cursor) { coursesQuery = q; list.replaceChildren(); }
  const params = new URLSearchParams({ limit: '20' });
  if (coursesQuery) params.set('q', coursesQuery);
  if (cursor) params.set('cursor', cursor);
  say('courses-status', 'Loading courses…');
  $('courses-more').hidden = true;
  try {
    const e0 = epoch;
    const r = await api('GET', '/courses?' + params);
    if (e0 !== epoch) return;
    const items = Array.isArray(r?.items) ? r.items : Array.isArray(r?.courses) ? r.courses : [];
    for (const c of items) {
      const meta = [str(c.level), priceText(c.price)].filter(Boolean).join(' · ');
      list.append(h('li', {},
        h('button', { type: 'button', class: 'link', onclick: () => openCourseView(str(c.id)) }, str(c.title) || 'Untitled course'),
        meta ? h('span', { class: 'meta' }, ' ' + meta) : null));
    }
    coursesCursor = r?.nextCursor || null;
    $('courses-more').hidden = !coursesCursor;
    const n = list.children.length;
    say('courses-status', n ? `${n} course${n === 1 ? '' : 's'} shown.` : 'No courses found.');
  } catch (e) {
    say('courses-status', e.message);
  }
}

function priceText(p) {
  const s = str(p);
  if (!s) return '';
  return isZero(s) ? 'Free' : `${s} AZR`;
}

$('search-form').addEventListener('submit', (e) => {
  e.preventDefault();
  loadCourses($('search').value.trim());
});
$('courses-more').addEventListener('click', () => { if (coursesCursor) loadCourses(coursesQuery, coursesCursor); });

async function openCourseView(id) {
  if (!id) return;
  say('course-error', '');
  say('course-status', '');
  let c;
  try {
    const e0 = epoch;
    c = await api('GET', '/courses/' + encodeURIComponent(id));
    if (e0 !== epoch || !c) return;
  } catch (e) {
    say('courses-status', e.message);
    return;
  }
  if (openCourse?.id !== str(c.id) && room) leaveRoom();
  openCourse = { id: str(c.id) || id, title: str(c.title), price: str(c.price), lessons: new Set() };
  say('course-title', openCourse.title || 'Untitled course');
  say('course-meta', [str(c.level), str(c.category), priceText(c.price), c.duration ? `${str(c.duration)} min` : ''].filter(Boolean).join(' · '));
  paragraphs($('course-description'), str(c.description));

  const enrol = $('enrol');
  enrol.disabled = false;
  enrol.textContent = openCourse.price && !isZero(openCourse.price) ? `Enrol for ${openCourse.price} AZR` : 'Enrol (free)';

  const outline = $('lessons');
  outline.replaceChildren();
  const byOrder = (a, b) => (Number(a?.order) || 0) - (Number(b?.order) || 0);
  const modules = Array.isArray(c.modules) ? [...c.modules].sort(byOrder) : [];
  for (const m of modules) {
    const lessons = Array.isArray(m.lessons) ? [...m.lessons].sort(byOrder) : [];
    const ol = h('ol');
    for (const l of lessons) {
      const lid = str(l.id);
      openCourse.lessons.add(lid);
      ol.append(h('li', {}, h('button', { type: 'button', class: 'link', 'data-lesson': lid, 'aria-controls': 'lesson', onclick: () => openLesson(lid) }, str(l.title) || 'Untitled lesson')));
    }
    outline.append(h('li', {}, h('span', { class: 'module' }, str(m.title) || 'Module'), ol));
  }
  if (!outline.children.length) outline.append(h('li', {}, 'No lessons yet.'));
  $('lesson').hidden = true;
  $('lesson').replaceChildren();
  $('course').hidden = false;
  setRoomCourse(openCourse);
  $('course-title').focus();
}

async function openLesson(id) {
  say('course-error', '');
  try {
    const e0 = epoch;
    const l = await api('GET', '/lessons/' + encodeURIComponent(id));
    if (e0 !== epoch) return;
    const art = $('lesson');
    const title = h('h3', { tabIndex: -1 }, str(l?.title) || 'Lesson');
    const body = h('div');
    markdown(body, str(l?.content));
    art.replaceChildren(title, body);
    art.hidden = false;
    for (const b of $('lessons').querySelectorAll('button[data-lesson]')) {
      if (b.dataset.lesson === id) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    }
    title.focus();
  } catch (e) {
    say('course-error', e.status === 403 ? `${e.message} Enrol in the course to read its lessons.` : e.message);
  }
}

$('enrol').addEventListener('click', async () => {
  if (!openCourse) return;
  const c = openCourse, btn = $('enrol');
  btn.disabled = true;
  say('course-error', '');
  say('course-status', 'Enrolling…');
  try {
    // expectedPrice: the server refuses (409 price_changed) rather than charge a price the learner did not see.
    const body = PRICE.test(c.price) ? { expectedPrice: c.price } : undefined;
    await api('POST', `/courses/${encodeURIComponent(c.id)}/enroll`, body);
    say('course-status', 'You are enrolled.');
    if (c.price && !isZero(c.price)) loadBalance();
  } catch (e) {
    say('course-status', '');
    say('course-error', e.message);
  } finally {
    if (openCourse === c) btn.disabled = false;
  }
});

function paragraphs(el, text) {
  el.replaceChildren(...text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((p) => h('p', {}, p)));
}

// Markdown shown as text: headings, paragraphs and fenced code, never parsed into HTML.
function markdown(el, md) {
  const out = [];
  let para = [], code = null;
  const flush = () => { if (para.length) out.push(h('p', {}, para.join('\n'))); para = []; };
  for (const line of md.replace(/\r\n?/g, '\n').split('\n')) {
    if (code) {
      if (/^\s*(```|~~~)/.test(line)) { out.push(h('pre', {}, h('code', {}, code.join('\n')))); code = null; }
      else code.push(line);
    } else if (/^\s*(```|~~~)/.test(line)) { flush(); code = []; }
    else if (/^#{1,6}\s/.test(line)) { flush(); out.push(h('h4', {}, line.replace(/^#+\s*/, '').replace(/\s#+\s*$/, ''))); }
    else if (!line.trim()) flush();
    else para.push(line);
  }
  if (code) out.push(h('pre', {}, h('code', {}, code.join('\n'))));
  flush();
  el.replaceChildren(...out);
}

// ---------- Ask Elara ----------
const submit = (f) => (f.requestSubmit ? f.requestSubmit() : f.dispatchEvent(new Event('submit', { cancelable: true })));
let asking = null, pendingAsk = null, answerText = null;

function startTutor() {
  say('tutor-status', 'Connecting…');
  tutor = liveSocket('/api/tutor/ws', {
    onOpen: () => {
      say('tutor-status', 'Connected.');
      if (pendingAsk && tutor.send(pendingAsk)) pendingAsk = null;
    },
    onMessage: tutorMessage,
    onClose: () => {
      say('tutor-status', 'Reconnecting…');
      if (asking && !pendingAsk) {
        $('answer').append(h('p', { class: 'error' }, 'The connection was lost before the answer finished. Please ask again.'));
        endAsk();
      }
    },
  });
}

function endAsk() {
  asking = null;
  answerText = null;
  $('ask-send').disabled = false;
}

function tutorMessage(m) {
  if (!asking || (m.id != null && m.id !== asking)) return;
  if (m.type === 'token') {
    if (!answerText) { answerText = document.createTextNode(''); $('answer').replaceChildren(h('p', { class: 'stream' }, answerText)); }
    answerText.appendData(str(m.text));
  } else if (m.type === 'done') {
    if (!answerText) $('answer').replaceChildren(h('p', {}, 'Elara has no answer to that yet.'));
    const list = $('answer-sources'), done = new Set();
    list.replaceChildren();
    for (const s of Array.isArray(m.sources) ? m.sources : []) {
      const lid = str(s?.lessonId), title = str(s?.title) || 'Lesson';
      if (done.has(lid + title)) continue;
      done.add(lid + title);
      const inCourse = lid && openCourse?.lessons.has(lid);
      list.append(h('li', {}, inCourse ? h('button', { type: 'button', class: 'link', onclick: () => openLesson(lid) }, title) : title));
    }
    $('sources-heading').hidden = !list.children.length;
    endAsk();
  } else if (m.type === 'error') {
    $('answer').replaceChildren(h('p', { class: 'error' }, str(m.message) || 'Elara could not answer.'));
    endAsk();
  }
}

$('ask-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('ask-text').value.trim();
  if (!text || asking || !tutor) return;
  asking = uid();
  const msg = { type: 'ask', id: asking, text };
  if (openCourse) msg.courseId = openCourse.id;
  answerText = null;
  $('answer').replaceChildren(h('p', { class: 'meta' }, 'Elara is thinking…'));
  $('answer-sources').replaceChildren();
  $('sources-heading').hidden = true;
  $('ask-send').disabled = true;
  if (!tutor.send(msg)) pendingAsk = msg; // sent when the socket (re)opens
  $('ask-text').value = '';
});
$('ask-text').addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit($('ask-form')); }
});

// ---------- live room ----------
let roomCourse = null;

function setRoomCourse(c) {
  roomCourse = c;
  say('room-heading', c ? `Live room: ${c.title || 'course'}` : 'Live room');
  $('room-hint').hidden = !!c;
  $('room-join').disabled = !c || !!room;
}

function roomView(joined) {
  $('room-panel').hidden = !joined;
  $('room-leave').hidden = !joined;
  $('room-join').hidden = joined;
  $('room-join').disabled = !roomCourse;
}

function joinRoom() {
  if (!roomCourse || room) return;
  const c = roomCourse;
  say('room-error', '');
  say('room-status', 'Connecting…');
  $('room-log').replaceChildren();
  $('room-presence').replaceChildren();
  roomView(true);
  room = liveSocket(`/api/rooms/${encodeURIComponent(c.id)}/ws`, {
    maxFailures: 4,
    // 1008 is final (session ended, too many sockets) except a token that expired before its renewal.
    fatal: (e) => (e.code === 1008 && e.reason !== 'Access token expired') || e.code === 1003 || e.code >= 4000,
    onOpen: () => { say('room-status', 'Connected.'); $('room-text').focus(); },
    onMessage: roomMessage,
    onClose: (e, giveUp) => {
      if (!giveUp) { say('room-status', 'Reconnecting…'); return; }
      room = null;
      roomView(false);
      say('room-status', '');
      say('room-error', `You could not stay in the room${e.reason ? ': ' + clip(str(e.reason), 200) : '. Are you enrolled in this course?'}`);
    },
  });
}

function leaveRoom() {
  room?.close();
  room = null;
  say('room-status', 'You left the room.');
  roomView(false);
}

function chatLine(m) {
  const me = session?.user?.id && str(m.from) === str(session.user.id);
  const li = h('li', { class: me ? 'mine' : '' },
    h('span', { class: 'who' }, (str(m.name) || (me ? 'You' : 'Someone')) + ': '),
    h('span', { class: 'text' }, str(m.text)));
  const t = when(m.at);
  if (t) li.append(' ', t);
  return li;
}

function roomMessage(m) {
  const log = $('room-log');
  if (m.type === 'history') {
    log.replaceChildren(...(Array.isArray(m.messages) ? m.messages : []).filter((x) => x && typeof x === 'object').map(chatLine));
    log.scrollTop = log.scrollHeight;
  } else if (m.type === 'chat') {
    log.append(chatLine(m));
    while (log.children.length > 300) log.firstElementChild.remove();
    log.scrollTop = log.scrollHeight;
  } else if (m.type === 'presence') {
    const names = new Map();
    for (const u of Array.isArray(m.users) ? m.users : []) names.set(str(u?.id) || str(u?.name), str(u?.name) || 'Someone');
    $('room-presence').replaceChildren(...[...names.values()].map((n) => h('li', {}, n)));
  } else if (m.type === 'error' && !str(m.id).startsWith('auth-')) {
    say('room-error', str(m.message) || str(m.detail) || 'The room refused that.');
  }
}

$('room-join').addEventListener('click', joinRoom);
$('room-leave').addEventListener('click', () => { leaveRoom(); $('room-join').focus(); });
$('room-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('room-text').value.trim();
  if (!text) return;
  if (room?.send({ type: 'chat', text })) { $('room-text').value = ''; say('room-error', ''); }
  else say('room-error', 'Not connected to the room yet; try again in a moment.');
});

// ---------- wallet ----------
async function loadBalance() {
  say('wallet-error', '');
  try {
    const e0 = epoch;
    const w = await api('GET', '/wallet/balance');
    if (e0 !== epoch) return;
    say('wallet-balance', str(w?.balance) || '0'); // shown exactly as the server wrote it
    say('wallet-currency', str(w?.currency) || 'AZR');
  } catch (e) {
    say('wallet-error', e.message);
  }
}
$('wallet-refresh').addEventListener('click', loadBalance);

// ---------- notifications ----------
const seen = new Set();
let unread = 0, notesCursor = null;

function setUnread(n) { unread = Math.max(0, n); say('unread-count', String(unread)); }

function summary(n) {
  const kind = str(n.kind) || 'notification';
  const d = n.data;
  if (typeof d === 'string') return `${kind}: ${clip(d, 160)}`;
  const o = d && typeof d === 'object' ? d : {};
  const parts = [];
  if (str(o.amount)) parts.push(`${str(o.amount)} ${str(o.currency) || 'AZR'}`);
  for (const k of ['title', 'courseTitle', 'jobTitle', 'name', 'reason', 'message', 'memo']) {
    if (str(o[k])) { parts.push(str(o[k])); break; }
  }
  const s = clip(parts.join(' — '), 160);
  return s ? `${kind}: ${s}` : kind;
}

function noteItem(n) {
  const id = str(n.id), text = summary(n);
  const read = n.read === true || !!n.readAt;
  const li = h('li', { class: read ? 'read' : '' }, h('span', {}, text));
  const t = when(n.createdAt);
  if (t) li.append(' ', t);
  if (!read && id) {
    const b = h('button', { type: 'button', class: 'small', 'aria-label': `Mark read: ${text}` }, 'Mark read');
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await api('POST', `/notifications/${encodeURIComponent(id)}/read`);
        b.remove();
        li.classList.add('read');
        setUnread(unread - 1);
        say('notifications-error', '');
      } catch (e) {
        b.disabled = false;
        say('notifications-error', e.message);
      }
    });
    li.append(' ', b);
  }
  return li;
}

async function loadNotifications(cursor) {
  const list = $('notifications');
  const params = new URLSearchParams({ limit: '20' });
  if (cursor) params.set('cursor', cursor);
  else { list.replaceChildren(); seen.clear(); }
  say('notifications-error', '');
  try {
    list.setAttribute('aria-busy', 'true');
    const e0 = epoch;
    const r = await api('GET', '/notifications?' + params);
    if (e0 !== epoch) return;
    for (const n of Array.isArray(r?.items) ? r.items : []) {
      if (!n || typeof n !== 'object' || seen.has(str(n.id))) continue;
      seen.add(str(n.id));
      list.append(noteItem(n));
    }
    if (!cursor && r?.unread != null) setUnread(Number(r.unread) || 0);
    notesCursor = r?.nextCursor || null;
    $('notifications-more').hidden = !notesCursor;
  } catch (e) {
    say('notifications-error', e.message);
  } finally {
    list.setAttribute('aria-busy', 'false');
  }
}
$('notifications-more').addEventListener('click', () => { if (notesCursor) loadNotifications(notesCursor); });

function startEvents() {
  say('events-status', '(connecting…)');
  events = liveSocket('/api/events/ws', {
    onOpen: (again) => {
      say('events-status', '(live)');
      if (again) { loadNotifications(); loadBalance(); } // catch up on what was missed while away
    },
    onClose: () => say('events-status', '(reconnecting…)'),
    onMessage: (m) => {
      if (m.type !== 'notification') return;
      const id = str(m.id);
      if (id && seen.has(id)) return; // delivered at least once
      if (id) seen.add(id);
      $('notifications').prepend(noteItem(m));
      if (!(m.read === true || m.readAt)) setUnread(unread + 1);
      if (m.kind === 'wallet.credited' || m.kind === 'reward.mined') loadBalance();
    },
  });
}

// ---------- start ----------
function restore() {
  let s = null;
  try { s = JSON.parse(sessionStorage.getItem(STORE) || 'null'); } catch { s = null; }
  if (!s || typeof s.accessToken !== 'string') { $('auth').hidden = false; return; }
  session = s;
  scheduleRenew();
  showSignedIn();
  // Keep the shown name current; a 401 here refreshes or returns to sign-in.
  api('GET', '/auth/profile').then((p) => {
    if (!session || !p) return;
    setSession({ ...session, user: { ...session.user, ...p } });
    const name = str(p.name), email = str(p.email);
    say('user-label', name && email ? `${name} (${email})` : name || email || 'you');
  }).catch(() => {});
}
restore();
