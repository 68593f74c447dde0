import { createHash } from 'node:crypto';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { AppError, type FieldError, validationError } from '../domain/errors.js';
import { compileEventSchema, dataProblems } from '../domain/event-data-schema.js';
import { OPERATIONAL_EVENT_TYPES } from '../domain/event-payload.js';
import type { ListRequest, ListSpec, Page } from '../domain/list.js';
import type { Delivery, PublishedEvent } from '../domain/models.js';
import { deliveriesOfEvent } from '../storage/deliveries.js';
import { enforcesSchema, type EventTypesForPublish, eventTypesForPublish } from '../storage/event-types.js';
import * as events from '../storage/events.js';
import {
  findIdempotentEvent,
  releaseIdempotencyKey,
  newOutboxEvent,
  writeEventsWithDeliveries,
  type EventWithDeliveries,
  type OutboxEvent,
} from '../storage/outbox.js';
import type { Db } from '../storage/schema.js';
import { reachedBy, subscribersOnce } from '../storage/subscriptions.js';
import { isUniqueViolation } from '../storage/unique-violation.js';
import { inSpan } from '../telemetry.js';
import type { ServiceContext } from './context.js';
import type { Principal } from './principal.js';
import { visibleOwner } from './webhook-access.js';

export const MAX_BATCH = 500;
const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

export const EVENT_LIST: ListSpec = {
  fields: { id: 'text', type: 'text', idempotency_key: 'text' },
  sortable: ['seq', 'created_at', 'type'],
  defaultSort: [{ field: 'seq', desc: true }],
};

export interface PublishInput {
  type: string;
  data?: unknown;
  idempotency_key?: string;
  /** Svix message `eventId`: unique in the workspace for good; a repeat is a 409. */
  external_id?: string;
  /** Svix message channels (only webhooks without channels or on one of them receive it) and tags. */
  channels?: string[];
  tags?: string[];
  /** ISO time its deliveries become due (at most 30 days ahead); absent: at once. */
  deliver_at?: string;
}

export interface PublishResult {
  id: string;
  deliveries: number;
  /** True when an idempotency key matched an event of the last 24 h: nothing new was created. */
  replayed: boolean;
}

/** A publish's work for the rate limit: each new event's deliveries (at least one per event); a replay costs nothing more. */
export const publishWork = (results: PublishResult[]): number =>
  results.reduce((sum, result) => sum + (result.replayed ? 0 : Math.max(1, result.deliveries)), 0);

/**
 * Publishes events: each event and one delivery per subscribed active webhook are written in one
 * transaction (the outbox; a lone plain event shares its write with those arriving beside it: PlainPublishes), so
 * once this resolves nothing can lose them. All-or-nothing for a batch.
 * `loc` names where each item sits in the request for 422 details.
 */
export async function publishEvents(
  ctx: ServiceContext,
  workspaceId: string,
  inputs: PublishInput[],
  loc: (index: number) => (string | number)[],
): Promise<PublishResult[]> {
  const attributes = () => ({ 'hookd.workspace_id': workspaceId, 'hookd.event_count': inputs.length, 'hookd.event_type': inputs[0]?.type ?? '' });
  return inSpan('hookd.publish', attributes, async (span) => {
    const results = await publish(ctx, workspaceId, inputs, loc);
    if (span.isRecording()) span.setAttributes({ 'hookd.event_ids': results.map((r) => r.id).join(','), 'hookd.deliveries': results.reduce((sum, r) => sum + r.deliveries, 0) });
    return results;
  });
}

