import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type Packet, type UDPServer, createUDPServer } from 'dns2';
import type { Logger } from 'pino';
import { answerQuestion } from './dns-answer.js';
import { DnsTcpListener } from './dns-tcp-listener.js';
import { MAX_QUERY_OCTETS, RCODE, ZONE_TRANSFER_TYPES, answerPacket, ednsOf, isPlausibleQuery, parseQuery, queryTypeOf, replyTo } from './dns-wire.js';
import type { DnsZoneReader } from './dns-zone-store.js';
import { type EmbeddedDnsOptions, type ZoneAuthority, zoneAuthority } from './zone-authority.js';

export interface EmbeddedDnsServerOptions extends EmbeddedDnsOptions {
  /** Default 127.0.0.1: the default setup is one machine; answering the network is a choice. */
  host?: string;
  /** UDP and TCP, the same number. Default 5353 (53 needs privileges); 0 picks a free one. */
  port?: number;
  /** Queries answered at once; beyond it SERVFAIL at once, so a flood cannot queue work on the database. Default 256. */
  maxInFlight?: number;
  logger?: Pick<Logger, 'warn'>;
}

export interface DnsServerPorts {
  host: string;
  udp: number;
  tcp: number;
}

type Send = (response: Packet) => unknown;

const DEFAULT_PORT = 5353;
// With port 0 the free UDP port may be taken for TCP by someone else; pick again a few times.
const BIND_ATTEMPTS = 5;
const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * The embedded authoritative DNS server (DESIGN.md section 5): answers the zones of
 * EmbeddedDnsDriver from the database over UDP and TCP, on loopback by default. Every answer is
 * read from the store when asked, so a change shows at once and every replica answers alike.
 *
 * UDP is dns2's UDPServer (it truncates to the requester's EDNS size and sets TC), with datagrams
 * filtered before dns2 parses them (dns-wire.ts isPlausibleQuery). TCP is our own framing
 * (dns-tcp-listener.ts) for the same reason. dns2's createServer wrapper is not used: it treats
 * port 0 as "no port" and hands `{ address }` to net.Server.listen, which reads `host`, so its TCP
 * side would listen on every interface.
 *
 * Not supported: DNSSEC, zone transfers (AXFR/IXFR are REFUSED), NOTIFY and dynamic UPDATE
 * (NOTIMP), glue in referrals, classes other than IN, EDNS versions above 0 (BADVERS), record
 * types other than A, AAAA, CNAME, NS, TXT and SOA (others get an empty answer), recursion
 * (names outside every zone are REFUSED), caching (each query reads the database).
 */
export class EmbeddedDnsServer {
  private readonly authority: ZoneAuthority;
  private readonly host: string;
  private readonly port: number;
  private readonly maxInFlight: number;
  private udp: UDPServer | undefined;
  private tcp: DnsTcpListener | undefined;
  private bound: DnsServerPorts | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private lastFailureLog = 0;
  private suppressedFailures = 0;

  constructor(
    private readonly store: DnsZoneReader,
    private readonly options: EmbeddedDnsServerOptions,
  ) {
    this.authority = zoneAuthority(options);
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port ?? DEFAULT_PORT;
    this.maxInFlight = options.maxInFlight ?? 256;
    if (!Number.isInteger(this.port) || this.port < 0 || this.port > 65_535) throw new Error(`invalid DNS port ${String(options.port)}`);
  }

  /** Where it listens (UDP and TCP share the number); throws unless listening. */
  get ports(): DnsServerPorts {
    if (this.bound === undefined) throw new Error('the DNS server is not listening');
    return this.bound;
  }

  async listen(): Promise<DnsServerPorts> {
    if (this.bound !== undefined) return this.bound;
    for (let attempt = 1; ; attempt++) {
      const udp = await this.bindUdp();
      const port = udp.address().port;
      const tcp = new DnsTcpListener((message, reply) => this.onTcpMessage(message, reply), MAX_QUERY_OCTETS);
      try {
        await tcp.listen(port, this.host);
      } catch (error) {
        await closeUdp(udp);
        if (this.port === 0 && isAddressInUse(error) && attempt < BIND_ATTEMPTS) continue;
        throw error;
      }
      tcp.on('error', (error) => this.logFailure(error, 'tcp listener'));
      this.udp = udp;
      this.tcp = tcp;
      this.bound = { host: this.host, udp: port, tcp: port };
      return this.bound;
    }
  }

