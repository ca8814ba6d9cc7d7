import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../shared/config.js';
import { createLogger } from '../shared/logger.js';

describe('config', () => {
  it('applies defaults to an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.QUEUE_NAME).toBe('browser');
    expect(config.ALLOWED_HOSTS).toContain('www.threads.com');
    expect(config.HEADLESS).toBe(true);
  });

  it('names every invalid variable and what it accepts', () => {
    let caught: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        HEADLESS: 'maybe',
        REDIS_URL: 'http://x',
        API_TOKEN: 'short',
        ALLOWED_HOSTS: 'a b',
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toMatch(/PORT: /);
    expect(message).toMatch(/HEADLESS: expected true or false/);
    expect(message).toMatch(/REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(message).toMatch(/API_TOKEN: expected at least 16 characters/);
    expect(message).toMatch(/ALLOWED_HOSTS\.0: expected a host name/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', API_TOKEN: '' }).PORT).toBe(3000);
  });

  it('parses host lists with ports', () => {
    const config = loadConfig({ ALLOWED_HOSTS: 'threads.com, 127.0.0.1:4010,[::1]:8080' });
    expect(config.ALLOWED_HOSTS).toEqual(['threads.com', '127.0.0.1:4010', '[::1]:8080']);
  });
});

describe('logger', () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ LOG_LEVEL: 'info', LOG_PRETTY: false }, 'test', stream);
    return { logger, lines };
  }

  it('redacts credentials, cookies and storage states', () => {
    const { logger, lines } = capture();
    const secret = 'secret-value-123456789';
    logger.info({
      req: { headers: { authorization: `Bearer ${secret}`, cookie: `ta_session=${secret}` } },
      token: secret,
      storageState: { cookies: [{ name: 'sessionid', value: secret }] },
      payload: { storageState: secret },
      job: { cookies: [secret] },
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });

  it('keeps request ids on child loggers', () => {
    const { logger, lines } = capture();
    logger.child({ requestId: 'r-1' }).info('request');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ requestId: 'r-1', msg: 'request', name: 'test' });
  });
});
