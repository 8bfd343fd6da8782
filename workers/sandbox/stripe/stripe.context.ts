import { randomBase62, stripeId } from './stripe.ids';
import type { StripeObject, StripeStore } from './stripe.store';
import { invalidRequest, noSuch, type Params } from './stripe.wire';

/** The API version the emulator speaks: the one the pinned stripe SDK sends. */
export const EMULATED_API_VERSION = '2026-10-28.endive';

/** Who asked: the request id and idempotency key that events record in `request`. */
export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

interface WebhookEndpointLike extends StripeObject {
  status: string;
  enabled_events: string[];
}

interface TestClockLike extends StripeObject {
  frozen_time: number;
}

/**
 * What every handler works with: the account's store, its clocks, and
 * `emit`, which records an event (the envelope of fixtures3.json `event`)
 * and a pending delivery for each webhook endpoint that wants it — in the
 * same SQLite transaction as the change itself.
 */
export class Emu {
  /** How many events this request recorded; the DO wakes the webhook outbox when > 0. */
  emitted = 0;
  /** How many messages for other accounts this request wrote; the DO sends them once it commits. */
  sent = 0;

  constructor(
    readonly store: StripeStore,
    readonly account: string,
    readonly connected: boolean,
    readonly request: RequestInfo,
  ) {}

  // ------------------------------------------------------------ time

  /** The account's clock (unix seconds): real time plus however far tests advanced it. */
  get now(): number {
    return Math.floor(Date.now() / 1000) + Number(this.store.getMeta('clock_offset') ?? '0');
  }

  /** The time on a test clock, or the account's clock when there is none. */
  clockTime(clockId: string | null | undefined): number {
    if (!clockId) return this.now;
    const clock = this.store.get<TestClockLike>(clockId);
    return clock ? clock.frozen_time : this.now;
  }

  /** The time as a customer sees it: their test clock's frozen time, or the account's clock. */
  nowFor(customerId: string | null | undefined): number {
    if (!customerId) return this.now;
    const customer = this.store.get(customerId);
    return this.clockTime(typeof customer?.test_clock === 'string' ? customer.test_clock : null);
  }

  // ------------------------------------------------------------ lookups

  find<T extends StripeObject>(id: string, object: string, resource: string, param = 'id'): T {
    const found = this.store.get<T>(id);
    if (!found || found.object !== object || found.deleted === true) throw noSuch(resource, id, param);
    return found;
  }

  // ------------------------------------------------------------ events

  emit(type: string, object: StripeObject, options: { previous?: Record<string, unknown>; at?: number } = {}): StripeObject {
    const wants = (e: { status: string; enabled_events: string[] }) =>
      e.status === 'enabled' && (e.enabled_events.includes('*') || e.enabled_events.includes(type));
    // The account's own endpoints; a platform's Connect endpoints hear only its connected accounts,
    // which deliver to them (from their copy of the platform's list), as Stripe does.
    const connectIds = this.store.connectEndpointIds();
    const own = this.store.all<WebhookEndpointLike>('webhook_endpoint').filter((e) => e.deleted !== true && !connectIds.has(e.id) && wants(e));
    const endpoints: Array<{ id: string }> = [...own, ...(this.connected ? this.store.connectEndpoints().filter(wants) : [])];
    const event: StripeObject = {
      id: stripeId('evt'),
      object: 'event',
      ...(this.connected ? { account: this.account } : {}),
      api_version: EMULATED_API_VERSION,
      created: options.at ?? this.now,
      data: {
        object: structuredClone(object),
        ...(options.previous ? { previous_attributes: options.previous } : {}),
      },
      livemode: false,
      pending_webhooks: endpoints.length,
      request: { id: this.request.id, idempotency_key: this.request.idempotency_key },
      type,
    };
    this.store.save(event);
    for (const endpoint of endpoints) this.store.addDelivery(event.id as string, endpoint.id, Date.now());
    this.emitted++;
    return event;
  }

  /**
   * Leaves a message for another emulated account (an application fee for
   * the platform, an account event for a connected account), in this
   * transaction; the Durable Object delivers it after the commit.
   */
  send(target: string, kind: string, body: unknown): void {
    this.store.addOutbox({ id: `msg_${randomBase62(24)}`, target, kind, body: JSON.stringify(body), created_at: Date.now() });
    this.sent++;
  }

