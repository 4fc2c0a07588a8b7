import {
  VARIABLES,
  type VariableName,
  type VariableSpec,
  APP_NAMES,
  defaultFor,
} from './variables';

/** The configuration reference as a Markdown table, generated from the schema. */
export function configTableMarkdown(): string {
  const rows = (Object.keys(VARIABLES) as VariableName[]).map((name) => {
    const spec: VariableSpec = VARIABLES[name];
    const defaults = new Set(spec.apps.map((app) => defaultFor(name, app)));
    let shownDefault: string;
    if (spec.defaultValue === undefined) shownDefault = '**required**';
    else if (defaults.size === 1) shownDefault = `\`${[...defaults][0] || '(empty)'}\``;
    else shownDefault = spec.apps.map((app) => `${app}: \`${defaultFor(name, app)}\``).join(', ');
    const apps = spec.apps.length === APP_NAMES.length ? 'all' : spec.apps.join(', ');
    return `| \`${name}\` | ${apps} | ${shownDefault} | ${spec.description} |`;
  });
  return ['| Variable | Apps | Default | Meaning |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}
