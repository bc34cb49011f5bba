// The test's side of the product: mctd started and stopped as a child process, and mctctl, the
// reference every figure on the pages is compared with. mctctl and mctd cannot open one data
// directory at once (RocksDB's lock), so references are taken while mctd is stopped.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export function mctctl(env, args) {
  return execFileSync(env.mctctl, ['--data', env.data, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function mctctlJson(env, args) {
  return JSON.parse(mctctl(env, ['--json', ...args]));
}

export function addDays(date, days) {
  const point = new Date(`${date}T00:00:00Z`);
  point.setUTCDate(point.getUTCDate() + days);
  return point.toISOString().slice(0, 10);
}

export function todayUtc() {
  return new Date().toISOString().slice(0, 10);
}

// What mctctl says about the data now: the reports, who falls due in 30/60/90 days, and the
// status and history of the trainers the test looks at (now and as of instants).
export function takeReference(env, { trainers = [], asOf = [] } = {}) {
  const today = todayUtc();
  const reference = { today, report: mctctlJson(env, ['report']), due: {}, status: {}, history: {}, asOf: {} };
  for (const days of [30, 60, 90]) {
    reference.due[days] = mctctlJson(env, ['due', '--from', today, '--to', addDays(today, days)]);
  }
  for (const mcid of trainers) {
    reference.status[mcid] = mctctlJson(env, ['status', mcid]);
    reference.history[mcid] = mctctlJson(env, ['history', mcid]);
  }
  for (const { mcid, instant } of asOf) {
    reference.asOf[`${mcid}@${instant}`] = {
      status: mctctlJson(env, ['status', mcid, '--as-of', instant]),
      history: mctctlJson(env, ['history', mcid, '--as-of', instant]),
    };
  }
  return reference;
}

// Starts mctd on a free port (--listen 127.0.0.1:0) and answers {url, stop()} once it is ready.
export async function startMctd(env, label) {
  const logPath = path.join(env.work, `mctd-${label}.log`);
  const log = fs.createWriteStream(logPath);
  const child = spawn(env.mctd, ['--data', env.data, '--listen', '127.0.0.1:0', '--web-root', env.webRoot, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  fs.writeFileSync(path.join(env.work, 'mctd.pid'), `${child.pid}\n`);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mctd did not say where it listens within 30 s (see ${logPath})`)), 30000);
    const lines = readline.createInterface({ input: child.stderr });
    lines.on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const parsed = JSON.parse(line);
        if (parsed.msg === 'listening' && parsed.url) {
          clearTimeout(timer);
          resolve(parsed.url);
        }
      } catch (ignored) {
        // not a JSON line
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`mctd exited (${code ?? signal}) before listening (see ${logPath})`));
    });
  });
  // Ready: the read models caught up with the log.
  const deadline = Date.now() + 30000;
  for (;;) {
    const response = await fetch(`${url}/readyz`).catch(() => null);
    if (response && response.ok) break;
    if (Date.now() > deadline) throw new Error(`${url}/readyz did not answer 200 within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    // SIGTERM, then the exit (mctd answers in-flight requests, catches up, flushes, exits 0).
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
      const result = await exited;
      clearTimeout(timer);
      log.end();
      fs.rmSync(path.join(env.work, 'mctd.pid'), { force: true });
      return result;
    },
  };
}