  /** Stops both listeners, drops open TCP connections, and waits for the queries being answered. */
  async close(): Promise<void> {
    const { udp, tcp } = this;
    this.udp = undefined;
    this.tcp = undefined;
    this.bound = undefined;
    await Promise.all([udp && closeUdp(udp), tcp?.close(), ...this.inFlight]);
  }

  private async bindUdp(): Promise<UDPServer> {
    const udp = createUDPServer({ type: isIPv6(this.host) ? 'udp6' : 'udp4' });
    // dns2 parses every datagram it is given; it gets only those worth parsing.
    udp.removeAllListeners('message');
    udp.on('message', (data: Buffer, client: RemoteInfo) => {
      if (isPlausibleQuery(data)) udp.handle(data, client);
    });
    udp.on('request', (request: Packet, send: Send) => this.handle(request, send));
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.port, this.host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await closeUdp(udp);
      throw error;
    }
    // From now on a socket error is logged: an 'error' event without a listener would end the process.
    udp.on('error', (error: Error) => this.logFailure(error, 'udp socket'));
    return udp;
  }

  private onTcpMessage(message: Buffer, reply: (response?: Buffer) => void): void {
    const request = parseQuery(message);
    const answering = request !== undefined && this.handle(request, (response) => reply(response.toBuffer()));
    if (!answering) reply();
  }

  /** Starts answering `request`; false when it is not to be answered at all. */
  private handle(request: Packet, send: Send): boolean {
    // A response arriving here (QR set) is never answered: two servers must not echo each other forever.
    if (request.header.qr === 1) return false;
    if (this.inFlight.size >= this.maxInFlight) {
      this.reply(send, replyTo(request, RCODE.SERVFAIL));
      return true;
    }
    const work = this.respond(request)
      .then(
        (response) => this.reply(send, response),
        (error: unknown) => {
          this.logFailure(error, 'query');
          this.reply(send, replyTo(request, RCODE.SERVFAIL));
        },
      )
      .finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return true;
  }

  private async respond(request: Packet): Promise<Packet> {
    if (request.header.opcode !== 0) return replyTo(request, RCODE.NOTIMP);
    // RFC 9619: exactly one question.
    const [question, ...more] = request.questions;
    if (question === undefined || more.length > 0 || typeof question.name !== 'string') return replyTo(request, RCODE.FORMERR);
    if ((ednsOf(request) ?? 0) > 0) return replyTo(request, RCODE.BADVERS);
    if (question.class !== 1 && question.class !== 255) return replyTo(request, RCODE.REFUSED);
    if (ZONE_TRANSFER_TYPES.has(question.type)) return replyTo(request, RCODE.REFUSED);
    const answer = await answerQuestion(this.store, this.authority, question.name, queryTypeOf(question.type));
    return answerPacket(request, answer);
  }

  /** Sends, turning an encoding failure into SERVFAIL; a failure to send at all is logged, never thrown. */
  private reply(send: Send, response: Packet): void {
    try {
      void Promise.resolve(send(response)).catch((error: unknown) => this.logFailure(error, 'send'));
    } catch (error) {
      // Encoding comes before writing, so nothing went out: the client still gets an answer.
      this.logFailure(error, 'encode');
      try {
        response.answers = [];
        response.authorities = [];
        response.header.rcode = RCODE.SERVFAIL;
        void Promise.resolve(send(response)).catch(() => undefined);
      } catch {
        // Not even the bare question encodes: UDP clients time out, TCP ones meet the idle timeout.
      }
    }
  }

  /** Logged without the query or the client, at most one line per interval (a broken database fails every query). */
  private logFailure(error: unknown, during: string): void {
    const logger = this.options.logger;
    if (logger === undefined) return;
    const now = Date.now();
    if (now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) {
      this.suppressedFailures++;
      return;
    }
    const suppressed = this.suppressedFailures;
    this.lastFailureLog = now;
    this.suppressedFailures = 0;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
    logger.warn({ during, reason, suppressed }, 'embedded DNS server: a query failed (answered SERVFAIL)');
  }
}

function closeUdp(socket: UdpSocket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // never bound, or closed already
    }
  });
}

function isAddressInUse(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'EADDRINUSE';
}
