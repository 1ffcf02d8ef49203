export declare const SERVE_V8_FLAGS: readonly string[];
export declare const SERVE_ENV: Readonly<Record<string, string>>;
export interface CliStart {
  readonly argv: readonly string[];
  readonly execArgv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: string;
  readonly canExecve: boolean;
}
export declare function missingServeSettings(
  start: CliStart,
): { flags: string[]; env: Record<string, string> } | undefined;
export declare function restartWithServeSettings(proc: NodeJS.Process): void;
