import type { Migration } from './migration.js';

/**
 * The embedded DNS server's zones (DESIGN.md section 5): the platform's parent zone and each
 * tenant's child zone, answered by drivers/dns/embedded-dns-server.ts from these rows, so every
 * replica sharing a server answers the same.
 */
export const dnsZones: Migration = {
  version: 4,
  name: 'dns-zones',
  sql: `
create table dns_zones (
  -- Absolute, lower case, without the trailing dot: "acme.matih.localhost".
  name text primary key,
  -- The SOA serial, +1 on every change. bigint: the SOA field is an unsigned 32-bit number.
  serial bigint not null default 1 check (serial between 1 and 4294967295),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One row per record set (RRset): the DNS changes and serves a name's records of one type together.
create table dns_records (
  zone text not null references dns_zones (name) on delete cascade,
  -- Relative to the zone, lower case: '@' for the apex, '*' for a wildcard, 'api'.
  name text not null,
  type text not null check (type in ('A', 'AAAA', 'CNAME', 'NS', 'TXT')),
  -- RFC 2181: 0..2^31-1 seconds, exactly what integer holds.
  ttl integer not null check (ttl >= 0),
  "values" jsonb not null check (jsonb_typeof("values") = 'array'),
  primary key (zone, name, type)
);
`,
};
