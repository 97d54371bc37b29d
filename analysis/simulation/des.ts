// A small discrete-event simulator: FIFO stations of c identical servers, jobs that visit a
// sequence of stations with given service times, a time-ordered event heap. Deterministic:
// the same jobs give the same times; randomness lives in the caller's seeded draws.

export interface Stage {
  station: string;
  serviceMs: number;
}

export interface Job {
  arrivalMs: number;
  stages: Stage[];
}

export interface JobResult {
  arrivalMs: number;
  doneMs: number;
  /** time spent queueing (not in service) over all stages */
  waitMs: number;
}

interface Event {
  time: number;
  order: number;
  job: number;
  stage: number;
  kind: 'arrive' | 'depart';
}

/** Binary min-heap on (time, insertion order): ties resolve in a fixed order. */
class EventHeap {
  private readonly items: Event[] = [];

  get size(): number {
    return this.items.length;
  }

  push(event: Event): void {
    const items = this.items;
    items.push(event);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Event {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && before(items[left]!, items[smallest]!)) smallest = left;
        if (right < items.length && before(items[right]!, items[smallest]!)) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Event, b: Event): boolean {
  return a.time < b.time || (a.time === b.time && a.order < b.order);
}

/** Runs every job through its stations; `servers` gives each station's number of servers. */
export function simulate(jobs: readonly Job[], servers: Record<string, number>): JobResult[] {
  const heap = new EventHeap();
  let order = 0;
  const busy = new Map<string, number>();
  const queues = new Map<string, Array<{ job: number; stage: number; since: number }>>();
  const heads = new Map<string, number>();
  const results: JobResult[] = jobs.map((job) => ({ arrivalMs: job.arrivalMs, doneMs: job.arrivalMs, waitMs: 0 }));
  const start = (time: number, job: number, stage: number) => {
    const { station, serviceMs } = jobs[job]!.stages[stage]!;
    busy.set(station, (busy.get(station) ?? 0) + 1);
    heap.push({ time: time + serviceMs, order: order++, job, stage, kind: 'depart' });
  };
  const capacity = (station: string) => {
    const c = servers[station];
    if (c === undefined || !(c >= 1)) throw new RangeError(`station "${station}" has no servers`);
    return c;
  };
  // arrivals enter the heap one at a time, in arrival order, so it holds only jobs in flight
  const arrivals = jobs
    .map((job, index) => ({ index, at: job.arrivalMs, stages: job.stages.length }))
    .filter((job) => job.stages > 0)
    .sort((a, b) => a.at - b.at || a.index - b.index);
  let nextArrival = 0;
  const admit = () => {
    const next = arrivals[nextArrival++];
    if (next) heap.push({ time: next.at, order: order++, job: next.index, stage: 0, kind: 'arrive' });
  };
  admit();
  while (heap.size > 0) {
    const event = heap.pop();
    const station = jobs[event.job]!.stages[event.stage]!.station;
    if (event.kind === 'arrive') {
      if (event.stage === 0) admit();
      if ((busy.get(station) ?? 0) < capacity(station)) start(event.time, event.job, event.stage);
      else {
        let queue = queues.get(station);
        if (!queue) queues.set(station, (queue = []));
        queue.push({ job: event.job, stage: event.stage, since: event.time });
      }
      continue;
    }
    busy.set(station, busy.get(station)! - 1);
    const queue = queues.get(station);
    const head = heads.get(station) ?? 0;
    if (queue && head < queue.length) {
      const next = queue[head]!;
      heads.set(station, head + 1);
      // a long-lived queue is compacted now and then instead of shifted on every departure
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head + 1);
        heads.set(station, 0);
      }
      results[next.job]!.waitMs += event.time - next.since;
      start(event.time, next.job, next.stage);
    }
    const next = event.stage + 1;
    if (next < jobs[event.job]!.stages.length) heap.push({ time: event.time, order: order++, job: event.job, stage: next, kind: 'arrive' });
    else results[event.job]!.doneMs = event.time;
  }
  return results;
}

/** An exponential draw with the given mean from a uniform [0, 1) source. */
export function exponential(random: () => number, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Nearest-rank quantile (q in 0..1) of unsorted values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length - 1e-9));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}
