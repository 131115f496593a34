import { Resolver } from 'node:dns/promises';
import { type Packet, TCPClient } from 'dns2';

/** A UDP resolver (c-ares) asking only the server at 127.0.0.1:`port`, once, without waiting long. */
export function udpResolver(port: number): Resolver {
  const resolver = new Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return resolver;
}

/** dns2's TCP client to 127.0.0.1:`port`, with a deadline (it has none of its own). */
export function tcpQuery(port: number): (name: string, type: string) => Promise<Packet> {
  const resolve = TCPClient({ dns: '127.0.0.1', port });
  return async (name, type) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no TCP answer for ${name} ${type}`)), 5000);
    });
    try {
      return await Promise.race([resolve(name, type), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The addresses of the A records of a dns2 answer. */
export function addressesOf(packet: Packet): string[] {
  return packet.answers.flatMap((a) => (a.type === 1 && typeof a.address === 'string' ? [a.address] : []));
}
