// `chatbench k6 coordinate` listens on loopback unless --allow-remote, and then says so. What the
// kernel reports as the listening socket's address is checked, not just what the CLI prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../reference-server/db/postgres.ts';
import { runCli } from '../support/cli.ts';

const BIN = resolve('bin/chatbench.mjs');
let child: ChildProcess | undefined;
afterEach(async () => {
  const running = child;
  child = undefined;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((done) => running.once('exit', done));
  running.kill('SIGTERM');
  await exited;
});

/** The IPv4 address a socket listens on at `port`, from /proc/net/tcp (state 0A = LISTEN). */
function listeningAddress(port: number): string | undefined {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    if (!local || state !== '0A') continue;
    const [hex, portHex] = local.split(':') as [string, string];
    if (parseInt(portHex, 16) !== port) continue;
    return [3, 2, 1, 0].map((byte) => parseInt(hex.slice(byte * 2, byte * 2 + 2), 16)).join('.');
  }
  return undefined;
}

async function coordinate(extra: string[]): Promise<{ port: number; stdout: () => string }> {
  const port = await freePort();
  child = spawn(process.execPath, [BIN, 'k6', 'coordinate', 'vacation-backlog', '--set', 'pairs=2', '--port', String(port), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((done, fail) => {
    const timer = setInterval(() => {
      if (/coordinating/.test(stdout)) {
        clearInterval(timer);
        done();
      } else if (child!.exitCode !== null) {
        clearInterval(timer);
        fail(new Error(`coordinate exited: ${stderr}`));
      }
    }, 50);
  });
  return { port, stdout: () => stdout };
}

describe('k6 coordinate binding', { timeout: 60_000 }, () => {
  it('listens on 127.0.0.1 by default', async () => {
    const { port, stdout } = await coordinate([]);
    expect(listeningAddress(port)).toBe('127.0.0.1');
    expect(stdout()).toContain(`127.0.0.1:${port}`);
    expect(stdout()).not.toContain('allow-remote');
  });

  it('listens on all interfaces with --allow-remote, and says so', async () => {
    const { port, stdout } = await coordinate(['--allow-remote']);
    expect(listeningAddress(port)).toBe('0.0.0.0');
    expect(stdout()).toContain('listening on all interfaces (--allow-remote): any host that reaches this one can join the run');
  });

  it('refuses a non-loopback --host without --allow-remote, naming it, before listening', () => {
    const result = runCli(['k6', 'coordinate', 'vacation-backlog', '--host', '0.0.0.0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('chatbench: --host 0.0.0.0: not a loopback address; anyone who reaches it can join and steer the run, so add --allow-remote to listen there\n');
  });
});
