// Embedded Postgres must not outlive the process that started it, even one killed with SIGKILL
// (no exit hook runs then). A tiny detached watchdog polls its parent; when the parent is gone it
// stops the postmaster (SIGQUIT: immediate shutdown, which takes its backends with it; SIGKILL if
// it lingers) and removes the run's temp directory. A normal stop ends the watchdog first.
import { spawn } from 'node:child_process';
import { recordChildPid } from '../child-pids.ts';

export const WATCHDOG_DEFAULTS = { pollMs: 500, graceMs: 3000 };

// plain JS for `node -e`: argv = [parentPid, dataDir, tempDir, pollMs, graceMs]
const SCRIPT = `
const fs = require('node:fs');
const [parent, dataDir, tempDir, pollMs, graceMs] = process.argv.slice(1);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const postmaster = () => { try { return Number(fs.readFileSync(dataDir + '/postmaster.pid', 'utf8').split('\\n')[0]); } catch { return 0; } };
const timer = setInterval(() => {
  if (alive(Number(parent))) return;
  clearInterval(timer);
  const pid = postmaster();
  if (pid > 0) { try { process.kill(pid, 'SIGQUIT'); } catch {} }
  const deadline = Date.now() + Number(graceMs);
  const finish = setInterval(() => {
    if (pid > 0 && alive(pid) && Date.now() < deadline) return;
    if (pid > 0 && alive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch {} }
    clearInterval(finish);
    fs.rmSync(tempDir, { recursive: true, force: true });
  }, 100);
}, Number(pollMs));
`;

export interface Watchdog {
  pid: number;
  stop(): void;
}

export function startWatchdog(dataDir: string, tempDir: string, options = WATCHDOG_DEFAULTS): Watchdog {
  const child = spawn(process.execPath, ['-e', SCRIPT, String(process.pid), dataDir, tempDir, String(options.pollMs), String(options.graceMs)], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
  recordChildPid(child.pid, 'embedded Postgres watchdog');
  return {
    pid: child.pid!,
    stop() {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
