import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { BasicAuth } from '../../src/extensions/basicauth/basicauth.js';
import { apr1, parseHtpasswd, verify } from '../../src/extensions/basicauth/htpasswd.js';
import { BearerTokenAuth, parseTokenFile } from '../../src/extensions/bearertokenauth/bearertokenauth.js';
import { validateBasicAuth } from '../../src/extensions/basicauth/config.js';
import { validateBearerTokenAuth } from '../../src/extensions/bearertokenauth/config.js';
import { testSettings } from '../helpers/telemetry.js';

test('htpasswd: bcrypt ($2y$ too), Apache MD5 as openssl makes it, {SHA}, {SSHA} and plain', async () => {
  assert.equal(apr1('secret', 'saltsalt'), '$apr1$saltsalt$LrttParrLPdxvgutaSXWJ0'); // openssl passwd -apr1 -salt saltsalt secret
  const fromOpenssl = execFileSync('openssl', ['passwd', '-apr1', 'pässwörd']).toString().trim();
  assert.equal(await verify('pässwörd', fromOpenssl), true);
  assert.equal(await verify('other', fromOpenssl), false);
  const b = bcrypt.hashSync('pw', 4);
  assert.equal(await verify('pw', b), true);
  assert.equal(await verify('pw', b.replace(/^\$2b\$/, '$2y$')), true);
  assert.equal(await verify('px', b), false);
  assert.equal(await verify('pw', `{SHA}${createHash('sha1').update('pw').digest('base64')}`), true);
  const salt = Buffer.from('salt');
  const ssha = Buffer.concat([createHash('sha1').update('pw').update(salt).digest(), salt]).toString('base64');
  assert.equal(await verify('pw', `{SSHA}${ssha}`), true);
  assert.equal(await verify('pw2', `{SSHA}${ssha}`), false);
  assert.equal(await verify('plain', 'plain'), true);
  assert.equal(await verify('plain', 'plainer'), false);
  assert.deepEqual(
    [...parseHtpasswd('# c\nu:h\n\nbad line\nu:h2\nv:x:y\n')],
    [
      ['u', 'h2'],
      ['v', 'x:y'],
    ],
  );
});

test('basicauth: users map to tenants; wrong, unknown and malformed credentials fail the same way; client_auth is sent', async () => {
  const a = new BasicAuth(testSettings('basicauth', 'extension'), {
    htpasswd: { inline: `alice:${bcrypt.hashSync('pw', 4)}\nbob:pw` },
    tenants: { alice: 'team-a' },
  });
  const h = (v: string | undefined) => (name: string) => (name === 'authorization' ? v : undefined);
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
  assert.deepEqual(await a.authenticate(h(basic('alice', 'pw'))), { ok: true, tenant: 'team-a' });
  assert.deepEqual(await a.authenticate(h(basic('alice', 'pw'))), { ok: true, tenant: 'team-a' }, 'remembered');
  assert.deepEqual(await a.authenticate(h(basic('bob', 'pw'))), { ok: true });
  for (const bad of [
    undefined,
    '',
    'Basic',
    'Bearer x',
    basic('alice', 'px'),
    basic('eve', 'pw'),
    'Basic !!!',
    `Basic ${Buffer.from('nocolon').toString('base64')}`,
  ]) {
    assert.deepEqual(await a.authenticate(h(bad)), { ok: false }, String(bad));
  }
  const c = new BasicAuth(testSettings('basicauth/c', 'extension'), { client_auth: { username: 'u', password: 'p' } });
  assert.deepEqual(c.clientHeaders(), { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` });
  assert.deepEqual(validateBasicAuth({}), ['htpasswd: one of htpasswd.file, htpasswd.inline and client_auth is required']);
  assert.deepEqual(validateBasicAuth({ htpasswd: { inline: 'a:b' }, client_auth: { username: 'u', password: 'p' } }), [
    'htpasswd: either htpasswd (server) or client_auth (client), not both',
  ]);
});

test('bearertokenauth: scheme, custom header, tenants per token, client header; token files with tenants', async () => {
  const a = new BearerTokenAuth(testSettings('bearertokenauth', 'extension'), {
    scheme: 'Bearer',
    header: 'Authorization',
    tokens: ['t1', 't2'],
    tenants: { 'team-a': ['t1'] },
  });
  const h =
    (v: string | undefined, header = 'authorization') =>
    (name: string) =>
      name === header ? v : undefined;
  assert.deepEqual(await a.authenticate(h('Bearer t1')), { ok: true, tenant: 'team-a' });
  assert.deepEqual(await a.authenticate(h('Bearer t2')), { ok: true });
  for (const bad of [undefined, 't1', 'Bearer t3', 'bearer t1', 'Bearer t1x', 'Basic t1'])
    assert.deepEqual(await a.authenticate(h(bad)), { ok: false }, String(bad));
  assert.deepEqual(a.clientHeaders(), { Authorization: 'Bearer t1' });
  const raw = new BearerTokenAuth(testSettings('bearertokenauth/raw', 'extension'), { scheme: '', header: 'X-Api-Token', token: 'k' });
  assert.deepEqual(await raw.authenticate(h('k', 'x-api-token')), { ok: true });
  assert.deepEqual(raw.clientHeaders(), { 'X-Api-Token': 'k' });
  assert.deepEqual(parseTokenFile('# comment\n t1  team-a \n\nt2\n'), [
    { token: 't1', tenant: 'team-a' },
    { token: 't2', tenant: undefined },
  ]);
  assert.deepEqual(validateBearerTokenAuth({ scheme: 'Bearer', header: 'Authorization' }), ['token: one of token, tokens and filename is required']);
  assert.deepEqual(validateBearerTokenAuth({ scheme: 'Bearer', header: 'Authorization', token: 'a', tenants: { x: ['b'] } }), [
    'tenants.x: names a token that is not in token or tokens',
  ]);
});
