import { DurableObject } from 'cloudflare:workers';
import { createLogger } from '../../platform/logger';
import { SANDBOX_DNS_INSTANCE, SANDBOX_HOSTNAME_QUOTA } from './cloudflare.constants';
import {
  acmeRecordName,
  advanceTime,
  createHostnameState,
  hostnameRefusal,
  nextChangeAt,
  ownershipRecordName,
  parseMetadata,
  parseSslInput,
  renderHostname,
  restartValidation,
  runValidation,
  type DnsFacts,
  type HostnameState,
} from './cloudflare.hostnames';
import { CF_ERRORS, cfFail, cfOk, HOSTNAME_ID_FORMAT, type CfReply } from './cloudflare.wire';
import { cnameTargetOf, DNS_TYPE_CODES, normalizeDnsName, txtValueOf } from './sandbox-dns';
import { migrateSchema } from '../../../durable-objects/schema';

const MIGRATIONS: string[] = [
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE hostnames (
     id TEXT PRIMARY KEY,
     hostname TEXT NOT NULL UNIQUE,
     seq INTEGER NOT NULL,
     status TEXT NOT NULL,
     ssl_status TEXT NOT NULL,
     -- Emulator time (unix seconds) at which the hostname next changes on its own.
     next_change_at INTEGER,
     -- Bumped by every write, so a validation pass that awaited DNS cannot overwrite a newer state.
     version INTEGER NOT NULL DEFAULT 0,
     data TEXT NOT NULL
   );
   CREATE INDEX hostnames_due ON hostnames (next_change_at) WHERE next_change_at IS NOT NULL;`,
];

type HostnameRow = {
  id: string;
  version: number;
  data: string;
};

export interface FallbackOrigin {
  origin: string;
  status: 'initializing' | 'pending_deployment' | 'pending_deletion' | 'active' | 'deployment_timed_out' | 'deletion_timed_out';
  errors: string[];
  created_at: string;
  updated_at: string;
}

const log = createLogger({ component: 'cloudflare-emulator' });

/**
 * One emulated Cloudflare zone's custom hostnames (Cloudflare for SaaS): the
 * hostnames, the zone's fallback origin and the zone's clock, in SQLite.
 * The rules live in ./cloudflare.hostnames; this class stores state, runs
 * validation passes against the sandbox DNS when asked (GET when one is due,
 * PATCH always) and on its own by alarm, and answers CfReply values that the
 * Hono layer puts in Cloudflare's envelope.
 */
export class CloudflareEmulator extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrateSchema(this.sql, MIGRATIONS);
    });
  }

  // ------------------------------------------------------------ storage

  private meta(key: string): string | null {
    return this.sql.exec<{ value: string }>('SELECT value FROM meta WHERE key = ?', key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string | null): void {
    if (value === null) this.sql.exec('DELETE FROM meta WHERE key = ?', key);
    else this.sql.exec('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
  }

  private offset(): number {
    return Number(this.meta('clock_offset') ?? '0');
  }

  /** The zone clock (unix seconds): real time plus however far it was advanced. */
  private clock(): number {
    return Math.floor(Date.now() / 1000) + this.offset();
  }

  private row(id: string): { state: HostnameState; version: number } | null {
    const row = this.sql.exec<HostnameRow>('SELECT id, version, data FROM hostnames WHERE id = ?', id).toArray()[0];
    return row ? { state: JSON.parse(row.data) as HostnameState, version: row.version } : null;
  }

  private insert(state: HostnameState): void {
    const seq = this.sql.exec<{ n: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM hostnames').one().n;
    this.sql.exec(
      'INSERT INTO hostnames (id, hostname, seq, status, ssl_status, next_change_at, version, data) VALUES (?, ?, ?, ?, ?, ?, 0, ?)',
      state.id,
      state.hostname,
      seq,
      state.status,
      state.ssl.status,
      nextChangeAt(state),
      JSON.stringify(state),
    );
  }

  /** Writes `state` if the row is still at `version`; false when a newer write (or a delete) got there first. */
  private update(state: HostnameState, version: number): boolean {
    const cursor = this.sql.exec(
      'UPDATE hostnames SET status = ?, ssl_status = ?, next_change_at = ?, version = version + 1, data = ? WHERE id = ? AND version = ?',
      state.status,
      state.ssl.status,
      nextChangeAt(state),
      JSON.stringify(state),
      state.id,
      version,
    );
    return cursor.rowsWritten > 0;
  }

  /**
   * The zone's fallback origin. A new sandbox zone starts with the
   * platform's CUSTOM_DOMAIN_TARGET already set, as the platform's real zone
   * is set up once at deploy time; PUT and DELETE change it from then on.
   */
  private fallback(): FallbackOrigin | null {
    if (this.meta('fallback_seeded') === null) {
      const target = normalizeDnsName(this.env.CUSTOM_DOMAIN_TARGET ?? '');
      const at = new Date(this.clock() * 1000).toISOString();
      this.setMeta('fallback_seeded', '1');
      if (target)
        this.setMeta(
          'fallback_origin',
          JSON.stringify({ origin: target, status: 'active', errors: [], created_at: at, updated_at: at } satisfies FallbackOrigin),
        );
    }
    const raw = this.meta('fallback_origin');
    return raw ? (JSON.parse(raw) as FallbackOrigin) : null;
  }

  // ------------------------------------------------------------ validation against the sandbox DNS

  private async dnsFacts(hostname: string): Promise<DnsFacts> {
    const dns = this.env.SANDBOX_DNS.get(this.env.SANDBOX_DNS.idFromName(SANDBOX_DNS_INSTANCE));
    const host = hostname.replace(/^\*\./, '');
    // An A query comes back with the whole CNAME chain in front of the address records.
    const [chain, ownership, acme] = await Promise.all([
      dns.resolve(host, 'A'),
      dns.resolve(ownershipRecordName(host), 'TXT'),
      dns.resolve(acmeRecordName(host), 'TXT'),
    ]);
    const txt = (answers: { type: number; data: string }[]) => answers.filter((a) => a.type === DNS_TYPE_CODES.TXT).map((a) => txtValueOf(a.data));
    return {
      cnameChain: chain.Answer.filter((a) => a.type === DNS_TYPE_CODES.CNAME).map((a) => cnameTargetOf(a.data)),
      ownershipTxt: txt(ownership.Answer),
      acmeTxt: txt(acme.Answer),
    };
  }

  /**
   * Brings one hostname up to the zone clock: time-driven steps, then a
   * validation pass when one is due (or `force`d by an edit). Answers the
   * state now stored, or null when the hostname was deleted meanwhile.
   */
  private async settle(id: string, force: boolean, edit?: (s: HostnameState, now: number) => HostnameState): Promise<HostnameState | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = this.row(id);
      if (!current) return null;
      const now = this.clock();
      let state = advanceTime(edit ? edit(current.state, now) : current.state, now);
      if (force || (state.next_check_at !== null && state.next_check_at <= now)) {
        const facts = await this.dnsFacts(state.hostname);
        state = advanceTime(runValidation(state, facts, this.fallback()?.origin ?? null, now), now);
      }
      if (JSON.stringify(state) === JSON.stringify(current.state)) return state;
      if (this.update(state, current.version)) {
        await this.scheduleAlarm();
        return state;
      }
    }
    return this.row(id)?.state ?? null;
  }

  /** Runs everything that came due on the zone clock. */
  private async settleDue(): Promise<void> {
    const due = this.sql
      .exec<{ id: string }>('SELECT id FROM hostnames WHERE next_change_at IS NOT NULL AND next_change_at <= ? ORDER BY next_change_at', this.clock())
      .toArray();
    for (const { id } of due) {
      try {
        await this.settle(id, false);
      } catch (err) {
        log.warn('validation pass failed; it stays due', { id, error: err instanceof Error ? err.message : String(err) });
      }
    }
    await this.scheduleAlarm();
  }

  /** Wakes the zone at the real time its next hostname change falls due. */
  private async scheduleAlarm(): Promise<void> {
    const next = this.sql.exec<{ t: number | null }>('SELECT MIN(next_change_at) AS t FROM hostnames').one().t;
    if (next === null) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const atMs = Math.max(Date.now(), (next - this.offset()) * 1000);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > atMs) await this.ctx.storage.setAlarm(atMs);
  }

  async alarm(): Promise<void> {
    await this.settleDue();
  }

  // ------------------------------------------------------------ the API

  async list(query: Record<string, string>): Promise<CfReply> {
    const hostnameFilters = ['hostname', 'hostname.exact', 'hostname.contain', 'hostname.startsWith'].filter((k) => query[k] !== undefined);
    if (query.id !== undefined) {
      if (hostnameFilters.length > 0 || query.hostname_status !== undefined || query.ssl_status !== undefined) return CF_ERRORS.idWithFilters();
      if (!HOSTNAME_ID_FORMAT.test(query.id)) return CF_ERRORS.badId();
    }
    if (hostnameFilters.length > 1) return cfFail(400, 1438, 'Only one hostname filter may be used at a time. Check your input and try again.');
    await this.settleDue();
    const page = Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
    const perPage = Math.min(50, Math.max(5, Number.parseInt(query.per_page ?? '20', 10) || 20));
    const wanted = (k: string) => query[k]?.toLowerCase();
    let rows = this.sql
      .exec<{ data: string }>('SELECT data FROM hostnames ORDER BY seq')
      .toArray()
      .map((r) => JSON.parse(r.data) as HostnameState);
    rows = rows.filter((h) => {
      if (query.id !== undefined) return h.id === query.id;
      const exact = wanted('hostname') ?? wanted('hostname.exact');
      if (exact !== undefined && h.hostname !== exact) return false;
      if (wanted('hostname.contain') !== undefined && !h.hostname.includes(wanted('hostname.contain') as string)) return false;
      if (wanted('hostname.startsWith') !== undefined && !h.hostname.startsWith(wanted('hostname.startsWith') as string)) return false;
      if (query.hostname_status !== undefined && h.status !== query.hostname_status) return false;
      if (query.ssl_status !== undefined && h.ssl.status !== query.ssl_status) return false;
      if (query.ssl === '1' && h.ssl.status !== 'active') return false;
      return true;
    });
    if (query.order === 'ssl_status') rows.sort((a, b) => a.ssl.status.localeCompare(b.ssl.status));
    if (query.direction === 'desc') rows.reverse();
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    return cfOk(slice.map(renderHostname), 200, { resultInfo: { page, per_page: perPage, count: slice.length, total_count: rows.length } });
  }

  async create(body: Record<string, unknown>): Promise<CfReply> {
    const refusal = hostnameRefusal(body.hostname);
    if (refusal) return refusal;
    if (body.custom_origin_server !== undefined || body.custom_origin_sni !== undefined) return CF_ERRORS.noCustomOrigin();
    const ssl = parseSslInput(body.ssl);
    if (!ssl.ok) return ssl.reply;
    const metadata = parseMetadata(body.custom_metadata);
    if (!metadata.ok) return metadata.reply;
    const hostname = (body.hostname as string).toLowerCase();
    if (this.sql.exec('SELECT 1 FROM hostnames WHERE hostname = ?', hostname).toArray().length > 0) return CF_ERRORS.duplicate();
    if (this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hostnames').one().n >= SANDBOX_HOSTNAME_QUOTA) return CF_ERRORS.quotaExceeded();
    this.fallback();
    const state = createHostnameState({ hostname, ssl: ssl.ssl, metadata: metadata.metadata }, this.clock());
    this.insert(state);
    await this.scheduleAlarm();
    // Cloudflare answers 201 Created here (Status codes - Custom hostnames); the 2024 spec lists only 200.
    return cfOk(renderHostname(state), 201);
  }

  async get(id: string): Promise<CfReply> {
    if (!HOSTNAME_ID_FORMAT.test(id)) return CF_ERRORS.badId();
    const state = await this.settle(id, false);
    return state ? cfOk(renderHostname(state)) : CF_ERRORS.notFound();
  }

  /** PATCH: new SSL settings or metadata, and in any case an immediate validation pass. */
  async edit(id: string, body: Record<string, unknown>): Promise<CfReply> {
    if (!HOSTNAME_ID_FORMAT.test(id)) return CF_ERRORS.badId();
    if (body.hostname !== undefined) return CF_ERRORS.hostnameImmutable();
    if (body.custom_origin_server !== undefined || body.custom_origin_sni !== undefined) return CF_ERRORS.noCustomOrigin();
    const ssl = parseSslInput(body.ssl);
    if (!ssl.ok) return ssl.reply;
    const metadata = parseMetadata(body.custom_metadata);
    if (!metadata.ok) return metadata.reply;
    const state = await this.settle(id, true, (s, now) => restartValidation(s, ssl.ssl, metadata.metadata, now));
    // 202 Accepted, as Cloudflare's status-code reference gives for this endpoint.
    return state ? cfOk(renderHostname(state), 202) : CF_ERRORS.notFound();
  }

  async remove(id: string): Promise<CfReply> {
    if (!HOSTNAME_ID_FORMAT.test(id)) return CF_ERRORS.badId();
    const cursor = this.sql.exec('DELETE FROM hostnames WHERE id = ?', id);
    if (cursor.rowsWritten === 0) return CF_ERRORS.notFound();
    await this.scheduleAlarm();
    // The 2024 spec puts `id` at the top level (not in `result`); both are given so either reading works.
    return cfOk({ id }, 200, { topLevel: { id } });
  }

  getFallbackOrigin(): CfReply {
    return cfOk(this.fallback() ?? {});
  }

  putFallbackOrigin(origin: unknown): CfReply {
    if (typeof origin !== 'string' || origin.length === 0 || origin.length > 255 || hostnameRefusal(origin) !== null) return CF_ERRORS.badOrigin();
    const previous = this.fallback();
    const at = new Date(this.clock() * 1000).toISOString();
    // The sandbox deploys a fallback origin at once; Cloudflare takes a moment (initializing -> active).
    const next: FallbackOrigin = { origin: normalizeDnsName(origin), status: 'active', errors: [], created_at: previous?.created_at ?? at, updated_at: at };
    this.setMeta('fallback_origin', JSON.stringify(next));
    return cfOk(next);
  }

  deleteFallbackOrigin(): CfReply {
    const previous = this.fallback();
    this.setMeta('fallback_origin', null);
    const at = new Date(this.clock() * 1000).toISOString();
    return cfOk(previous ? { ...previous, status: 'pending_deletion', updated_at: at } : {});
  }

  quota(): CfReply {
    const used = this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM hostnames').one().n;
    return cfOk({ allocated: SANDBOX_HOSTNAME_QUOTA, used, exceeded: used > SANDBOX_HOSTNAME_QUOTA, hard_cap: SANDBOX_HOSTNAME_QUOTA });
  }

  // ------------------------------------------------------------ clock (test controls)

  now(): number {
    return this.clock();
  }

  /** Moves the zone clock forward and runs what came due: re-checks, certificate steps, timeouts. */
  async advanceClock(seconds: number): Promise<{ now: number }> {
    if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`The sandbox clock only moves forward by whole seconds (asked for ${seconds}).`);
    this.setMeta('clock_offset', String(this.offset() + seconds));
    await this.settleDue();
    return { now: this.clock() };
  }
}
