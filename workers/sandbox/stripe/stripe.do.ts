import { DurableObject } from 'cloudflare:workers';
import { createLogger } from '../../platform/logger';
import { receiveMessage, visitAccountLink, type OnboardingOutcome } from './resources/connect';
import { ensureDefaultEndpoint, type WebhookEndpoint } from './resources/events';
import { advanceSubscriptions } from './resources/subscriptions';
import { dispatch } from './stripe.api';
import { PLATFORM_ACCOUNT, SANDBOX_CONNECT_ENDPOINT_ID, SANDBOX_STRIPE_WEBHOOK_SECRET, SANDBOX_STRIPE_WEBHOOK_URL } from './stripe.constants';
import { EMULATED_API_VERSION, Emu } from './stripe.context';
import { stripeEmulatorStub } from './stripe.controls';
import { migrate, StripeStore, type ConnectEndpointRow, type DeliveryRow, type FaultRow, type StripeObject } from './stripe.store';
import { canonicalParams, StripeApiError, type Params } from './stripe.wire';

/** One HTTP request to the emulated API, decoded by the Hono layer. */
export interface ApiCall {
  account: string;
  method: string;
  /** `/v1/...` */
  path: string;
  params: Params;
  idempotencyKey: string | null;
  requestId: string;
}

export interface ApiResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaultSpec {
  /** `/v1/payment_intents`, or a prefix ending in `*`. */
  path: string;
  method?: string;
  /** How many matching requests the fault hits. */
  count?: number;
  /** `error`: answer `status` at once. `hang`: wait `hangMs` first (bounded), then process the request or answer `status`. */
  kind: 'error' | 'hang';
  status?: number;
  hangMs?: number;
  afterHang?: 'process' | 'error';
}

/** What the webhook sender needs to make one delivery. */
export type DeliveryClaim =
  | { state: 'claimed'; id: string; eventId: string; eventType: string; url: string; secret: string; body: string; attempt: number }
  | { state: 'delivered' | 'failed' | 'missing' }
  | { state: 'leased'; untilMs: number };

export interface DeliveryReport {
  id: string;
  event_id: string;
  event_type: string;
  endpoint_id: string;
  url: string;
  status: DeliveryRow['status'];
  attempts: number;
  last_status: number | null;
  last_error: string | null;
}

/** What a connected account learns from its platform before it acts: the time, and where its events go. */
export interface ConnectContext {
  now: number;
  endpoints: ConnectEndpointRow[];
}

/** A message between two emulated accounts (see Emu.send). */
export interface AccountMessage {
  id: string;
  kind: string;
  body: string;
}

/** No fault may hold a request longer than this. */
export const MAX_HANG_MS = 30_000;
/** After this many failed attempts a delivery is given up (kept, marked failed), as Stripe stops after days of retries. */
export const MAX_DELIVERY_ATTEMPTS = 12;
/** A delivery claimed by one sender is not handed to another for this long. */
const DELIVERY_LEASE_MS = 30_000;
/** A pending delivery with no attempt for this long is handed to the Queue again (its message must be lost). */
const REDRIVE_AFTER_MS = 10 * 60_000;
/** Idempotency keys are forgotten after 24 hours, as on Stripe. */
const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** An in-progress idempotency lock older than this belongs to a request that died. */
const STALE_LOCK_MS = MAX_HANG_MS + 30_000;

const log = createLogger({ component: 'stripe-emulator' });

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body, null, 2) };
}

/**
 * One emulated Stripe account (the platform, or a connected `acct_...`),
 * serialized: every API call runs here in one SQLite transaction with the
 * events it records and the idempotency record it leaves. The rules live in
 * ./resources; this class applies them, keeps the webhook outbox drained to
 * the Queue by alarm, and holds the test controls (clock, faults).
 */
