import type { DeliveryAttempt } from '../../../src/client/types.js';
import { useLive } from '../live.js';
import type { WorkspaceScope } from '../scope.js';
import { Body, Headers, Loading, Section, Status, Time, useAction } from '../ui.js';
import { isRetryable } from './webhook-detail.js';

function Attempt(props: { attempt: DeliveryAttempt; requestBody: string | null }) {
  const a = props.attempt;
  return (
    <article class="attempt" aria-label={`Attempt ${a.attempt}`}>
      <header class="attempt-head">
        <h3>Attempt {a.attempt}</h3>
        <Status value={a.outcome === 'success' ? 'succeeded' : 'failed'} />
        <span>{a.status_code ? `HTTP ${a.status_code}` : (a.error ?? 'no answer')}</span>
        <span class="muted">{a.duration_ms} ms</span>
        <Time value={a.created_at} />
      </header>
      {a.error && a.status_code && a.error !== `HTTP ${a.status_code}` && <p class="muted">{a.error}</p>}
      <div class="grid2">
        <div>
          <h4>Request headers</h4>
          <Headers headers={a.request_headers} label={`Attempt ${a.attempt} request headers`} />
          <h4>Request body</h4>
          <Body text={props.requestBody} label={`Attempt ${a.attempt} request body`} />
        </div>
        <div>
          <h4>Response headers</h4>
          <Headers headers={a.response_headers} label={`Attempt ${a.attempt} response headers`} />
          <h4>Response body</h4>
          <Body text={a.response_body} label={`Attempt ${a.attempt} response body`} />
        </div>
      </div>
    </article>
  );
}

/** One delivery with every attempt, rendered for people; retry from here. */
export function DeliveryDetail(props: { scope: WorkspaceScope; webhookId: string; deliveryId: number }) {
  const { scope, webhookId, deliveryId } = props;
  const delivery = useLive(() => scope.client.getDelivery(webhookId, deliveryId), [webhookId, deliveryId]);
  const webhook = useLive(() => scope.client.getWebhook(webhookId), [webhookId], { live: false });
  const retry = useAction();
  const d = delivery.data;
  if (!d) return <Loading error={delivery.error} />;
  const canRetry = scope.canWrite && isRetryable(d.status);
  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={`${scope.base}/webhooks`}>Webhooks</a> / <a href={`${scope.base}/webhooks/${webhookId}`}>{webhook.data ? webhook.data.name || webhook.data.url : webhookId}</a> / <span>delivery #{d.id}</span>
      </nav>
      <Section
        title={`Delivery #${d.id}`}
        actions={canRetry && (
          <button
            type="button"
            disabled={retry.busy}
            onClick={() =>
              retry.run(async () => {
                await scope.client.retryDelivery(webhookId, deliveryId);
                delivery.reload();
                return 'Queued a new attempt.';
              })
            }
          >
            Retry now
          </button>
        )}
      >
        {retry.view}
        <dl class="facts">
          <div>
            <dt>Status</dt>
            <dd>
              <Status value={d.status} />
            </dd>
          </div>
          <div>
            <dt>Event</dt>
            <dd>
              <a href={`${scope.base}/events/${d.event_id}`}>
                <code>{d.event_type}</code> {d.event_id}
              </a>
            </dd>
          </div>
          <div>
            <dt>Attempts</dt>
            <dd>{d.attempt_count}</dd>
          </div>
          <div>
            <dt>Next attempt</dt>
            <dd>
              <Time value={d.next_attempt_at} />
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <Time value={d.created_at} />
            </dd>
          </div>
        </dl>
      </Section>
      <Section title="Attempts">
        {d.attempts.length ? [...d.attempts].reverse().map((a) => <Attempt key={a.attempt} attempt={a} requestBody={d.request_body} />) : <p class="muted">No attempt yet.</p>}
      </Section>
    </>
  );
}
