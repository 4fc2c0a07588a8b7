import type { Writable } from 'node:stream';
import { type Projection, rebuildProjection } from '@parley/readmodel';
import { Presets, SingleBar } from 'cli-progress';
import type { ServiceInfrastructure } from './service-infrastructure';
import { projectionContext, type ServiceDefinition } from './start-service';

export interface RebuildCommandOptions {
  definition: ServiceDefinition;
  infra: ServiceInfrastructure;
  /** `rebuild`'s arguments: projection names (or `all`), `--drop-previous`. */
  args: readonly string[];
  out: Writable;
}

function usage(definition: ServiceDefinition): string {
  const names = definition.projections.map((p) => p.name).join(', ') || '(none)';
  return [
    `usage: rebuild <projection…|all> [--drop-previous]`,
    `  projections of ${definition.name}: ${names}`,
    '',
  ].join('\n');
}

/**
 * `<service> rebuild <projection>`: replays the projection's topics from the beginning into a
 * new generation of its collections, with a progress bar, then switches the running services
 * to it. Answers the process exit code.
 */
export async function runRebuildCommand(options: RebuildCommandOptions): Promise<number> {
  const { definition, infra, out } = options;
  const dropPrevious = options.args.includes('--drop-previous');
  const names = options.args.filter((a) => !a.startsWith('--'));
  const known = new Map(definition.projections.map((p) => [p.name, p]));
  const selected: Projection[] = names.includes('all')
    ? [...known.values()]
    : names.flatMap((name) => known.get(name) ?? []);
  const unknown = names.filter((name) => name !== 'all' && !known.has(name));
  if (selected.length === 0 || unknown.length > 0) {
    if (unknown.length) out.write(`unknown projection: ${unknown.join(', ')}\n`);
    out.write(usage(definition));
    return 64;
  }
  for (const projection of selected) {
    const bar = new SingleBar(
      {
        format: `${projection.name} [{bar}] {percentage}% | {value}/{total} events | {duration}s`,
        stream: out,
        noTTYOutput: true,
        notTTYSchedule: 1000,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    bar.start(0, 0);
    const result = await rebuildProjection({
      service: definition.name,
      projection,
      bus: infra.bus,
      store: infra.documents,
      context: projectionContext(definition, infra),
      topicName: (key) => infra.topicName(key),
      dropPrevious,
      onProgress: (done, total) => {
        if (bar.getTotal() !== total) bar.setTotal(total);
        bar.update(done);
      },
    });
    bar.update(result.events);
    bar.stop();
    const rate = result.ms > 0 ? Math.round((result.events / result.ms) * 1000) : result.events;
    out.write(
      `${projection.name}: generation ${result.previous} → ${result.generation}, ${result.events} events` +
        `${result.skipped ? ` (${result.skipped} skipped)` : ''} in ${(result.ms / 1000).toFixed(1)} s` +
        ` (${rate} events/s)${dropPrevious ? `, generation ${result.previous} dropped` : ''}\n`,
    );
  }
  return 0;
}
