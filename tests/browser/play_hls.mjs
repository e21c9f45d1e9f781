#!/usr/bin/env node
// Plays an HLS ladder in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core) with hls.js, both from this folder's node_modules.
//
//   node play_hls.mjs DIR MASTER_NAME EXPECTED_LEVELS [MIN_SECONDS=3]
//
// DIR is served on 127.0.0.1 (a free port), with a page that plays DIR/MASTER_NAME in
// <video muted autoplay> elements:
//   - "abr": hls.js as a viewer gets it (automatic level selection);
//   - "level<i>" for each i < EXPECTED_LEVELS: hls.js pinned to level i (hls.levels order,
//     lowest bitrate first), so every rendition has to play, not only the one ABR picks.
// It passes when hls.js sees exactly EXPECTED_LEVELS levels and every player's currentTime
// passes MIN_SECONDS (each pinned one on its own level); it fails on a fatal hls.js error, a
// <video> error, an HTTP error for anything the page asked for, the stream ending first, no
// progress for PLAY_HLS_STALL_S (15 s), or PLAY_HLS_TIMEOUT_S (60 s) in all.
// PLAY_HLS_EACH_LEVEL=0 leaves out the pinned players.
//
// Prints one line of JSON (the levels as hls.js parsed them, the time reached, the errors) and
// exits 0 on success, 1 on failure ("FAIL: reason" on stderr), 77 (skipped) only when
// /usr/bin/chromium or node_modules is missing (it says what, on stderr), 2 on bad usage.
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, accessSync, constants } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CHROMIUM = '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const HLS_JS = path.join(here, 'node_modules', 'hls.js', 'dist', 'hls.min.js');
const PLAYWRIGHT = path.join(here, 'node_modules', 'playwright-core', 'index.mjs');
const PREFIX = '/__play_hls__/';

const usage = 'usage: node play_hls.mjs DIR MASTER_NAME EXPECTED_LEVELS [MIN_SECONDS=3]';
const argv = process.argv.slice(2);
if (argv.length < 3 || argv.length > 4) {
  console.error(usage);
  process.exit(2);
}
const [dirArg, masterName, expectedArg, minArg = '3'] = argv;
const expectedLevels = Number(expectedArg);
const minSeconds = Number(minArg);
if (!Number.isInteger(expectedLevels) || expectedLevels < 1 || !(minSeconds >= 0)) {
  console.error(usage);
  process.exit(2);
}
const envNumber = (name, dflt) => {
  const v = Number(process.env[name]);
  return process.env[name] && v > 0 ? v : dflt;
};
const timeoutS = envNumber('PLAY_HLS_TIMEOUT_S', 60);
const stallS = envNumber('PLAY_HLS_STALL_S', 15);
const eachLevel = process.env.PLAY_HLS_EACH_LEVEL !== '0';

// Skipped (77) only when the browser or the npm packages are not installed.
const missing = [];
try {
  accessSync(CHROMIUM, constants.X_OK);
} catch {
  missing.push(`${CHROMIUM} (Debian package chromium: apt-get install chromium)`);
}
for (const f of [PLAYWRIGHT, HLS_JS]) {
  if (!existsSync(f)) missing.push(`${f} (npm ci --prefix ${here})`);
}
if (missing.length) {
  console.error(`SKIP: missing ${missing.join('; ')}`);
  process.exit(77);
}

const summary = {
  result: 'fail',
  reason: null,
  master: masterName,
  expectedLevels,
  minSeconds,
  levels: null,
  currentTime: 0,
  players: [],
  mse: null,
  errors: [],
  httpErrors: [],
  chromium: null,
  elapsedMs: 0,
  timeline: {},  // ms since start: browser up, page loaded, first player moving
};
const started = Date.now();

let finished = false;
function finish(code, reason) {
  if (finished) return code;
  finished = true;
  summary.reason = reason ?? null;
  summary.result = code === 0 ? 'pass' : 'fail';
  summary.elapsedMs = Date.now() - started;
  console.log(JSON.stringify(summary));
  if (code !== 0) console.error(`FAIL: ${reason}`);
  return code;
}

const dir = path.resolve(dirArg);
const masterPath = path.resolve(dir, masterName);
if (!existsSync(dir) || !statSync(dir).isDirectory()) process.exit(finish(1, `no directory ${dir}`));
if (!masterPath.startsWith(dir + path.sep) || !existsSync(masterPath))
  process.exit(finish(1, `no master playlist ${masterPath}`));