async function publish(ctx: ServiceContext, workspaceId: string, inputs: PublishInput[], loc: (index: number) => (string | number)[]): Promise<PublishResult[]> {
  const [single] = inputs;
  // One event reaches at most every webhook of the workspace, so while that cap is within the per-request
  // one the single-statement publish needs no count first.
  const singleFits = ctx.config.maxWebhooksPerWorkspace <= ctx.config.maxDeliveriesPerRequest;
  const plain = single!.idempotency_key === undefined && single!.external_id === undefined;
  const checkedInJs = !isOperational(single!.type) && (single!.deliver_at === undefined || deliverAtProblem(single!.deliver_at, ctx.clock.now()) === null);
  let known: EventTypesForPublish | null = null;
  if (inputs.length === 1 && plain && singleFits && checkedInJs) {
    // The common publish, one event of a type without a schema to enforce, is written together with the
    // plain publishes arriving beside it, type check included. When it wrote nothing (unknown type, a schema
    // to check; on PostgreSQL a subscriber with a payload filter), it answered the type: the path below decides.
    const event = outboxEvent(workspaceId, single!, ctx.clock.now());
    const written = await ctx.plainPublishes.write(event);
    if (written.written) return [{ id: event.id, deliveries: written.deliveries, replayed: false }];
    known = new Map(written.type ? [[single!.type, written.type]] : []);
  }
  const types = known ?? (await eventTypesForPublish(ctx.store.db, ctx.store.kind, [...new Set(inputs.map((input) => input.type))]));
  const problems: FieldError[] = [];
  inputs.forEach((input, index) => {
    const type = types.get(input.type);
    if (isOperational(input.type)) {
      problems.push({ loc: [...loc(index), 'type'], msg: `'${input.type}' is published by hookd itself`, type: 'operational_event_type' });
    } else if (!type) {
      problems.push({ loc: [...loc(index), 'type'], msg: `unknown event type '${input.type}'`, type: 'unknown_event_type' });
    } else if (enforcesSchema(type, ctx.config.strictEventSchemas)) {
      const validate = schemaValidator(input.type, type);
      for (const problem of validate ? dataProblems(validate, input.data ?? null) : []) {
        problems.push({ loc: [...loc(index), 'data', ...problem.path], msg: problem.msg, type: problem.keyword });
      }
    }
  });
  inputs.forEach((input, index) => {
    const problem = input.deliver_at === undefined ? null : deliverAtProblem(input.deliver_at, ctx.clock.now());
    if (problem) problems.push({ loc: [...loc(index), 'deliver_at'], msg: problem, type: 'deliver_at' });
  });
  if (problems.length) throw validationError(problems);

  // Publishes that arrive together share one commit (SQLite); each is answered after the commit holding it.
  const write = () => ctx.store.groupCommit((trx) => writeEvents(ctx, trx, workspaceId, inputs));
  try {
    return await write();
  } catch (error) {
    // Two requests raced on one idempotency key; the retry finds the winner's event and replays it.
    if (isUniqueViolation(error)) return write();
    throw error;
  }
}

async function writeEvents(ctx: ServiceContext, trx: Db, workspaceId: string, inputs: PublishInput[]): Promise<PublishResult[]> {
  const now = ctx.clock.now();
  const subscribersFor = subscribersOnce(trx, ctx.store.kind);
  // Each event with the webhooks it reaches: its subscribers whose payload filter (if any) matches it.
  const planned = [];
  for (const input of inputs) {
    const event = outboxEvent(workspaceId, input, now);
    planned.push({ input, event, webhookIds: reachedBy(await subscribersFor(workspaceId, input.type, input.channels), event.payload) });
  }
  // Bounded before anything is written: one request may not flood the queue (and hold the writer) for everyone.
  const plannedCount = planned.reduce((sum, item) => sum + item.webhookIds.length, 0);
  if (plannedCount > ctx.config.maxDeliveriesPerRequest) {
    throw validationError([
      {
        loc: ['body'],
        msg: `would create ${plannedCount} deliveries; at most ${ctx.config.maxDeliveriesPerRequest} per request (HOOKD_MAX_DELIVERIES_PER_REQUEST): publish in smaller batches`,
        type: 'limit_exceeded',
      },
    ]);
  }
  const results: PublishResult[] = [];
  // Events are written together, in request order; one with an idempotency key or an external id is looked
  // up first, after the events before it are written (a batch may repeat a key).
  let unwritten: EventWithDeliveries[] = [];
  const writeUnwritten = async () => {
    await writeEventsWithDeliveries(trx, ctx.store.kind, unwritten);
    unwritten = [];
  };
  for (const { input, event, webhookIds } of planned) {
    const key = input.idempotency_key ?? null;
    if (key !== null || input.external_id !== undefined) await writeUnwritten();
    if (key !== null) {
      const earlier = await findIdempotentEvent(trx, workspaceId, key);
      if (earlier && earlier.createdAt > now - IDEMPOTENCY_WINDOW_MS) {
        // Events stored before request hashes were kept (null) replay as before.
        if (earlier.requestHash !== null && earlier.requestHash !== requestHash(input)) {
          throw new AppError('idempotency_key_reused', `idempotency key '${key}' was used within 24 h for a different event`);
        }
        results.push({ id: earlier.id, deliveries: earlier.deliveries, replayed: true });
        continue;
      }
      if (earlier) await releaseIdempotencyKey(trx, workspaceId, key);
    }
    if (input.external_id !== undefined && (await events.findEventByExternalId(trx, workspaceId, input.external_id))) {
      throw new AppError('message_event_id_exists', `a message with eventId '${input.external_id}' exists in this application`);
    }
    unwritten.push({ event, webhookIds });
    results.push({ id: event.id, deliveries: webhookIds.length, replayed: false });
  }
  await writeUnwritten();
  if (results.some((result) => !result.replayed && result.deliveries > 0)) await ctx.store.wakeups.announce(trx);
  return results;
}

