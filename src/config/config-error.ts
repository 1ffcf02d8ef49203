/** One problem with one setting: the variable it is about and how to fix it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** The configuration cannot be used; every problem found is listed, not only the first. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map((p) => `${p.variable}: ${p.message}`).join('\n'));
    this.problems = problems;
  }
}
