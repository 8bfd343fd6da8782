import { createdFilter, listObject, listParams, type Emu } from '../stripe.context';
import { stripeId, webhookSecret } from '../stripe.ids';
import type { StripeObject } from '../stripe.store';
import { bool, int, invalidRequest, mergeMetadata, onlyParams, requireStr, str, strList, type Metadata, type Params } from '../stripe.wire';
import { advanceSubscriptions } from './subscriptions';

export interface StripeEvent extends StripeObject {
  object: 'event';
  type: string;
  created: number;
}

export interface WebhookEndpoint extends StripeObject {
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  metadata: Metadata;
}

export interface TestClock extends StripeObject {
  object: 'test_helpers.test_clock';
  frozen_time: number;
  status: 'ready' | 'advancing' | 'internal_failure';
  name: string | null;
}

// ---------------------------------------------------------------- events

// GET /v1/events/:id
export function retrieveEvent(emu: Emu, _params: Params, [id]: string[]): StripeEvent {
  return emu.find<StripeEvent>(id, 'event', 'event');
}

// GET /v1/events – newest first; `type` takes a `*` wildcard (`invoice.*`), `types[]` several
export function listEvents(emu: Emu, params: Params): unknown {
  onlyParams(params, ['type', 'types', 'created', 'delivery_success', 'limit', 'starting_after', 'ending_before']);
  const type = str(params, 'type');
  const types = strList(params, 'types');
  if (type && types) throw invalidRequest('You cannot specify both `type` and `types`.', 'types');
  const matchType = (t: string) => {
    if (types) return types.includes(t);
    if (!type) return true;
    if (type.endsWith('*')) return t.startsWith(type.slice(0, -1));
    return t === type;
  };
  const created = createdFilter(params);
  const page = emu.store.page<StripeEvent>('event', {}, listParams(params), (e) => matchType(e.type) && created(e.created));
  return listObject('/v1/events', page.data, page.has_more);
}

// ---------------------------------------------------------------- webhook endpoints

/** The endpoint every emulated account starts with: the product's own webhook route, with the sandbox secret. */
export function ensureDefaultEndpoint(emu: Emu, url: string, secret: string): void {
  if (emu.store.getMeta('default_endpoint') !== null) return;
  const endpoint: WebhookEndpoint = {
    id: 'we_sandbox_default',
    object: 'webhook_endpoint',
    api_version: null,
    application: null,
    created: emu.now,
    description: 'Sandbox default: the product webhook route, signed with the sandbox webhook secret',
    enabled_events: ['*'],
    livemode: false,
    metadata: {},
    status: 'enabled',
    url,
  };
  emu.store.save(endpoint);
  emu.store.setEndpointSecret(endpoint.id, secret);
  emu.store.setMeta('default_endpoint', endpoint.id);
}

function checkUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
    return url;
  } catch {
    throw invalidRequest(`Invalid URL: ${url}. URLs must be valid and use http or https.`, 'url', 'url_invalid');
  }
}

function checkEvents(events: string[] | undefined): string[] {
  if (!events || events.length === 0) throw invalidRequest('Missing required param: enabled_events.', 'enabled_events', 'parameter_missing');
  for (const e of events) {
    if (e !== '*' && !/^[a-z_.]+$/.test(e)) throw invalidRequest(`Invalid enabled_events: ${e} is not a valid event type.`, 'enabled_events');
  }
  return events;
}

// POST /v1/webhook_endpoints – the reply is the only time `secret` is shown; `connect=true` on the platform hears its connected accounts instead of itself
export function createWebhookEndpoint(emu: Emu, params: Params): StripeObject {
  onlyParams(params, ['url', 'enabled_events', 'description', 'metadata', 'api_version', 'connect']);
  const connect = bool(params, 'connect') ?? false;
  if (connect && emu.connected) throw invalidRequest('Only a platform can create a Connect webhook endpoint (connect=true).', 'connect');
  const secret = webhookSecret();
  const endpoint: WebhookEndpoint = {
    id: stripeId('we'),
    object: 'webhook_endpoint',
    api_version: str(params, 'api_version') || null,
    application: null,
    created: emu.now,
    description: str(params, 'description') || null,
    enabled_events: checkEvents(strList(params, 'enabled_events')),
    livemode: false,
    metadata: mergeMetadata({}, params),
    status: 'enabled',
    url: checkUrl(requireStr(params, 'url')),
  };
  emu.store.save(endpoint);
  emu.store.setEndpointSecret(endpoint.id, secret, connect);
  return { ...endpoint, secret };
}

// GET /v1/webhook_endpoints/:id
export function retrieveWebhookEndpoint(emu: Emu, _params: Params, [id]: string[]): WebhookEndpoint {
  return emu.find<WebhookEndpoint>(id, 'webhook_endpoint', 'webhook_endpoint');
}

