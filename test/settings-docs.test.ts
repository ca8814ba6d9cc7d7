import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../shared/config.js';

const projectRoot = new URL('../', import.meta.url).pathname;
const settings = Object.keys(configSchema.shape);
const envExample = readFileSync(`${projectRoot}.env.example`, 'utf8');
const readme = readFileSync(`${projectRoot}README.md`, 'utf8');

describe('settings documentation', () => {
  it.each(settings)('.env.example lists %s', (name) => {
    expect(envExample).toMatch(new RegExp(`^${name}=`, 'm'));
  });

  it.each(settings)('README table lists %s', (name) => {
    expect(readme).toMatch(new RegExp(`^\\| \`${name}\` +\\|`, 'm'));
  });

  it('.env.example lists only known settings', () => {
    const listed = [...envExample.matchAll(/^([A-Z0-9_]+)=/gm)].map((match) => match[1]);
    expect(listed.filter((name) => !settings.includes(name!))).toEqual([]);
  });
});
