// At most `limit` operations in flight; the rest wait their turn in arrival order. The load
// generator opens sockets through one: a storm of 15,000 connects started at once would otherwise
// put 15,000 handshakes on the server's accept queue together, and the ones dropped there come
// back as ECONNRESET. No Node or k6 imports.
export class Gate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private head = 0;

  constructor(readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  get inFlight(): number {
    return this.active;
  }

  private release(): void {
    if (this.head < this.waiting.length) {
      // the slot passes straight to the next waiter: `active` stays as it is
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      next();
    } else this.active -= 1;
  }
}
