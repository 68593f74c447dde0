// Small pieces every screen uses: action messages, copy buttons, confirmation, tables that become cards,
// status badges, times, JSON blocks, the pager.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { HookdApiError } from '../../src/client/api-client.js';
import { navigate } from './router.js';

/** A readable sentence for a failed call: hookd's `detail` (and the first field problem), or the error's message. */
export function describeError(error: unknown): string {
  if (error instanceof HookdApiError) {
    const body = error.body as { detail?: unknown; message?: unknown; errors?: { loc?: unknown[]; msg?: string }[] } | undefined;
    const detail = typeof body?.detail === 'string' ? body.detail : typeof body?.message === 'string' ? body.message : `HTTP ${error.status}`;
    const problems = Array.isArray(body?.detail) ? (body.detail as { loc?: unknown[]; msg?: string }[]) : (body?.errors ?? []);
    const first = problems[0];
    const field = first?.loc?.filter((part) => part !== 'body' && part !== 'query').join('.');
    return first?.msg ? `${field ? `${field}: ` : ''}${first.msg}` : detail;
  }
  return error instanceof Error ? error.message : String(error);
}

type Message = { kind: 'ok' | 'error'; text: string } | null;

/**
 * One action's state: `run` performs it and keeps its outcome as a message shown next to the control that
 * caused it (not at the top of the page), until dismissed or the action runs again.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  const run = async (perform: () => Promise<string | void>) => {
    setBusy(true);
    setMessage(null);
    try {
      const text = await perform();
      if (text) setMessage({ kind: 'ok', text });
    } catch (error) {
      setMessage({ kind: 'error', text: describeError(error) });
    } finally {
      setBusy(false);
    }
  };
  const view = message && <Notice kind={message.kind} onDismiss={() => setMessage(null)}>{message.text}</Notice>;
  return { run, busy, view, fail: (text: string) => setMessage({ kind: 'error', text }) };
}

export function Notice(props: { kind: 'ok' | 'error' | 'info'; children: ComponentChildren; onDismiss?: () => void }) {
  return (
    <div class={`notice ${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      <span>{props.children}</span>
      {props.onDismiss && (
        <button type="button" class="icon" aria-label="Dismiss message" onClick={props.onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}

export function CopyButton(props: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    await navigator.clipboard.writeText(props.value).catch(() => undefined);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" class="secondary small" onClick={copy} aria-label={props.label ?? 'Copy'}>
      {copied ? 'Copied' : 'Copy'}
    </button>
  );
}

/** A value shown once (a new key or secret) with its copy button. */
export function Secret(props: { value: string; label: string }) {
  return (
    <div class="secret-row">
      <code class="secret" aria-label={props.label}>{props.value}</code>
      <CopyButton value={props.value} label={`Copy ${props.label}`} />
    </div>
  );
}

/** A modal confirmation (native <dialog>: focus kept inside, Escape cancels). */
export function Confirm(props: { title: string; children: ComponentChildren; confirmLabel: string; danger?: boolean; onConfirm: () => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="confirm-title" onCancel={props.onCancel} onClose={props.onCancel}>
      <h2 id="confirm-title">{props.title}</h2>
      <div class="stack">{props.children}</div>
      <div class="actions">
        <button type="button" class="secondary" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class={props.danger ? 'danger' : ''} onClick={props.onConfirm}>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/** A click anywhere on a linked row opens it, unless it was on a control of its own (or selected text). */
function followRow(event: MouseEvent, href: string) {
  const target = event.target as Element;
  if (target.closest('a, button, input, select, textarea, details') || getSelection()?.toString()) return;
  navigate(href);
}

export interface Column<T> {
  label: string;
  cell: (row: T) => ComponentChildren;
  class?: string;
}

/**
 * A table on wide screens, a list of cards on narrow ones (each cell carries its column's label). A row with
 * `href` is a link: the first cell holds the anchor, so the row is reachable by keyboard.
 */
export function DataTable<T>(props: { rows: T[]; columns: Column<T>[]; empty: string; caption: string; rowKey: (row: T) => string | number; href?: (row: T) => string }) {
  if (!props.rows.length) return <p class="muted empty">{props.empty}</p>;
  return (
    <table class="data">
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column) => (
            <th scope="col" key={column.label}>{column.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => {
          const href = props.href?.(row);
          return (
            <tr key={props.rowKey(row)} class={href ? 'linked' : ''} onClick={href ? (event) => followRow(event, href) : undefined}>
              {props.columns.map((column, i) => (
                <td key={column.label} data-label={column.label} class={column.class}>
                  {href && i === 0 ? <a href={href}>{column.cell(row)}</a> : column.cell(row)}
                </td>
              ))}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

export function Status(props: { value: string }) {
  return <span class={`badge ${props.value}`}>{props.value}</span>;
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** A time as "3 min ago" / "in 20 s", with the exact time on hover and for screen readers. */
export function Time(props: { value: string | null; empty?: string }) {
  if (!props.value) return <span class="muted">{props.empty ?? '—'}</span>;
  const ms = Date.parse(props.value);
  const seconds = Math.round((ms - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  const text =
    abs < 60 ? relative.format(seconds, 'second') : abs < 3600 ? relative.format(Math.round(seconds / 60), 'minute') : abs < 86_400 ? relative.format(Math.round(seconds / 3600), 'hour') : relative.format(Math.round(seconds / 86_400), 'day');
  return (
    <time dateTime={props.value} title={new Date(ms).toLocaleString()}>
      {text}
    </time>
  );
}

/** Pretty-printed JSON when the text is JSON, the text itself otherwise. */
export function Body(props: { text: string | null; label: string }) {
  if (props.text === null || props.text === '') return <p class="muted">{props.text === null ? 'not recorded' : 'empty'}</p>;
  let shown = props.text;
  try {
    shown = JSON.stringify(JSON.parse(props.text), null, 2);
  } catch {}
  return (
    <pre tabIndex={0} aria-label={props.label}>
      {shown}
    </pre>
  );
}

export function Headers(props: { headers: Record<string, string> | null; label: string }) {
  if (!props.headers || !Object.keys(props.headers).length) return <p class="muted">none</p>;
  return (
    <dl class="headers" aria-label={props.label}>
      {Object.entries(props.headers).map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Previous / next by page number; `more` says whether a next page may exist (the page was full). */
export function Pager(props: { page: number; more: boolean; hrefFor: (page: number) => string }) {
  if (props.page <= 1 && !props.more) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {props.page > 1 ? <a href={props.hrefFor(props.page - 1)}>← Newer</a> : <span />}
      <span class="muted">page {props.page}</span>
      {props.more ? <a href={props.hrefFor(props.page + 1)}>Older →</a> : <span />}
    </nav>
  );
}

export function Field(props: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span class="label">{props.label}</span>
      {props.children}
      {props.hint && <span class="hint">{props.hint}</span>}
    </label>
  );
}

export function Loading(props: { error?: unknown }) {
  return props.error ? <Notice kind="error">{describeError(props.error)}</Notice> : <p class="muted" aria-live="polite">Loading…</p>;
}

export function Section(props: { title: string; actions?: ComponentChildren; children: ComponentChildren; 'aria-label'?: string }) {
  const { title, actions, children, ...rest } = props;
  return (
    <section class="card" {...rest}>
      <div class="card-head">
        <h2>{title}</h2>
        {actions && <div class="actions">{actions}</div>}
      </div>
      {children}
    </section>
  );
}
