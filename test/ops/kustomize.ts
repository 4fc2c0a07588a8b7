import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const ROOT = join(__dirname, '..', '..');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: unknown;
  data?: Record<string, string>;
}

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Renders an overlay with `kubectl kustomize`, or with kustomize built from its Go module when kubectl is missing. */
export function render(overlay: string): K8sObject[] {
  const dir = join(ROOT, 'k8s', 'overlays', overlay);
  const output = has('kubectl')
    ? execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })
    : execFileSync('go', ['run', 'sigs.k8s.io/kustomize/kustomize/v5@v5.8.3', 'build', dir], {
        encoding: 'utf8',
        env: { ...process.env, GOFLAGS: '-mod=mod' },
      });
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}
