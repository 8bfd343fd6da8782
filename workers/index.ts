import { app } from './app';
import { handleDomainEvents } from './events/activity.consumer';
import { republishStaleEvents } from './events/events.outbox';
import type { DomainEvent } from './events/events.types';

export default {
  fetch: app.fetch,
  // Domain events feed the activity trail; more subscribers join here.
  queue: (batch, env, _ctx) => handleDomainEvents(batch, env),
  scheduled: async (_controller, env, ctx) => {
    ctx.waitUntil(republishStaleEvents(env));
  },
} satisfies ExportedHandler<Env, DomainEvent>;
