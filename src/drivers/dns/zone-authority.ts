import { MAX_NAME_LENGTH, invalid, normalizeHostName, quote } from './dns-name-rules.js';
import { validateTtl } from './record-set-rules.js';

/** What the embedded driver and server share: who is authoritative, and for how long answers keep. */
export interface EmbeddedDnsOptions {
  /** Host names of this server (e.g. ['ns1.matih.localhost']): every zone's apex NS; the first is the SOA's primary. */
  nameServers: string[];
  /** The zones' administrator ("hostmaster@matih.localhost"), written into the SOA as its mailbox name. */
  soaEmail: string;
  /** TTL of the SOA and apex NS records, and how long resolvers may cache a negative answer. */
  defaultTtl: number;
}

/** The options, checked and in the form the SOA needs. */
export interface ZoneAuthority {
  nameServers: string[];
  /** soaEmail as a domain name: "hostmaster.matih.localhost". */
  mailbox: string;
  ttl: number;
}

export interface SoaRecord {
  primary: string;
  admin: string;
  serial: number;
  refresh: number;
  retry: number;
  expiration: number;
  minimum: number;
  ttl: number;
}

// The secondaries' timers (RFC 1912 2.2). Nothing transfers zones from this server, so they only
// have to be sensible for whoever reads the SOA.
const REFRESH_S = 3600;
const RETRY_S = 600;
const EXPIRE_S = 1_209_600;
// RFC 1035 allows 13 NS records in a 512-octet referral; more is a configuration mistake.
const MAX_NAME_SERVERS = 13;
// The mailbox's local part becomes one label; a dot in it would need escaping dns2 cannot encode.
const LOCAL_PART = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** Checks the options once, at construction; a bad one is a permanent DriverError. */
export function zoneAuthority(options: EmbeddedDnsOptions): ZoneAuthority {
  const { nameServers, soaEmail, defaultTtl } = options;
  if (!Array.isArray(nameServers) || nameServers.length === 0 || nameServers.length > MAX_NAME_SERVERS) {
    throw invalid(`nameServers must list 1 to ${MAX_NAME_SERVERS} host names`);
  }
  const servers = nameServers.map((ns) => normalizeHostName(ns, 'name server'));
  if (new Set(servers).size !== servers.length) throw invalid('nameServers lists a host twice');
  return { nameServers: servers, mailbox: mailboxName(soaEmail), ttl: validateTtl(defaultTtl, 'defaultTtl') };
}

/** The zone's SOA at `serial`; its TTL and minimum are the default TTL (RFC 2308 negative caching). */
export function soaOf(authority: ZoneAuthority, serial: number): SoaRecord {
  return {
    primary: authority.nameServers[0] ?? '',
    admin: authority.mailbox,
    serial,
    refresh: REFRESH_S,
    retry: RETRY_S,
    expiration: EXPIRE_S,
    minimum: authority.ttl,
    ttl: authority.ttl,
  };
}

function mailboxName(email: unknown): string {
  const at = typeof email === 'string' ? email.lastIndexOf('@') : -1;
  const local = typeof email === 'string' ? email.slice(0, at) : '';
  if (at < 1 || !LOCAL_PART.test(local)) {
    throw invalid(`invalid soaEmail ${quote(email)}: local@domain, the local part one label without dots`);
  }
  const domain = normalizeHostName((email as string).slice(at + 1), 'soaEmail domain');
  const mailbox = `${local.toLowerCase()}.${domain}`;
  if (mailbox.length > MAX_NAME_LENGTH) throw invalid(`invalid soaEmail ${quote(email)}: longer than ${MAX_NAME_LENGTH} characters as a name`);
  return mailbox;
}