  /** Saves a changed object and records `<type>` with the fields that changed in `previous_attributes`. */
  saveAndEmitUpdate(
    type: string,
    before: StripeObject,
    after: StripeObject,
    options: { at?: number; parent?: string | null; dueAt?: number | null } = {},
  ): void {
    this.store.save(after, { parent: options.parent, dueAt: options.dueAt });
    const previous = previousAttributes(before, after);
    if (previous && Object.keys(previous).length > 0) this.emit(type, after, { previous, at: options.at });
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The old values of the fields that changed, nested the way Stripe nests
 * them (`{ invoice_settings: { default_payment_method: null } }`).
 */
export function previousAttributes(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const key of keys) {
    const a = before[key];
    const b = after[key];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    if (isPlainObject(a) && isPlainObject(b) && a.object !== 'list') {
      const nested = previousAttributes(a, b);
      if (nested) out[key] = nested;
    } else {
      out[key] = a === undefined ? null : structuredClone(a);
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}

// ---------------------------------------------------------------- lists and expansion

export interface ListParams {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

export function listParams(params: Params): ListParams {
  const raw = params.limit;
  let limit = 10;
  if (raw !== undefined) {
    if (typeof raw !== 'string' || !/^\d+$/.test(raw)) throw invalidRequest(`Invalid integer: ${String(raw)}`, 'limit');
    limit = Number(raw);
    if (limit < 1 || limit > 100) throw invalidRequest('This value must be greater than or equal to 1 and less than or equal to 100.', 'limit');
  }
  const startingAfter = typeof params.starting_after === 'string' && params.starting_after !== '' ? params.starting_after : undefined;
  const endingBefore = typeof params.ending_before === 'string' && params.ending_before !== '' ? params.ending_before : undefined;
  return { limit, startingAfter, endingBefore };
}

export function listObject<T>(url: string, data: T[], hasMore: boolean): { object: 'list'; data: T[]; has_more: boolean; url: string } {
  return { object: 'list', data, has_more: hasMore, url };
}

/** `created=123` or `created[gte]=...` filters, as Stripe takes them on lists. */
export function createdFilter(params: Params, name = 'created'): (created: number) => boolean {
  const v = params[name];
  if (v === undefined || v === '') return () => true;
  if (typeof v === 'string') {
    const exact = Number(v);
    return (c) => c === exact;
  }
  if (Array.isArray(v)) throw invalidRequest(`Invalid ${name}: must be an integer or a hash.`, name);
  const bound = (k: string) => (typeof v[k] === 'string' ? Number(v[k]) : undefined);
  const gt = bound('gt');
  const gte = bound('gte');
  const lt = bound('lt');
  const lte = bound('lte');
  return (c) => (gt === undefined || c > gt) && (gte === undefined || c >= gte) && (lt === undefined || c < lt) && (lte === undefined || c <= lte);
}

/** Fields that only appear when expanded (Stripe calls them "includable"). */
export type Includable = (emu: Emu, owner: StripeObject) => unknown;

/**
 * Replaces ids with objects along `expand[]` paths (`latest_invoice`,
 * `data.customer`, `latest_invoice.payments`), four levels deep at most, as
 * Stripe allows.
 */
export function expand(emu: Emu, value: unknown, paths: string[], includables: Record<string, Record<string, Includable>>): unknown {
  if (paths.length === 0) return value;
  const out = structuredClone(value);
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > 4) throw invalidRequest(`You cannot expand more than 4 levels of a property. Property: ${path}`, 'expand');
    expandPath(emu, out, segments, includables, path);
  }
  return out;
}

function expandPath(emu: Emu, node: unknown, segments: string[], includables: Record<string, Record<string, Includable>>, full: string): void {
  if (!isPlainObject(node) || segments.length === 0) return;
  const [head, ...rest] = segments;
  if (node.object === 'list' && head === 'data' && Array.isArray(node.data)) {
    for (const item of node.data) expandPath(emu, item, rest, includables, full);
    return;
  }
  const include = typeof node.object === 'string' ? includables[node.object]?.[head] : undefined;
  let child = node[head];
  if (include && (child === undefined || child === null)) {
    child = include(emu, node as StripeObject);
    node[head] = child;
  } else if (typeof child === 'string') {
    const found = emu.store.get(child);
    if (!found) return;
    node[head] = found;
    child = found;
  } else if (child === undefined) {
    throw invalidRequest(`This property cannot be expanded (${full}).`, 'expand');
  }
  if (rest.length > 0) expandPath(emu, child, rest, includables, full);
}