// POST /v1/webhook_endpoints/:id
export function updateWebhookEndpoint(emu: Emu, params: Params, [id]: string[]): WebhookEndpoint {
  onlyParams(params, ['url', 'enabled_events', 'description', 'metadata', 'disabled']);
  const endpoint = emu.find<WebhookEndpoint>(id, 'webhook_endpoint', 'webhook_endpoint');
  const events = strList(params, 'enabled_events');
  const disabled = str(params, 'disabled');
  const after: WebhookEndpoint = {
    ...endpoint,
    url: str(params, 'url') ? checkUrl(str(params, 'url') as string) : endpoint.url,
    enabled_events: events ? checkEvents(events) : endpoint.enabled_events,
    description: str(params, 'description') !== undefined ? str(params, 'description') || null : endpoint.description,
    metadata: mergeMetadata(endpoint.metadata, params),
    status: disabled === 'true' ? 'disabled' : disabled === 'false' ? 'enabled' : endpoint.status,
  };
  emu.store.save(after);
  return after;
}

// DELETE /v1/webhook_endpoints/:id
export function deleteWebhookEndpoint(emu: Emu, _params: Params, [id]: string[]): unknown {
  emu.find<WebhookEndpoint>(id, 'webhook_endpoint', 'webhook_endpoint');
  emu.store.save({ id, object: 'webhook_endpoint', deleted: true });
  return { id, object: 'webhook_endpoint', deleted: true };
}

// GET /v1/webhook_endpoints
export function listWebhookEndpoints(emu: Emu, params: Params): unknown {
  onlyParams(params, ['limit', 'starting_after', 'ending_before']);
  const page = emu.store.page<WebhookEndpoint>('webhook_endpoint', {}, listParams(params), (e) => e.deleted !== true);
  return listObject('/v1/webhook_endpoints', page.data, page.has_more);
}

// ---------------------------------------------------------------- test clocks

// POST /v1/test_helpers/test_clocks
export function createTestClock(emu: Emu, params: Params): TestClock {
  onlyParams(params, ['frozen_time', 'name']);
  const frozen = int(params, 'frozen_time');
  if (frozen === undefined) throw invalidRequest('Missing required param: frozen_time.', 'frozen_time', 'parameter_missing');
  const clock: TestClock = {
    id: stripeId('clock'),
    object: 'test_helpers.test_clock',
    created: emu.now,
    deletes_after: emu.now + 30 * 86_400,
    frozen_time: frozen,
    livemode: false,
    name: str(params, 'name') || null,
    status: 'ready',
    status_details: {},
  };
  emu.store.save(clock);
  return clock;
}

// GET /v1/test_helpers/test_clocks/:id
export function retrieveTestClock(emu: Emu, _params: Params, [id]: string[]): TestClock {
  return emu.find<TestClock>(id, 'test_helpers.test_clock', 'test_clock');
}

// GET /v1/test_helpers/test_clocks
export function listTestClocks(emu: Emu, params: Params): unknown {
  onlyParams(params, ['limit', 'starting_after', 'ending_before']);
  const page = emu.store.page<TestClock>('test_helpers.test_clock', {}, listParams(params), (c) => c.deleted !== true);
  return listObject('/v1/test_helpers/test_clocks', page.data, page.has_more);
}

// POST /v1/test_helpers/test_clocks/:id/advance – moves the clock and bills its customers' subscriptions up to then
export function advanceTestClock(emu: Emu, params: Params, [id]: string[]): TestClock {
  onlyParams(params, ['frozen_time']);
  const clock = emu.find<TestClock>(id, 'test_helpers.test_clock', 'test_clock');
  const to = int(params, 'frozen_time');
  if (to === undefined) throw invalidRequest('Missing required param: frozen_time.', 'frozen_time', 'parameter_missing');
  if (to <= clock.frozen_time) throw invalidRequest('The test clock can only be advanced forward in time.', 'frozen_time');
  const after: TestClock = { ...clock, frozen_time: to, status: 'ready' };
  emu.store.save(after);
  advanceSubscriptions(emu, to, clock.id);
  emu.emit('test_helpers.test_clock.ready', after, { at: to });
  return after;
}

// DELETE /v1/test_helpers/test_clocks/:id
export function deleteTestClock(emu: Emu, _params: Params, [id]: string[]): unknown {
  emu.find<TestClock>(id, 'test_helpers.test_clock', 'test_clock');
  emu.store.save({ id, object: 'test_helpers.test_clock', deleted: true });
  return { id, object: 'test_helpers.test_clock', deleted: true };
}
