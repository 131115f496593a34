import { WebSocket } from 'ws';

/** A message of GET /ws/provisioning/:id, as far as tests read it. */
export interface Message {
  type: 'status' | 'transition' | 'error';
  code?: string;
  seq?: number;
  trigger?: string;
  step?: string | null;
  status?: { lastSequence: number; status: string; progress: number };
}

/** A client that records every message and can wait for one that matches. */
export function connect(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}) {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
  const messages: Message[] = [];
  const waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as Message;
    messages.push(m);
    for (const w of [...waiters]) {
      if (!w.match(m)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(m);
    }
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  return {
    ws,
    messages,
    closed,
    until(match: (m: Message) => boolean, timeoutMs = 20_000): Promise<Message> {
      const seen = messages.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        setTimeout(() => reject(new Error(`no matching message; got ${messages.map((m) => m.trigger ?? m.type).join(',')}`)), timeoutMs);
      });
    },
  };
}