function outboxEvent(workspaceId: string, input: PublishInput, createdAt: number): OutboxEvent {
  const idempotencyKey = input.idempotency_key ?? null;
  const requestHashOf = idempotencyKey === null ? null : requestHash(input);
  return newOutboxEvent({
    workspaceId,
    type: input.type,
    data: input.data,
    createdAt,
    idempotencyKey,
    requestHash: requestHashOf,
    externalId: input.external_id ?? null,
    channels: input.channels,
    tags: input.tags,
    deliverAt: input.deliver_at === undefined ? null : Date.parse(input.deliver_at),
  });
}

export const MAX_SCHEDULE_AHEAD_MS = 30 * 86_400_000;
// A deliver_at this little in the past is taken as "now": the publisher's clock may run behind hookd's.
const SCHEDULE_SKEW_MS = 5_000;

const isOperational = (type: string): boolean => (OPERATIONAL_EVENT_TYPES as readonly string[]).includes(type);

/** Why `deliver_at` cannot be used, or null: an ISO time from now to 30 days ahead. */
function deliverAtProblem(value: string, now: number): string | null {
  const at = Date.parse(value);
  if (Number.isNaN(at)) return 'must be an ISO 8601 date-time';
  if (at < now - SCHEDULE_SKEW_MS) return 'is in the past';
  if (at > now + MAX_SCHEDULE_AHEAD_MS) return 'is more than 30 days ahead';
  return null;
}

/** What makes two publishes under one idempotency key the same request: their type, data and schedule. */
const requestHash = (input: PublishInput): string =>
  createHash('sha256')
    .update(JSON.stringify(input.deliver_at === undefined ? [input.type, input.data ?? null] : [input.type, input.data ?? null, Date.parse(input.deliver_at)]))
    .digest('base64url');

// Compiled schemas by event type and version; a schema edit bumps `updated_at`, so stale entries just age out.
// null: the stored schema no longer compiles (checked when written, so only after an ajv upgrade) and is
// not enforced.
const validators = new Map<string, ValidateFunction | null>();
const SCHEMA_CACHE_MAX = 1000;

/** The compiled validator of a catalogued type's schema (compiled once per version), or null. */
function schemaValidator(name: string, type: { schema: string | null; updatedAt: number }): ValidateFunction | null {
  const key = `${name}@${type.updatedAt}`;
  if (!validators.has(key)) {
    const compiled = compileEventSchema(JSON.parse(type.schema!) as Record<string, unknown>);
    if (validators.size >= SCHEMA_CACHE_MAX) validators.delete(validators.keys().next().value!);
    validators.set(key, compiled.ok ? compiled.validate : null);
  }
  return validators.get(key) ?? null;
}

/** One page of a workspace's events; under owner visibility, only those that reached the caller's own webhooks. */
export async function listEvents(ctx: ServiceContext, principal: Principal, workspaceId: string, request: ListRequest): Promise<Page<PublishedEvent>> {
  const owner = await visibleOwner(ctx, principal, workspaceId);
  return events.listEvents(ctx.store.db, workspaceId, request, owner ?? undefined);
}

/** One event with the deliveries the principal may see. */
export async function getEvent(
  ctx: ServiceContext,
  principal: Principal,
  workspaceId: string,
  id: string,
): Promise<{ event: PublishedEvent; deliveries: Delivery[] }> {
  const event = await events.findEvent(ctx.store.db, workspaceId, id);
  if (!event) throw new AppError('event_not_found');
  const owner = await visibleOwner(ctx, principal, workspaceId);
  const deliveries = await deliveriesOfEvent(ctx.store.db, id, owner ?? undefined);
  // Under owner visibility an event that reached none of the caller's webhooks is not theirs to read.
  if (owner !== null && !deliveries.length) throw new AppError('event_not_found');
  return { event, deliveries };
}