export class StripeEmulator extends DurableObject<Env> {
  private readonly store: StripeStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new StripeStore(ctx.storage.sql);
    ctx.blockConcurrencyWhile(async () => migrate(ctx.storage.sql));
  }

  private emu(account: string, request: { id: string | null; idempotency_key: string | null } = { id: null, idempotency_key: null }): Emu {
    if (this.store.getMeta('account') === null) this.store.setMeta('account', account);
    const emu = new Emu(this.store, account, account !== PLATFORM_ACCOUNT, request);
    // The platform delivers to the product's route; a connected account delivers to the platform's Connect endpoints.
    if (!emu.connected) ensureDefaultEndpoint(emu, SANDBOX_STRIPE_WEBHOOK_URL, SANDBOX_STRIPE_WEBHOOK_SECRET);
    return emu;
  }

  /** This Durable Object's account (set by its first call). */
  private get account(): string {
    return this.store.getMeta('account') ?? PLATFORM_ACCOUNT;
  }

  /**
   * A connected account keeps up with its platform before it acts: its copy
   * of the platform's Connect endpoints, and (with `clock`) the platform's
   * time, since one sandbox has one "now". If the platform cannot be
   * reached, the account goes on with what it knew.
   */
  private async followPlatform(account: string, options: { clock: boolean }): Promise<void> {
    if (account === PLATFORM_ACCOUNT) return;
    let context: ConnectContext;
    try {
      context = await stripeEmulatorStub(this.env, PLATFORM_ACCOUNT).connectContext();
    } catch (err) {
      log.warn('connected account could not reach its platform', { account, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    const emu = this.emu(account);
    this.ctx.storage.transactionSync(() => {
      this.store.replaceConnectEndpoints(context.endpoints);
      if (options.clock && context.now > emu.now)
        this.store.setMeta('clock_offset', String(Number(this.store.getMeta('clock_offset') ?? '0') + (context.now - emu.now)));
    });
  }

  /**
   * Hands messages written by committed transactions to the accounts they
   * are for (an application fee to the platform, an account event to a
   * connected account), before the caller gets its answer. Each is received
   * once; one that cannot be handed over now is retried by the alarm.
   */
  private async sendMessages(): Promise<void> {
    const rows = this.store.pendingOutbox();
    if (rows.length === 0) return;
    const byTarget = new Map<string, typeof rows>();
    for (const row of rows) byTarget.set(row.target, [...(byTarget.get(row.target) ?? []), row]);
    for (const [target, group] of byTarget) {
      try {
        await stripeEmulatorStub(this.env, target).receive(
          target,
          group.map(({ id, kind, body }) => ({ id, kind, body })),
        );
        this.store.markOutboxSent(
          group.map((r) => r.id),
          Date.now(),
        );
      } catch (err) {
        log.warn('message to another sandbox account not delivered yet', { target, error: err instanceof Error ? err.message : String(err) });
        const alarm = await this.ctx.storage.getAlarm();
        if (alarm === null || alarm > Date.now() + 5_000) await this.ctx.storage.setAlarm(Date.now() + 5_000);
      }
    }
  }

  /** Runs `fn` in one transaction and wakes the outbox if it recorded events. */
  private write<T>(emu: Emu, fn: () => T): T {
    const result = this.ctx.storage.transactionSync(fn);
    if (emu.emitted > 0) void this.wakeOutbox();
    return result;
  }

  // ------------------------------------------------------------ the API

  async request(call: ApiCall): Promise<ApiResult> {
    const result = await this.handle(call);
    await this.sendMessages();
    return result;
  }

  private async handle(call: ApiCall): Promise<ApiResult> {
    const headers = { 'request-id': call.requestId, 'stripe-version': EMULATED_API_VERSION };
    await this.followPlatform(call.account, { clock: true });
    // Time moves on its own too: renewals that came due since the last call happen first.
    const sweeper = this.emu(call.account);
    try {
      this.write(sweeper, () => advanceSubscriptions(sweeper, sweeper.now, null));
    } catch (err) {
      // A renewal the emulator cannot make must not take the API call down with it.
      log.error('billing sweep failed', { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }

    const key = call.method === 'POST' ? call.idempotencyKey : null;
    if (key) {
      this.store.pruneIdempotency(Date.now() - IDEMPOTENCY_TTL_MS);
      const fingerprint = `${call.method} ${call.path} ${canonicalParams(call.params)}`;
      const previous = this.store.idempotency(key);
      if (previous && previous.fingerprint !== fingerprint && (previous.state === 'done' || Date.now() - previous.created_at < STALE_LOCK_MS)) {
        return json(
          400,
          {
            error: {
              type: 'idempotency_error',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
            },
          },
          headers,
        );
      }
      if (previous?.state === 'in_progress' && Date.now() - previous.created_at < STALE_LOCK_MS) {
        return json(
          409,
          {
            error: {
              type: 'idempotency_error',
              code: 'idempotency_key_in_use',
              message: `There is currently another in-progress request using this Idempotency-Key '${key}'. Retry once it has finished.`,
            },
          },
          headers,
        );
      }
      if (previous?.state === 'done' && previous.status !== null && previous.body !== null) {
        return {
          status: previous.status,
          headers: {
            'content-type': 'application/json',
            ...headers,
            'idempotency-key': key,
            'idempotent-replayed': 'true',
            'original-request': previous.request_id,
          },
          body: previous.body,
        };
      }
      this.store.lockIdempotency(key, fingerprint, call.requestId, Date.now());
    }
    const replyHeaders = key ? { ...headers, 'idempotency-key': key } : headers;

    const fault = this.store.takeFault(call.method, call.path);
    if (fault) {
      const faultReply = json(
        fault.status,
        { error: { type: 'api_error', message: `Sandbox fault injected for ${call.method} ${call.path}: the request failed before reaching Stripe.` } },
        replyHeaders,
      );
      if (fault.kind === 'error') {
        if (key) this.store.releaseIdempotency(key);
        return faultReply;
      }
      await scheduler.wait(Math.min(fault.hang_ms, MAX_HANG_MS));
      if (fault.after_hang === 'error') {
        if (key) this.store.releaseIdempotency(key);
        return faultReply;
      }
    }

    const emu = this.emu(call.account, { id: call.requestId, idempotency_key: call.idempotencyKey });
    try {
      return this.write(emu, () => {
        const reply = dispatch(emu, call.method, call.path, call.params);
        const result = json(reply.status, reply.body, replyHeaders);
        // Stripe saves what an endpoint answered once it began executing: successes and card declines.
        if (key) this.store.completeIdempotency(key, result.status, result.body);
        return result;
      });
    } catch (err) {
      if (err instanceof StripeApiError) {
        const result = json(err.status, { error: err.body }, replyHeaders);
        if (key) {
          if (err.status === 402) this.store.completeIdempotency(key, result.status, result.body);
          else this.store.releaseIdempotency(key);
        }
        return result;
      }
      if (key) this.store.releaseIdempotency(key);
      log.error('emulator error', { path: call.path, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      return json(500, { error: { type: 'api_error', message: 'An unknown error occurred in the Stripe sandbox.' } }, replyHeaders);
    }
  }

  // ------------------------------------------------------------ clock

  /** The account clock (unix seconds). */
  now(account: string): number {
    return this.emu(account).now;
  }

  /**
   * Moves the account's clock forward (by `seconds`, or `to` a time) and
   * runs what came due: renewals, cancellations at period end, expiries.
   * The platform's clock carries its connected accounts along (one sandbox,
   * one "now"); `follow` is that call, which a clock already there ignores.
   */
  async advanceClock(account: string, input: { seconds?: number; to?: number; follow?: boolean }): Promise<{ now: number }> {
    // Called by the platform itself (follow), a connected account that already knows its endpoints need not ask again.
    if (!input.follow || this.store.connectEndpoints().length === 0) await this.followPlatform(account, { clock: false });
    const emu = this.emu(account);
    const now = emu.now;
    const target = input.to ?? now + (input.seconds ?? 0);
    if (input.follow && Number.isInteger(target) && target <= now) return { now };
    if (!Number.isInteger(target) || target < now) throw new Error(`The sandbox clock only moves forward (now ${now}, asked for ${target}).`);
    const offset = Number(this.store.getMeta('clock_offset') ?? '0') + (target - now);
    this.write(emu, () => {
      this.store.setMeta('clock_offset', String(offset));
      advanceSubscriptions(emu, target, null);
    });
    await this.sendMessages();
    if (!emu.connected) {
      await Promise.all(
        this.connectedAccounts().map((connected) => stripeEmulatorStub(this.env, connected).advanceClock(connected, { to: target, follow: true })),
      );
    }
    return { now: target };
  }

  // ------------------------------------------------------------ Connect (between accounts)

  /** On the platform: the time and the Connect endpoints its connected accounts deliver to. */
  connectContext(): ConnectContext {
    const emu = this.emu(PLATFORM_ACCOUNT);
    const connectIds = this.store.connectEndpointIds();
    const registered = this.store
      .all<WebhookEndpoint>('webhook_endpoint')
      .filter((e) => e.deleted !== true && connectIds.has(e.id))
      .map((e) => ({ id: e.id, url: e.url, secret: this.store.endpointSecret(e.id) ?? '', enabled_events: e.enabled_events, status: e.status }));
    const sandboxDefault: ConnectEndpointRow = {
      id: SANDBOX_CONNECT_ENDPOINT_ID,
      url: SANDBOX_STRIPE_WEBHOOK_URL,
      secret: SANDBOX_STRIPE_WEBHOOK_SECRET,
      enabled_events: ['*'],
      status: 'enabled',
    };
    return { now: emu.now, endpoints: [sandboxDefault, ...registered] };
  }

  /** On the platform: its connected accounts (made with POST /v1/accounts). */
  connectedAccounts(): string[] {
    return this.store
      .all('account')
      .filter((a) => a.deleted !== true)
      .map((a) => a.id);
  }

  /** Messages from another account of the sandbox, each applied once, in one transaction. */
  async receive(account: string, messages: AccountMessage[]): Promise<void> {
    await this.followPlatform(account, { clock: true });
    const emu = this.emu(account);
    this.write(emu, () => {
      for (const m of messages) if (this.store.receiveOnce(m.id, Date.now())) receiveMessage(emu, m.kind, JSON.parse(m.body));
    });
    await this.sendMessages();
  }

  /** On the platform: someone opened an account link (the sandbox's onboarding page). */
  async visitAccountLink(linkId: string, account: string | null): Promise<OnboardingOutcome> {
    const emu = this.emu(PLATFORM_ACCOUNT);
    const outcome = this.write(emu, () => visitAccountLink(emu, linkId, account));
    await this.sendMessages();
    return outcome;
  }

  // ------------------------------------------------------------ faults

  addFault(account: string, spec: FaultSpec): void {
    this.emu(account);
    const fault: Omit<FaultRow, 'id'> = {
      method: spec.method ? spec.method.toUpperCase() : null,
      path: spec.path,
      kind: spec.kind,
      remaining: Math.max(1, spec.count ?? 1),
      status: spec.status ?? 500,
      hang_ms: Math.min(Math.max(0, spec.hangMs ?? 0), MAX_HANG_MS),
      after_hang: spec.afterHang ?? 'process',
    };
    this.store.addFault(fault);
  }

  clearFaults(): void {
    this.store.clearFaults();
  }

  // ------------------------------------------------------------ webhook deliveries

  /** Hands one pending delivery to a sender for a while, with the signed payload's ingredients. */
  claimDelivery(id: string): DeliveryClaim {
    const row = this.store.delivery(id);
    if (!row) return { state: 'missing' };
    if (row.status !== 'pending') return { state: row.status };
    const nowMs = Date.now();
    if (row.lease_until > nowMs) return { state: 'leased', untilMs: row.lease_until };
    const event = this.store.get(row.event_id);
    const endpoint = this.endpointOf(row.endpoint_id);
    if (!event || !endpoint || endpoint.status !== 'enabled' || !endpoint.secret) {
      this.store.recordDelivery(id, { status: 'failed', lastStatus: null, lastError: 'endpoint removed or disabled', nowMs });
      return { state: 'failed' };
    }
    this.store.leaseDelivery(id, nowMs + DELIVERY_LEASE_MS);
    return {
      state: 'claimed',
      id,
      eventId: event.id,
      eventType: String(event.type),
      url: endpoint.url,
      secret: endpoint.secret,
      body: JSON.stringify(event, null, 2),
      attempt: row.attempts + 1,
    };
  }

  /** Where a delivery goes: one of the account's own endpoints, or (on a connected account) a platform Connect endpoint. */
  private endpointOf(id: string): { url: string; status: string; secret: string | null } | null {
    const own = this.store.get<WebhookEndpoint>(id);
    if (own && own.deleted !== true) return { url: own.url, status: own.status, secret: this.store.endpointSecret(id) };
    const connect = this.store.connectEndpoints().find((e) => e.id === id);
    return connect ? { url: connect.url, status: connect.status, secret: connect.secret } : null;
  }

  /** Records how a delivery went; a 2xx answer delivers it, anything else leaves it pending until attempts run out. */
  recordDeliveryAttempt(id: string, outcome: { httpStatus: number | null; error: string | null }): { status: DeliveryRow['status']; attempts: number } {
    const row = this.store.delivery(id);
    if (!row) return { status: 'failed', attempts: 0 };
    if (row.status !== 'pending') return { status: row.status, attempts: row.attempts };
    const nowMs = Date.now();
    const ok = outcome.httpStatus !== null && outcome.httpStatus >= 200 && outcome.httpStatus < 300;
    const status: DeliveryRow['status'] = ok ? 'delivered' : row.attempts + 1 >= MAX_DELIVERY_ATTEMPTS ? 'failed' : 'pending';
    this.ctx.storage.transactionSync(() => {
      this.store.recordDelivery(id, { status, lastStatus: outcome.httpStatus, lastError: outcome.error, nowMs });
      this.store.markEnqueued([id], nowMs);
      const event = this.store.get(row.event_id);
      if (event) this.store.save({ ...event, pending_webhooks: this.store.pendingCountFor(row.event_id) } as StripeObject);
    });
    return { status, attempts: row.attempts + 1 };
  }

  /** Ids of deliveries still to be made, oldest event first; `includeFailed` also retries given-up ones. */
  pendingDeliveryIds(includeFailed = false): string[] {
    const rows = this.store.deliveries('pending');
    if (includeFailed) {
      for (const r of this.store.deliveries('failed')) {
        this.store.recordDelivery(r.id, { status: 'pending', lastStatus: r.last_status, lastError: r.last_error, nowMs: Date.now() });
        rows.push({ ...r, status: 'pending' });
      }
    }
    return rows.sort((a, b) => a.event_seq - b.event_seq).map((r) => r.id);
  }

  /** Every delivery with its event type and outcome, oldest first. */
  deliveryLog(): DeliveryReport[] {
    return this.store.deliveries().map((r) => {
      const event = this.store.get(r.event_id);
      const endpoint = this.endpointOf(r.endpoint_id);
      return {
        id: r.id,
        event_id: r.event_id,
        event_type: String(event?.type ?? ''),
        endpoint_id: r.endpoint_id,
        url: endpoint?.url ?? '',
        status: r.status,
        attempts: r.attempts,
        last_status: r.last_status,
        last_error: r.last_error,
      };
    });
  }

  /** Runs the outbox alarm now, pulling forward a later re-drive alarm if one is set. */
  private async wakeOutbox(): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > Date.now()) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Drains the webhook outbox: pending deliveries go to the Queue; lost ones are sent again. */
  async alarm(): Promise<void> {
    await this.sendMessages();
    const account = this.account;
    const rows = this.store.deliveriesToEnqueue(Date.now() - REDRIVE_AFTER_MS);
    if (rows.length > 0) {
      try {
        await this.env.SANDBOX_WEBHOOKS.sendBatch(rows.map((r) => ({ body: { account, delivery_id: r.id }, contentType: 'json' as const })));
        this.store.markEnqueued(
          rows.map((r) => r.id),
          Date.now(),
        );
      } catch (err) {
        log.warn('webhook outbox could not reach the queue; retrying', { error: err instanceof Error ? err.message : String(err) });
        await this.ctx.storage.setAlarm(Date.now() + 5_000);
        return;
      }
    }
    if (this.store.deliveriesToEnqueue(Date.now() - REDRIVE_AFTER_MS).length > 0) await this.ctx.storage.setAlarm(Date.now());
    else if (this.store.deliveries('pending').length > 0) await this.ctx.storage.setAlarm(Date.now() + REDRIVE_AFTER_MS);
  }
}