// --- HTTP server -------------------------------------------------------------------------------
const TYPES = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.mp4': 'video/mp4',
  '.m4s': 'video/iso.segment',
  '.aac': 'audio/aac',
  '.vtt': 'text/vtt',
  '.json': 'application/json',
};

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>play_hls</title><link rel="icon" href="data:,">
<script src="${PREFIX}hls.js"></script></head>
<body>
<script>
'use strict';
const params = new URLSearchParams(location.search);
const src = params.get('src');
const expected = Number(params.get('levels'));
const each = params.get('each') === '1';
const MAX_ERRORS = 20;
const mse = {
  hlsjsSupported: typeof Hls !== 'undefined' && Hls.isSupported(),
  h264: !!(window.MediaSource && MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"')),
  aac: !!(window.MediaSource && MediaSource.isTypeSupported('audio/mp4; codecs="mp4a.40.2"')),
  h264aac: !!(window.MediaSource && MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E,mp4a.40.2"')),
  hlsjs: typeof Hls !== 'undefined' ? Hls.version : null,
};
const players = [];
function levelInfo(l) {
  return { width: l.width, height: l.height, bitrate: l.bitrate, averageBitrate: l.averageBitrate,
    codecs: [l.videoCodec, l.audioCodec].filter(Boolean).join(',') || l.codecSet,
    videoCodec: l.videoCodec, audioCodec: l.audioCodec, frameRate: l.frameRate,
    url: Array.isArray(l.url) ? l.url[0] : l.url };
}
function addPlayer(name, pin) {
  const video = document.createElement('video');
  video.muted = true; video.autoplay = true; video.playsInline = true; video.width = 320;
  document.body.appendChild(video);
  const p = { name, pin, video, hls: null, levels: null, errors: [], fragLevels: {}, playing: null,
    videoError: null, playError: null };
  players.push(p);
  const note = (e) => { if (p.errors.length < MAX_ERRORS) p.errors.push(e); };
  video.addEventListener('error', () => {
    const e = video.error;
    p.videoError = e ? ('MediaError ' + e.code + (e.message ? ': ' + e.message : '')) : 'error';
  });
  if (!mse.hlsjsSupported) return;
  const hls = new Hls({ startLevel: pin === null ? -1 : pin, capLevelToPlayerSize: false,
    maxBufferLength: 12 });
  p.hls = hls;
  hls.on(Hls.Events.MANIFEST_PARSED, () => {
    p.levels = hls.levels.map(levelInfo);
    if (pin !== null && pin < hls.levels.length) hls.loadLevel = pin;
  });
  hls.on(Hls.Events.LEVEL_SWITCHED, (_, d) => { p.playing = d.level; });
  hls.on(Hls.Events.FRAG_BUFFERED, (_, d) => {
    if (d.frag && d.frag.type === 'main') p.fragLevels[d.frag.level] = (p.fragLevels[d.frag.level] || 0) + 1;
  });
  hls.on(Hls.Events.ERROR, (_, d) => {
    const r = d.response || (d.networkDetails && { code: d.networkDetails.status });
    note({ type: d.type, details: d.details, fatal: !!d.fatal,
      url: d.url || (d.frag && d.frag.url) || (d.context && d.context.url) || undefined,
      code: r && r.code || undefined,
      reason: d.reason || (d.error && String(d.error.message || d.error)) || undefined });
  });
  hls.loadSource(src);
  hls.attachMedia(video);
  video.play().catch((e) => { p.playError = String(e && e.message || e); });
}
if (mse.hlsjsSupported && mse.h264) {
  addPlayer('abr', null);
  if (each) for (let i = 0; i < expected; i++) addPlayer('level' + i, i);
}
window.__snapshot = () => ({
  mse,
  players: players.map((p) => ({
    name: p.name, pin: p.pin, levels: p.levels,
    currentLevels: p.hls ? p.hls.levels.length : null,
    currentTime: p.video.currentTime, duration: p.video.duration, ended: p.video.ended,
    paused: p.video.paused, readyState: p.video.readyState, playing: p.playing,
    fragLevels: p.fragLevels, videoError: p.videoError, playError: p.playError,
    errors: p.errors,
  })),
});
</script></body></html>
`;

const httpErrors = [];
function noteHttpError(status, url) {
  if (url === '/favicon.ico') return;
  if (httpErrors.length < 20) httpErrors.push({ status, url });
}

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const send = (status, type, body) => {
    if (status >= 400) noteHttpError(status, url.pathname);
    res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
  if (url.pathname === PREFIX + 'index.html') return send(200, TYPES['.html'], PAGE);
  let file;
  if (url.pathname === PREFIX + 'hls.js') {
    file = HLS_JS;
  } else {
    let rel;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return send(400, 'text/plain', 'bad path\n');
    }
    file = path.resolve(dir, '.' + rel);
    if (!file.startsWith(dir + path.sep)) return send(403, 'text/plain', 'forbidden\n');
  }
  let st;
  try {
    st = statSync(file);
  } catch {
    return send(404, 'text/plain', 'not found\n');
  }
  if (!st.isFile()) return send(404, 'text/plain', 'not found\n');
  const type = TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream';
  const headers = { 'Content-Type': type, 'Cache-Control': 'no-store', 'Accept-Ranges': 'bytes' };
  let start = 0;
  let end = st.size - 1;
  let status = 200;
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
  if (range && (range[1] || range[2])) {
    if (range[1]) {
      start = Number(range[1]);
      if (range[2]) end = Math.min(Number(range[2]), end);
    } else {
      start = Math.max(0, st.size - Number(range[2]));
    }
    if (start > end) {
      noteHttpError(416, url.pathname);
      res.writeHead(416, { 'Content-Range': `bytes */${st.size}` });
      return res.end();
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
  }
  headers['Content-Length'] = String(end - start + 1);
  res.writeHead(status, headers);
  if (req.method === 'HEAD' || st.size === 0) return res.end();
  createReadStream(file, { start, end }).pipe(res);
});

// --- Browser -----------------------------------------------------------------------------------
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

let context = null;
let userDataDir = null;
let stopping = null;  // the signal that ends the run early
let cleaning = null;
function cleanup() {
  cleaning ??= closeAll();
  return cleaning;
}
async function closeAll() {
  try {
    if (context) await context.close();
  } catch {}
  context = null;
  server.close();
  try {
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  } catch (e) {
    console.error(`play_hls: could not remove ${userDataDir}: ${e.message}`);
  }
  userDataDir = null;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, async () => {
    stopping = sig;
    await cleanup();
    process.exit(finish(1, `killed by ${sig}`));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// 'pass', a reason to fail, or null (keep waiting). stalledFor(name): seconds since that player's
// currentTime last moved.
function judge(snap, stalledFor, elapsedS) {
  const { mse, players } = snap;
  if (!mse.hlsjsSupported) return 'hls.js says this browser has no usable MediaSource (Hls.isSupported() is false)';
  if (!mse.h264)
    return `this Chromium build cannot play H.264 via MSE: MediaSource.isTypeSupported('video/mp4; codecs="avc1.42E01E"') is false (${summary.chromium})`;
  const abr = players.find((p) => p.name === 'abr');
  const usesAac = (abr.levels || []).some((l) => /mp4a/.test(l.audioCodec || l.codecs || ''));
  if (usesAac && !mse.aac)
    return `this Chromium build cannot play AAC via MSE: MediaSource.isTypeSupported('audio/mp4; codecs="mp4a.40.2"') is false (${summary.chromium})`;
  for (const p of players) {
    const fatal = p.errors.find((e) => e.fatal);
    if (fatal)
      return `${p.name}: fatal hls.js error ${fatal.type}/${fatal.details}${fatal.url ? ' on ' + fatal.url : ''}${fatal.code ? ' (HTTP ' + fatal.code + ')' : ''}${fatal.reason ? ': ' + fatal.reason : ''}`;
    if (p.videoError) return `${p.name}: <video> error: ${p.videoError}`;
    if (p.levels && p.levels.length !== expectedLevels)
      return `${p.name}: hls.js sees ${p.levels.length} level(s) in the master playlist, expected ${expectedLevels}`;
    if (p.levels && p.currentLevels !== expectedLevels)
      return `${p.name}: hls.js dropped level(s) while playing: ${p.currentLevels} left of ${expectedLevels}`;
    if (p.ended && p.currentTime <= minSeconds)
      return `${p.name}: the stream ended at ${p.currentTime.toFixed(2)} s, before ${minSeconds} s`;
    if (p.pin !== null) {
      const other = Object.keys(p.fragLevels).find((l) => Number(l) !== p.pin);
      if (other !== undefined) return `${p.name}: pinned to level ${p.pin} but hls.js buffered fragments of level ${other}`;
    }
  }
  if (httpErrors.length) {
    const e = httpErrors[0];
    return `HTTP ${e.status} for ${e.url}${httpErrors.length > 1 ? ` (and ${httpErrors.length - 1} more)` : ''}`;
  }
  const behind = players.filter((p) => !(p.currentTime > minSeconds));
  if (!behind.length) return 'pass';
  const where = (ps) => ps.map((p) => `${p.name} at ${p.currentTime.toFixed(2)} s (readyState ${p.readyState}${p.playError ? ', play(): ' + p.playError : ''})`).join(', ');
  const stalled = behind.filter((p) => stalledFor(p.name) >= stallS);
  if (stalled.length) return `playback made no progress for ${stallS} s: ${where(stalled)}`;
  if (elapsedS >= timeoutS) return `playback did not pass ${minSeconds} s within ${timeoutS} s: ${where(behind)}`;
  return null;  // keep waiting
}

async function main() {
  const version = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 20000 });
  summary.chromium = (version.stdout || '').trim().split('\n').pop() || null;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  const masterUrl = '/' + path.relative(dir, masterPath).split(path.sep).map(encodeURIComponent).join('/');
  summary.master = base + masterUrl;

  const { chromium } = await import(PLAYWRIGHT);
  userDataDir = mkdtempSync(path.join(tmpdir(), 'play_hls-chromium-'));
  try {
    // Playwright passes --user-data-dir itself (it refuses it in args): a new, empty one.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      handleSIGINT: false,  // cleanup() closes the browser, then removes its user data dir
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: 30000,
    });
  } catch (e) {
    if (stopping) return finish(1, `killed by ${stopping}`);
    return finish(1, `could not start ${CHROMIUM}: ${String(e.message || e).split('\n')[0]}`);
  }
  summary.timeline.browserMs = Date.now() - started;
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.length < 10 && pageErrors.push(String(e.message || e)));
  page.on('console', (m) => m.type() === 'error' && pageErrors.length < 10 && pageErrors.push(m.text()));

  const q = new URLSearchParams({ src: masterUrl, levels: String(expectedLevels), each: eachLevel ? '1' : '0' });
  await page.goto(`${base}${PREFIX}index.html?${q}`, { timeout: 30000 });
  summary.timeline.pageMs = Date.now() - started;

  let snap = null;
  let verdict = null;
  const loopStart = Date.now();
  const moved = new Map();  // player name -> [best currentTime, when it got there]
  for (;;) {
    try {
      snap = await page.evaluate(() => window.__snapshot());
    } catch (e) {
      verdict = `the page failed: ${String(e.message || e).split('\n')[0]}`;
      break;
    }
    const now = Date.now();
    for (const p of snap.players) {
      const [best] = moved.get(p.name) || [0, loopStart];
      if (p.currentTime > best) moved.set(p.name, [p.currentTime, now]);
      if (p.currentTime > 0 && !summary.timeline.movingMs) summary.timeline.movingMs = now - started;
    }
    const stalledFor = (name) => (now - (moved.get(name) || [0, loopStart])[1]) / 1000;
    verdict = judge(snap, stalledFor, (now - started) / 1000);
    if (verdict) break;
    await sleep(200);
  }

  if (stopping) verdict = `killed by ${stopping}`;
  if (snap) {
    summary.mse = snap.mse;
    const abr = snap.players.find((p) => p.name === 'abr');
    summary.levels = abr ? abr.levels : null;
    summary.currentTime = abr ? Number(abr.currentTime.toFixed(3)) : 0;
    summary.players = snap.players.map((p) => ({
      name: p.name, currentTime: Number(p.currentTime.toFixed(3)),
      duration: Number.isFinite(p.duration) ? Number(p.duration.toFixed(3)) : null,
      level: p.playing, fragLevels: p.fragLevels,
    }));
    summary.errors = snap.players.flatMap((p) => p.errors.map((e) => ({ player: p.name, ...e })));
    summary.errors.push(...pageErrors.map((m) => ({ page: m })));
    if (summary.errors.length > 20) summary.errors.splice(20, Infinity, { more: summary.errors.length - 20 });
  }
  summary.httpErrors = httpErrors;
  return verdict === 'pass' ? finish(0) : finish(1, verdict);
}

let code = 1;
try {
  code = await main();
} catch (e) {
  code = finish(1, stopping ? `killed by ${stopping}` : `unexpected: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
}
await cleanup();
process.exit(code);
