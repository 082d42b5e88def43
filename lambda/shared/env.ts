/** Thrown at start-up when the function's environment lacks a variable its stack should have set. */
export class MissingEnvironmentError extends Error {
  constructor(readonly variable: string) {
    super(`Environment variable ${variable} is not set: the stack that deploys this function must set it`);
    this.name = 'MissingEnvironmentError';
  }
}

/** Reads a required environment variable, failing fast with the variable's name. */
export function requireEnv(variable: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[variable];
  if (value === undefined || value === '') throw new MissingEnvironmentError(variable);
  return value;
}
