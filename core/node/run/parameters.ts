import { notebookOptions, parameterNameProblem } from '../../common/notebook/cell-options.ts';
import type { Notebook } from '../../common/notebook/model.ts';

/**
 * A cell's parameters: the notebook's defaults, overridden by `overrides` (the run's `--param`s,
 * then a `run()`'s); all of them as env for shell, the ones `argNames` lists as $1… for bpftrace.
 */
export function cellParameters(
  notebook: Notebook,
  argNames: string[] | undefined,
  ...overrides: (Record<string, string> | undefined)[]
): { env: Record<string, string>; args: string[] } {
  const declared = notebookOptions(notebook).parameters ?? {};
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) values[name] = String(value);
  for (const override of overrides) Object.assign(values, override ?? {});
  for (const name of Object.keys(values)) {
    // Parameters become root's environment: PATH=. would run the folder's own ./ip (env-names.ts).
    const problem = parameterNameProblem(name);
    if (problem) throw new Error(`${problem}. Parameters become the environment of the cells, so the notebook cannot run until it is renamed.`);
  }
  const names = argNames ?? Object.keys(values);
  const args = names.map((name) => {
    if (!(name in values)) {
      throw new Error(
        `metadata.probebook.args names the parameter "${name}", which the notebook does not declare (known: ${Object.keys(values).join(', ') || 'none'}).`,
      );
    }
    return values[name]!;
  });
  return { env: values, args };
}
