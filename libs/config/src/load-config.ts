import { type z } from 'zod';
import {
  type AppName,
  VARIABLES,
  type VariableName,
  type VariableSpec,
  defaultFor,
} from './variables';

type Values = { [K in VariableName]: z.output<(typeof VARIABLES)[K]['schema']> };

export class ConfigError extends Error {
  constructor(
    readonly app: AppName,
    readonly problems: readonly { variable: string; reason: string }[],
  ) {
    super(
      `Invalid configuration for ${app}:\n` +
        problems.map((p) => `  ${p.variable}: ${p.reason}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Validates every variable an app reads; reports all problems at once, each naming its variable. */
export function readVariables<const N extends readonly VariableName[]>(
  app: AppName,
  names: N,
  env: Env,
): Pick<Values, N[number]> {
  const problems: { variable: string; reason: string }[] = [];
  const values: Partial<Record<VariableName, unknown>> = {};
  for (const name of names) {
    const spec: VariableSpec = VARIABLES[name];
    const raw = env[name];
    const input = raw === undefined || raw === '' ? defaultFor(name, app) : raw;
    if (input === undefined) {
      problems.push({ variable: name, reason: `is required (${spec.description})` });
      continue;
    }
    const parsed = spec.schema.safeParse(input);
    if (parsed.success) {
      values[name] = parsed.data;
    } else {
      const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push({ variable: name, reason: `${reason} (got ${describe(name, input)})` });
    }
  }
  if (problems.length > 0) throw new ConfigError(app, problems);
  return values as Pick<Values, N[number]>;
}

function describe(name: string, value: string): string {
  // Secrets and connection strings may hold credentials: never echo them.
  if (/SECRET|URI|URL|PASSWORD/.test(name)) return `a value of ${value.length} characters`;
  return JSON.stringify(value);
}
