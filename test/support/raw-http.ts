import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  contentType: string;
  body: string;
  /** The start of the response as received (latin1), for messages. */
  raw: string;
}

/**
 * One HTTP/1.1 request written byte for byte to a listening server, for what `inject` cannot
 * send: broken percent-encodings and raw bytes in the request target, invalid UTF-8 in a body,
 * framing that disagrees with itself. The request should say `Connection: close`; the answer is
 * read until the server closes (or `timeoutMs`).
 */
export async function rawRequest(port: number, request: Buffer, timeoutMs = 5_000): Promise<RawAnswer> {
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      clearTimeout(timer);
      // A reset after the answer was written still leaves the answer.
      if (chunks.length > 0) resolve(Buffer.concat(chunks));
      else reject(error);
    });
    socket.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    socket.write(request);
  });
  return parseAnswer(bytes);
}

/** The first response in `bytes`: status, content type and (de-chunked) body. */
export function parseAnswer(bytes: Buffer): RawAnswer {
  const raw = bytes.toString('latin1');
  const headEnd = raw.indexOf('\r\n\r\n');
  const head = headEnd >= 0 ? raw.slice(0, headEnd) : raw;
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map(headerLines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  let body = headEnd >= 0 ? bytes.subarray(Buffer.byteLength(head, 'latin1') + 4) : Buffer.alloc(0);
  const length = headers.get('content-length');
  if (length !== undefined) body = body.subarray(0, Number(length));
  else if (headers.get('transfer-encoding')?.includes('chunked')) body = dechunk(body);
  return { status, contentType: headers.get('content-type') ?? '', body: body.toString('utf8'), raw: raw.slice(0, 600) };
}

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
