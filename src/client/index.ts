// The package's entry: the typed client for hookd's native API, and the receiver's verify().
export * from './api-client.js';
export { type HookdEvent, verify, verifyHubSignature, WebhookVerificationError } from './verify.js';
