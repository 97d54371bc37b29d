// The slice of k6's JavaScript API the k6 entry script uses, typed for our compiler (k6 itself
// strips types with esbuild and never reads this file). Kept to what we call, so a change in use
// shows up as a type error here rather than at run time inside k6.

declare const __ENV: Record<string, string | undefined>;

declare module 'k6/websockets' {
  export interface MessageEvent {
    data: string | ArrayBuffer;
  }
  export interface ErrorEvent {
    error?: string;
  }
  export interface CloseEvent {
    code?: number;
  }
  export class WebSocket {
    constructor(url: string, protocols?: string | string[] | null, params?: { headers?: Record<string, string> });
    readonly readyState: number;
    send(data: string): void;
    close(code?: number): void;
    addEventListener(event: 'open', handler: () => void): void;
    addEventListener(event: 'close', handler: (event?: CloseEvent) => void): void;
    addEventListener(event: 'message', handler: (event: MessageEvent) => void): void;
    addEventListener(event: 'error', handler: (event: ErrorEvent) => void): void;
  }
}

declare module 'k6/http' {
  export interface RefinedResponse {
    status: number;
    body: string | null;
    error: string;
  }
  export interface Params {
    headers?: Record<string, string>;
    timeout?: string | number;
    tags?: Record<string, string>;
  }
  const http: {
    asyncRequest(method: string, url: string, body?: string | null, params?: Params): Promise<RefinedResponse>;
  };
  export default http;
}

declare module 'k6/execution' {
  const exec: {
    scenario: { iterationInTest: number; name: string };
    vu: { idInTest: number; idInInstance: number; metrics: { metadata: Record<string, string | undefined> } };
    test: { abort(reason?: string): void; options: { executionSegment?: string | null } };
  };
  export default exec;
}

declare module 'k6/metrics' {
  export class Trend {
    constructor(name: string, isTime?: boolean);
    add(value: number, tags?: Record<string, string>): void;
  }
  export class Counter {
    constructor(name: string);
    add(value: number, tags?: Record<string, string>): void;
  }
}

declare module 'k6/crypto' {
  export function hmac(algorithm: 'sha256', secret: string, data: string, outputEncoding: 'base64rawurl' | 'hex'): string;
}

declare module 'k6/timers' {
  export function setTimeout(callback: () => void, delayMs: number): number;
  export function clearTimeout(id: number): void;
}
