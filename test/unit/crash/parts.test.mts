// The parts of crash capture that decide what an event says: breadcrumbs from log lines, redaction,
// request context, the diagnostic report, the 5xx limiter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { CaptureLimiter } from '../../../dist/agent/crash/capture-limiter.js';
import { diagnosticReport, REPORT_FILENAME } from '../../../dist/agent/crash/diagnostic-report.js';
import { LogTail, MAX_LINE_BYTES, TAIL_LINES, toBreadcrumb } from '../../../dist/agent/crash/log-tail.js';
import { redactEvent } from '../../../dist/agent/crash/redact-event.js';
import { requestEventData, safeHeaders } from '../../../dist/agent/crash/request-context.js';
import type { IncomingMessage } from 'node:http';

describe('log lines as breadcrumbs', () => {
  it('turns an ECS line into a breadcrumb: message, level, time, and the line’s own fields as data', () => {
    const crumb = toBreadcrumb(
      JSON.stringify({ '@timestamp': '2026-01-02T03:04:05.678Z', 'log.level': 'warn', message: 'slow upstream', 'service.name': 'songs', 'trace.id': 'abc', upstream: 'db' }),
    );
    assert.deepEqual(crumb, {
      category: 'log',
      type: 'default',
      message: 'slow upstream',
      level: 'warning',
      timestamp: Date.parse('2026-01-02T03:04:05.678Z') / 1000,
      data: { 'trace.id': 'abc', upstream: 'db' },
    });
  });

  it('skips a line that is not JSON instead of failing the event', () => {
    assert.equal(toBreadcrumb('not json {'), undefined);
  });

  it(`keeps the latest ${TAIL_LINES} lines, oldest first, and leaves out lines over ${MAX_LINE_BYTES} bytes`, () => {
    const tail = new LogTail();
    for (let i = 0; i < TAIL_LINES + 7; i++) tail.push(JSON.stringify({ message: `line ${i}` }));
    tail.push(JSON.stringify({ message: 'x'.repeat(MAX_LINE_BYTES) }));
    const messages = tail.breadcrumbs().map((crumb) => crumb.message);
    assert.equal(messages.length, TAIL_LINES);
    assert.equal(messages[0], 'line 7');
    assert.equal(messages.at(-1), `line ${TAIL_LINES + 6}`);
  });

  it('follows a pino logger and its children, writes go on to the destination, and stops on request', () => {
    const written: string[] = [];
    const logger = pino({ base: undefined, messageKey: 'message' }, { write: (line: string) => void written.push(line) });
    const tail = new LogTail();
    const stop = tail.follow(logger);
    logger.info('from the root');
    logger.child({ component: 'cache' }).warn('from a child');
    stop();
    logger.info('after the stop');
    assert.equal(written.length, 3, 'every line still reaches the destination');
    assert.deepEqual(tail.breadcrumbs().map((crumb) => crumb.message), ['from the root', 'from a child']);
    assert.equal(tail.breadcrumbs()[1]?.data?.component, 'cache');
  });
});

describe('redaction of events', () => {
  it('censors the redaction list’s keys in request, extra, contexts, user, tags and breadcrumbs, and drops cookies', () => {
    const event = redactEvent({
      event_id: 'e',
      request: { headers: { Authorization: 'Bearer x', accept: 'text/html' }, cookies: { session: 's' } },
      extra: { order: { password: 'p', lines: 2 } },
      contexts: { payment: { client_secret: 'cs' } },
      user: { id: 'u1', token: 't' } as never,
      tags: { api_key: 'k', route: '/songs/:id' },
      breadcrumbs: [{ message: 'login', data: { user: { password: 'p2' } } }],
    });
    assert.deepEqual(event.request, { headers: { Authorization: '[REDACTED]', accept: 'text/html' } });
    assert.deepEqual(event.extra, { order: { password: '[REDACTED]', lines: 2 } });
    assert.deepEqual(event.contexts, { payment: { client_secret: '[REDACTED]' } });
    assert.deepEqual(event.user, { id: 'u1', token: '[REDACTED]' });
    assert.deepEqual(event.tags, { api_key: '[REDACTED]', route: '/songs/:id' });
    assert.deepEqual(event.breadcrumbs, [{ message: 'login', data: { user: { password: '[REDACTED]' } } }]);
  });
});

describe('request context', () => {
  const request = {
    method: 'POST',
    url: '/songs/42?token=abc#x',
    headers: { host: 'api.example', cookie: 'a=b', authorization: 'Basic x', 'proxy-authorization': 'y', 'x-api-key': 'z', 'user-agent': 'curl', 'x-forwarded-for': ['1.2.3.4', '5.6.7.8'] },
  } as unknown as IncomingMessage;

  it('keeps method, path and harmless headers; drops the query string and every header the redaction list names', () => {
    assert.deepEqual(requestEventData(request), {
      method: 'POST',
      url: 'http://api.example/songs/42',
      headers: { host: 'api.example', 'user-agent': 'curl', 'x-forwarded-for': '1.2.3.4, 5.6.7.8' },
    });
  });

  it('matches header names without regard to case', () => {
    assert.deepEqual(safeHeaders({ Cookie: 'a', 'Set-Cookie': ['b'], Accept: '*/*' } as never), { Accept: '*/*' });
  });
});

describe('diagnostic report', () => {
  it('holds the error’s stack and the process facts, without environment variables', () => {
    process.env.VIGIL_TEST_SECRET_VARIABLE = 'env-secret-value';
    const attachment = diagnosticReport(new Error('disk on fire'));
    assert.ok(attachment);
    assert.equal(attachment.filename, REPORT_FILENAME);
    assert.equal(attachment.contentType, 'application/json');
    const text = String(attachment.data);
    assert.ok(!text.includes('env-secret-value'));
    const report = JSON.parse(text) as { header: { nodejsVersion: string }; javascriptStack: { message: string }; environmentVariables?: unknown };
    assert.equal(report.header.nodejsVersion, process.version);
    assert.match(report.javascriptStack.message, /disk on fire/);
    assert.equal(report.environmentVariables, undefined);
  });
});

describe('5xx limiter', () => {
  it('lets the first captures of a key through in each window and refuses the rest', () => {
    let now = 0;
    const limiter = new CaptureLimiter(2, 1000, 10, () => now);
    assert.deepEqual([limiter.allow('a'), limiter.allow('a'), limiter.allow('a'), limiter.allow('b')], [true, true, false, true]);
    now = 1000;
    assert.equal(limiter.allow('a'), true, 'a new window');
  });

  it('holds at most maxKeys keys', () => {
    const limiter = new CaptureLimiter(1, 60_000, 3, () => 0);
    for (const key of ['a', 'b', 'c', 'd']) assert.equal(limiter.allow(key), true);
    assert.equal(limiter.allow('d'), false, 'd is remembered after the reset');
    assert.equal(limiter.allow('a'), true, 'a was forgotten, so memory stays bounded');
  });
});
