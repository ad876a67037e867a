import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

it('src/gen is what proto/ generates (npm run gen:check)', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-proto.mjs', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `gen-proto --check failed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /up to date/);
});
