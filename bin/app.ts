#!/usr/bin/env -S npx tsx
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/decoupled-app';

buildApp(new App());
