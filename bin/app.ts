#!/usr/bin/env -S npx tsx
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/decoupled-app';
import { ValidationError } from '../lib/validation';

try {
  buildApp(new App());
} catch (error) {
  // Invalid config or props: the message lists every problem; a stack trace would only bury it.
  if (!(error instanceof ValidationError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
