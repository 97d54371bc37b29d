// Closed forms the discrete-event layer is checked against, and the utilisation arithmetic the
// analytic layer uses.

/** Erlang C: the probability an arrival waits in an M/M/c queue with offered load a = lambda/mu. */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c;
  const tail = last * (c / (c - a));
  return tail / (sum + tail);
}

/** Mean time in queue (not in service) of M/M/c; rates per unit time. */
export function mmcMeanWait(c: number, lambda: number, mu: number): number {
  if (lambda >= c * mu) return Number.POSITIVE_INFINITY;
  return erlangC(c, lambda / mu) / (c * mu - lambda);
}
