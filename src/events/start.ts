/** Starts webhook delivery for a directory (src/main.ts; tests and the bench start it the same way). */
import type { EventsConfig } from '../config.ts';
import type { Directory } from '../directory/directory.ts';
import { type DispatcherLog, type DispatcherOptions, WebhookDispatcher } from './dispatcher.ts';

export async function startDispatcher(
  directory: Directory,
  config: EventsConfig,
  log?: DispatcherLog,
  onAttempt?: DispatcherOptions['onAttempt'],
): Promise<WebhookDispatcher> {
  const dispatcher = new WebhookDispatcher(directory.database.db, {
    config,
    box: await directory.webhooks.secretBox(),
    allowPrivate: directory.deps.webhookAllowPrivate ?? false,
    ...(log ? { log } : {}),
    now: directory.deps.now,
    waitForEvents: (ms, signal) => directory.webhooks.waitForEvents(ms, signal),
    eventsWritten: () => directory.webhooks.notify(),
    onEndpointsChanged: (listener) => directory.webhooks.onEndpointsChanged(listener),
    ...(onAttempt ? { onAttempt } : {}),
  });
  dispatcher.start();
  return dispatcher;
}
