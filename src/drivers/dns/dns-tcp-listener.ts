import net from 'node:net';

/** Answers one message: `reply(response)` once, or `reply()` to answer nothing. */
export type TcpMessageHandler = (message: Buffer, reply: (response?: Buffer) => void) => void;

// RFC 7766 6.2.3: close idle connections after a few seconds, so clients cannot pin resources.
const IDLE_TIMEOUT_MS = 10_000;
const MAX_MESSAGE_OCTETS = 65_535;

/**
 * DNS over TCP (RFC 1035 4.2.2, RFC 7766): two-octet length-prefixed messages, several per
 * connection, answered as they complete. Our own, not dns2's TCPServer, because that one hands
 * every frame to dns2's parser, whose cost grows with the record counts a 12-octet header claims
 * (seconds for a crafted one); here a frame longer than `maxQueryOctets` closes the connection
 * unread, and the handler decides what to parse.
 */
export class DnsTcpListener {
  private readonly server: net.Server;
  private readonly connections = new Set<net.Socket>();

  constructor(
    private readonly onMessage: TcpMessageHandler,
    private readonly maxQueryOctets: number,
  ) {
    // Half-open: a client may send its query and shut its side; the answer must still go out.
    this.server = net.createServer({ allowHalfOpen: true }, (socket) => this.serve(socket));
  }

  on(event: 'error', listener: (error: Error) => void): this {
    this.server.on(event, listener);
    return this;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** Stops listening and drops open connections (a pipelining client would hold one until its idle timeout). */
  close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    return closed;
  }

  private serve(socket: net.Socket): void {
    this.connections.add(socket);
    let buffered: Buffer = Buffer.alloc(0);
    let unanswered = 0;
    let peerEnded = false;
    const endIfDone = () => {
      if (peerEnded && unanswered === 0 && !socket.destroyed) socket.end();
    };
    socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    // A reset or a write to a closed peer: this connection is over, nothing else is.
    socket.on('error', () => socket.destroy());
    socket.on('end', () => {
      peerEnded = true;
      endIfDone();
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (length > this.maxQueryOctets) {
          socket.destroy();
          return;
        }
        if (buffered.length < 2 + length) return;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        unanswered++;
        let replied = false;
        this.onMessage(message, (response) => {
          if (replied) return;
          // Throws before anything is marked, so the caller can still answer (with SERVFAIL).
          const framed = response === undefined ? undefined : frame(response);
          replied = true;
          unanswered--;
          if (framed !== undefined && socket.writable) socket.write(framed);
          endIfDone();
        });
      }
    });
  }
}

function frame(message: Buffer): Buffer {
  if (message.length > MAX_MESSAGE_OCTETS) throw new Error(`a DNS message of ${message.length} octets does not fit a TCP frame`);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}
