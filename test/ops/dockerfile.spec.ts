import { APP_NAMES } from '@parley/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from './kustomize';

const ROOT = join(__dirname, '..', '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** The instructions of each stage, by stage name. */
function stages(): Map<string, string[]> {
  const result = new Map<string, string[]>();
  let current: string[] = [];
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  for (const line of joined.split('\n').map((l) => l.trim())) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      current = [line];
      result.set(from[2] ?? from[1]!, current);
    } else if (line && !line.startsWith('#')) current.push(line);
  }
  return result;
}

describe('the Dockerfile', () => {
  const byName = stages();
  const runtime = byName.get('runtime') ?? [];

  it('has a target per app, each starting that app on top of the runtime stage', () => {
    for (const app of APP_NAMES) {
      const stage = byName.get(app);
      expect(stage?.[0]).toMatch(/^FROM runtime AS/i);
      expect(stage).toContain(`CMD ["node", "dist/apps/${app}/src/main.js"]`);
    }
  });

  it('runs as a numeric non-root user under tini, in production mode, with a health check', () => {
    expect(runtime.some((l) => /^ENV .*NODE_ENV=production/.test(l))).toBe(true);
    expect(runtime).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    const user = runtime.find((l) => l.startsWith('USER '));
    expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    expect(runtime.some((l) => l.startsWith('HEALTHCHECK') && l.includes('/health/'))).toBe(true);
  });

  it('ships only production dependencies and no sources', () => {
    expect((byName.get('build') ?? []).some((l) => l.includes('npm prune --omit=dev'))).toBe(true);
    const copies = runtime.filter((l) => l.startsWith('COPY'));
    for (const copy of copies) expect(copy).toContain('--from=build');
    expect(copies.some((l) => / (apps|libs) /.test(l))).toBe(false);
  });

  it('runs as the user the Kubernetes pods declare', () => {
    const [uid, gid] = runtime
      .find((l) => l.startsWith('USER '))!
      .slice('USER '.length)
      .split(':')
      .map(Number);
    for (const object of render('production').filter((o) => o.kind === 'Deployment')) {
      const pod = (
        object as { spec: { template: { spec: { securityContext: Record<string, number> } } } }
      ).spec.template.spec.securityContext;
      expect([pod.runAsUser, pod.runAsGroup]).toEqual([uid, gid]);
    }
  });
});
