// Where `chatbench k6 coordinate` listens. Anyone who reaches the coordinator can hold up or
// release a run's phases, so it listens on loopback unless the user says otherwise with
// --allow-remote (needed when k6 runners on other hosts, e.g. k6-operator pods, join the run).
import { isIP } from 'node:net';

export const COORDINATOR_BIND = { loopback: '127.0.0.1', allInterfaces: '0.0.0.0' };

export class CoordinatorBindError extends Error {}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** The address to listen on, and a line to print when it is reachable from other machines. */
export function coordinatorBind(options: { host?: string; allowRemote?: boolean }): { host: string; notice?: string } {
  const host = options.host ?? (options.allowRemote ? COORDINATOR_BIND.allInterfaces : COORDINATOR_BIND.loopback);
  if (isLoopback(host)) return { host };
  if (!options.allowRemote) {
    throw new CoordinatorBindError(`--host ${host}: not a loopback address; anyone who reaches it can join and steer the run, so add --allow-remote to listen there`);
  }
  const where = host === COORDINATOR_BIND.allInterfaces || host === '::' ? 'on all interfaces' : `on ${host}`;
  return { host, notice: `listening ${where} (--allow-remote): any host that reaches this one can join the run` };
}
