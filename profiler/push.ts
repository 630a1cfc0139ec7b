import { randomUUID } from 'node:crypto';
import { asAgentCall } from '../agent/http/own-calls';
import type { ProfileIdentity, ProfileKind } from './options';

/** Profiles waiting to be pushed; beyond this the newest is dropped, so memory stays bounded. */
const QUEUE_LIMIT = 16;
const MAX_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;

export type PushDropReason = 'queue_full' | 'rejected' | 'retries_exhausted' | 'shutdown';

export interface PushedProfile {
  readonly kind: ProfileKind;
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly data: Buffer;
}

export interface PushEvents {
  dropped(reason: PushDropReason): void;
  /** Called when pushing starts or stops failing; `error` is undefined when it works again. */
  health(error: string | undefined): void;
}

/**
 * Sends profiles to a Pyroscope-compatible ingest endpoint (POST /ingest, pprof as multipart form
 * field "profile"), one at a time, retrying server errors and network failures with exponential
 * backoff. A 4xx answer other than 429 is final: the profile is dropped and counted.
 */
export class PyroscopePusher {
  private readonly queue: PushedProfile[] = [];
  private draining: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly baseUrl: string,
    private readonly identity: ProfileIdentity,
    private readonly events: PushEvents,
  ) {}

  push(profile: PushedProfile): void {
    if (this.stopping.signal.aborted) return this.events.dropped('shutdown');
    if (this.queue.length >= QUEUE_LIMIT) return this.events.dropped('queue_full');
    this.queue.push(profile);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  /** Gives queued profiles until `signal` aborts to go out, then drops and counts the rest. */
  async flush(signal: AbortSignal): Promise<void> {
    const gaveUp = () => this.stopping.abort();
    signal.addEventListener('abort', gaveUp, { once: true });
    try {
      await this.draining;
    } finally {
      signal.removeEventListener('abort', gaveUp);
      this.stopping.abort();
      for (const _ of this.queue.splice(0)) this.events.dropped('shutdown');
    }
  }

  /** The ingest URL of one profile: the service is the application name, identity its tags. */
  ingestUrl(profile: PushedProfile): string {
    const url = new URL('ingest', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    const tags = [`environment=${this.identity.environment}`, `version=${this.identity.version}`, `tier=${this.identity.tier}`];
    url.searchParams.set('name', `${this.identity.service}.${profile.kind}{${tags.join(',')}}`);
    url.searchParams.set('from', String(Math.floor(profile.startedAt.getTime() / 1000)));
    url.searchParams.set('until', String(Math.ceil(profile.endedAt.getTime() / 1000)));
    url.searchParams.set('format', 'pprof');
    url.searchParams.set('spyName', 'nodespy');
    return url.toString();
  }

  private async drain(): Promise<void> {
    for (let profile = this.queue.shift(); profile !== undefined; profile = this.queue.shift()) {
      await this.send(profile);
    }
  }

  private async send(profile: PushedProfile): Promise<void> {
    let backoffMs = FIRST_BACKOFF_MS;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(profile);
      if (outcome === 'ok') return this.events.health(undefined);
      if (outcome === 'rejected') return this.events.dropped('rejected');
      this.events.health(outcome);
      if (attempt >= MAX_ATTEMPTS) return this.events.dropped('retries_exhausted');
      if (!(await sleep(backoffMs, this.stopping.signal))) return this.events.dropped('shutdown');
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  }

  /** 'ok', 'rejected' (do not retry), or the reason a retry may help. */
  private async attempt(profile: PushedProfile): Promise<string> {
    const form = multipart(profile.data);
    try {
      const response = await asAgentCall(() =>
        fetch(this.ingestUrl(profile), {
          method: 'POST',
          headers: { 'content-type': form.contentType },
          body: form.body,
          signal: AbortSignal.any([AbortSignal.timeout(REQUEST_TIMEOUT_MS), this.stopping.signal]),
        }),
      );
      await response.arrayBuffer();
      if (response.ok) return 'ok';
      if (response.status === 429 || response.status >= 500) return `HTTP ${response.status}`;
      return 'rejected';
    } catch (error) {
      return (error as Error).message;
    }
  }
}

/**
 * The form body built in memory: a streamed FormData body that is aborted mid-request makes fetch
 * raise an unhandled rejection, which must never reach the host.
 */
function multipart(data: Buffer): { contentType: string; body: Buffer } {
  const boundary = `vigil-${randomUUID()}`;
  const head = `--${boundary}\r\ncontent-disposition: form-data; name="profile"; filename="profile.pprof"\r\ncontent-type: application/octet-stream\r\n\r\n`;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    body: Buffer.concat([Buffer.from(head), data, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  };
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    timer.unref();
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(false);
    }, { once: true });
  });
}
